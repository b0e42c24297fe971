"""The import direction rules: pure core -> client -> Airflow adapters; testing/ is stdlib + core.

Each check runs in a fresh interpreter in which the forbidden packages are blocked
(``sys.modules[name] = None`` makes any import of them fail), so a stray import anywhere in the
import graph fails the test, not just a direct one in the module itself.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "airflow_provider_linkedin_ads"
PURE_CORE = [
    "errors", "restli", "enums", "metrics", "models", "results", "advisories", "validation", "versions", "maturity",
]  # fmt: skip
ADAPTER_DIRS = {"hooks", "operators", "sensors", "triggers", "utils"}
ADAPTER_FILES = {"get_provider_info.py", "version_compat.py"}


def _existing(modules: list[str]) -> list[str]:
    return [name for name in modules if (PACKAGE / f"{name}.py").exists() or (PACKAGE / name).is_dir()]


def _client_modules() -> list[str]:
    return sorted(
        f"client.{path.stem}" for path in (PACKAGE / "client").glob("*.py") if path.stem != "__init__"
    )


def _testing_modules() -> list[str]:
    skip = {"__init__", "pytest_plugin"}
    return sorted(
        f"testing.{path.stem}" for path in (PACKAGE / "testing").glob("*.py") if path.stem not in skip
    )


def _import_blocked(modules: list[str], blocked: list[str]) -> subprocess.CompletedProcess[str]:
    lines = [f"import sys; sys.modules[{name!r}] = None" for name in blocked]
    lines += [f"import airflow_provider_linkedin_ads.{module}" for module in modules]
    lines.append("print('ok')")
    return subprocess.run(
        [sys.executable, "-c", "\n".join(lines)], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("layer", "modules", "blocked"),
    [
        pytest.param(
            "pure core", lambda: _existing(PURE_CORE), ["airflow", "requests", "tenacity"], id="core"
        ),
        pytest.param("client", lambda: ["client", *_client_modules()], ["airflow"], id="client"),
        pytest.param(
            "testing",
            lambda: ["testing", *_testing_modules()],
            ["airflow", "requests", "tenacity", "pytest"],
            id="testing",
        ),
    ],
)
def test_layer_imports_without_forbidden_packages(layer, modules, blocked):
    result = _import_blocked(modules(), blocked)
    assert result.returncode == 0, f"{layer} layer imports a forbidden package:\n{result.stderr}"
    assert result.stdout.strip() == "ok"


def _top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _is_adapter(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] in ADAPTER_DIRS or relative.name in ADAPTER_FILES


def test_only_adapters_mention_airflow_anywhere():
    """Static scan, including imports inside functions: names the offending file."""
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if not _is_adapter(path) and "airflow" in _top_level_imports(path)
    ]
    assert offenders == []


def test_init_imports_nothing():
    assert _top_level_imports(PACKAGE / "__init__.py") <= {"__future__"}


def _testing_import_graph() -> dict[str, set[str]]:
    """``testing/`` module -> the ``testing/`` modules it imports, ``TYPE_CHECKING`` imports included.

    ``ast.walk`` visits every import statement (module level, ``if TYPE_CHECKING:``, inside
    functions); the package facade ``__init__`` and the pytest plugin sit above the modules and are
    left out.
    """
    prefix = "airflow_provider_linkedin_ads.testing."
    modules = {name.removeprefix("testing.") for name in _testing_modules()}
    graph: dict[str, set[str]] = {}
    for name in modules:
        tree = ast.parse((PACKAGE / "testing" / f"{name}.py").read_text(encoding="utf-8"))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.add(node.module)
                if node.module == prefix.rstrip("."):  # from ...testing import module
                    targets.update(prefix + alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        graph[name] = {
            target.removeprefix(prefix).split(".")[0]
            for target in targets
            if target.startswith(prefix) and target.removeprefix(prefix).split(".")[0] in modules
        } - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle (its modules in order, first repeated at the end), or ``None``."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for target in sorted(graph[node]):
            found = visit(target, [*path, node])
            if found is not None:
                return found
        done.add(node)
        return None

    for start in sorted(graph):
        found = visit(start, [])
        if found is not None:
            return found
    return None


def test_testing_import_graph_is_acyclic():
    """Requests flow one way (server -> emulator -> app -> endpoints -> state); no back edges at all."""
    graph = _testing_import_graph()

    request_flow = {"server", "emulator", "app", "analytics", "entity_api", "lookup_api"}
    assert not graph["state"] & request_flow, "state.py sits below the whole request flow"
    assert "emulator" not in set().union(
        *(graph[name] for name in ("app", "analytics", "entity_api", "lookup_api"))
    )
    assert _cycle(graph) is None, f"testing/ import cycle: {' -> '.join(_cycle(graph) or [])}"


def test_cycle_finder_finds_a_type_checking_back_edge():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
