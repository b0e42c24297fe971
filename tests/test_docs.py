"""The documentation site (docs/) cannot silently drift from the code it documents.

``scripts/docs`` builds it with every Sphinx warning an error (``make test`` runs it on the Airflow 3
line); these checks are the cheap, Airflow-independent part that runs on every line: examples are
included from the example DAGs by markers that exist, every marker is used, the API reference
covers every public module of the Airflow-facing packages and every public client name, and the
Python blocks written into the pages compile.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import airflow_provider_linkedin_ads.client as client_package

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
PAGES = sorted(DOCS.rglob("*.rst"))
PACKAGE = REPO / "airflow_provider_linkedin_ads"

INCLUDE = re.compile(
    r"^\.\. literalinclude:: (?P<path>\S+)\n(?P<options>(?:    :[^\n]+\n)+)", flags=re.MULTILINE
)
MARKER = re.compile(r"# \[(START|END) (\w+)\]")
DOCUMENTED = re.compile(r"^\.\. (?:automodule|autoclass):: (\S+)", flags=re.MULTILINE)
PYTHON_BLOCK = re.compile(r"^\.\. code-block:: python\n\n((?:    .*\n|\n)+)", flags=re.MULTILINE)


def _includes() -> list[tuple[Path, Path, dict[str, str]]]:
    found = []
    for page in PAGES:
        for match in INCLUDE.finditer(page.read_text(encoding="utf-8")):
            options = dict(re.findall(r"^    :([\w-]+):\s*(.*)$", match.group("options"), flags=re.MULTILINE))
            found.append((page, (page.parent / match.group("path")).resolve(), options))
    return found


def test_the_site_has_the_airflow_provider_pages() -> None:
    names = {str(page.relative_to(DOCS)) for page in PAGES}
    assert {
        "index.rst",
        "connections.rst",
        "operators.rst",
        "operators/analytics.rst",
        "operators/statistics.rst",
        "operators/attributed_revenue.rst",
        "sensors.rst",
        "troubleshooting.rst",
        "changelog.rst",
        "api/index.rst",
    } <= names


@pytest.mark.parametrize(
    ("page", "target", "options"),
    [
        pytest.param(*include, id=f"{include[0].name}:{include[2].get('start-after', 'all')}")
        for include in _includes()
    ],
)
def test_every_included_example_exists_between_its_markers(
    page: Path, target: Path, options: dict[str, str]
) -> None:
    assert target.is_file(), f"{page.name} includes a missing file {target}"
    text = target.read_text(encoding="utf-8")
    start, end = options.get("start-after"), options.get("end-before")
    if start is None and end is None:
        return
    assert start is not None
    assert end is not None
    assert text.count(start) == 1, f"{start} must occur exactly once in {target.name}"
    assert text.count(end) == 1, f"{end} must occur exactly once in {target.name}"
    body = text.split(start, 1)[1].split(end, 1)[0]
    assert "Operator" in body or "Sensor" in body or "Hook" in body  # a real example, not an empty span


def test_every_marker_in_the_example_dags_is_paired_and_included_by_a_page() -> None:
    included = {options.get("start-after") for _, _, options in _includes()}
    for dag_file in sorted((REPO / "dags_examples").glob("*.py")):
        markers = MARKER.findall(dag_file.read_text(encoding="utf-8"))
        starts = [name for kind, name in markers if kind == "START"]
        ends = [name for kind, name in markers if kind == "END"]
        assert starts == ends, f"{dag_file.name}: unpaired [START]/[END] markers"
        for name in starts:
            assert f"[START {name}]" in included, f"{dag_file.name}: marker {name} is used by no page"


def _public_modules(package: str) -> set[str]:
    return {
        f"airflow_provider_linkedin_ads.{package}.{path.stem}"
        for path in (PACKAGE / package).glob("*.py")
        if not path.stem.startswith("_")
    }


def test_the_api_reference_covers_every_public_airflow_facing_module_and_client_name() -> None:
    documented = {name for page in PAGES for name in DOCUMENTED.findall(page.read_text(encoding="utf-8"))}
    for package in ("hooks", "operators", "sensors", "triggers"):
        missing = _public_modules(package) - documented
        assert not missing, f"docs/api/ does not document {sorted(missing)}"
    documented_classes = {name.rsplit(".", 1)[1] for name in documented}
    assert set(client_package.__all__) <= documented_classes
    assert {
        "airflow_provider_linkedin_ads.errors",
        "airflow_provider_linkedin_ads.models",
        "airflow_provider_linkedin_ads.testing",
    } <= documented


@pytest.mark.parametrize(
    ("page", "block"),
    [
        pytest.param(page, block, id=f"{page.name}:{index}")
        for page in PAGES
        for index, block in enumerate(PYTHON_BLOCK.findall(page.read_text(encoding="utf-8")))
    ],
)
def test_python_blocks_in_the_pages_compile(page: Path, block: str) -> None:
    source = "\n".join(line[4:] for line in block.splitlines())
    ast.parse(source, filename=str(page))
