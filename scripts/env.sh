# Shared by scripts/test and scripts/demo: create or refresh a pinned virtual environment.
# Usage: source scripts/env.sh; ensure_env <line>   (line 3 -> Airflow 3.3.2, line 2 -> Airflow 2.11.2)
# Environments live in .venv/af<line>; a stamp file holds the hash of the lock file so an
# unchanged environment is reused and a changed lock rebuilds it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
UV_VERSION="0.13.9"

ensure_uv() {
  if [ ! -x "$ROOT/.venv/tools/bin/uv" ]; then
    echo ">> bootstrapping uv $UV_VERSION into .venv/tools"
    "$PYTHON" -m venv "$ROOT/.venv/tools"
    "$ROOT/.venv/tools/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
  UV="$ROOT/.venv/tools/bin/uv"
}

ensure_env() {
  local line="$1" venv="$ROOT/.venv/af$1" lock="$ROOT/requirements/airflow-$1.txt"
  ensure_uv
  # The recipe below is hashed too: changing it rebuilds the environments made by the old one.
  local want; want="$( (cat "$lock" "$ROOT/pyproject.toml"; declare -f ensure_env) | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$venv/.stamp" ] || [ "$(cat "$venv/.stamp")" != "$want" ]; then
    echo ">> creating $venv from $(basename "$lock")"
    rm -rf "$venv"
    "$UV" venv --quiet --python "$PYTHON" "$venv"
    # Bytecode compiled once here, as pip does by default: every process that imports Airflow then
    # reads it (about 2 s less per process on Airflow 3.3; PYTHONDONTWRITEBYTECODE=1 environments,
    # like this sandbox's, would otherwise compile every module again in every process).
    VIRTUAL_ENV="$venv" "$UV" pip sync --quiet --compile-bytecode "$lock"
    VIRTUAL_ENV="$venv" "$UV" pip install --quiet --no-deps -e "$ROOT"
    echo "$want" > "$venv/.stamp"
  fi
}

# ensure_debian_packages <package...>: install the Debian packages that are missing (as root, with
# apt-get), for the tests that need real services (PostgreSQL, Redis, Chromium). Never fails the
# caller: when a package cannot be installed it prints why, and the tests that need it skip with a
# message naming the package. `apt-get update` runs at most once per process. Several engineers (and
# CI jobs) may install at once: apt-get waits up to 5 minutes for another's dpkg lock, not fails.
ensure_debian_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo ">> cannot install ${missing[*]} (needs root and apt-get); the tests that need them will skip"
    return 0
  fi
  echo ">> installing Debian packages: ${missing[*]}"
  if [ -z "${_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=300 >/dev/null 2>&1 || true
    _APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || echo ">> apt-get could not install ${missing[*]}; the tests that need them will skip"
  return 0
}
