"""Every Python block in the README runs, so the user guide cannot drift from the code.

Blocks are executed in order, each in a fresh namespace, with the default connection aimed at
the bundled emulator (the hook example really calls it). The "Testing your DAGs offline" block is
itself a test module; it must equal ``tests/testing/test_howto_offline.py``, which the suite runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
HOWTO = REPO_ROOT / "tests" / "testing" / "test_howto_offline.py"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 6


def test_offline_testing_example_is_the_suite_test():
    assert HOWTO.read_text(encoding="utf-8") in BLOCKS


@pytest.mark.parametrize(
    "block",
    [
        pytest.param(block, id=f"block{index}")
        for index, block in enumerate(BLOCKS)
        if "def test_" not in block
    ],
)
def test_readme_block_runs(block, linkedin_ads_emulator, linkedin_ads_connection, capsys):
    namespace: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(block, "README.md", "exec"), namespace)
    linkedin_ads_emulator.check()
    if "rows; first:" in block:
        # The hook example printed what it fetched from the emulator: real rows, not an empty answer.
        assert re.search(r"^[1-9][0-9]* rows; first: \{", capsys.readouterr().out, flags=re.MULTILINE)
