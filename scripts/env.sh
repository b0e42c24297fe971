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
  local want; want="$(cat "$lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$venv/.stamp" ] || [ "$(cat "$venv/.stamp")" != "$want" ]; then
    echo ">> creating $venv from $(basename "$lock")"
    rm -rf "$venv"
    "$UV" venv --quiet --python "$PYTHON" "$venv"
    VIRTUAL_ENV="$venv" "$UV" pip sync --quiet "$lock"
    VIRTUAL_ENV="$venv" "$UV" pip install --quiet --no-deps -e "$ROOT"
    echo "$want" > "$venv/.stamp"
  fi
}
