"""The Parquet writer's choice of Arrow allocator, observed in fresh interpreters.

Arrow picks its allocator once, while ``pyarrow`` loads, so each case needs a process of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys

_POOL_PROBE = (
    "import hashlib, io, os, sys\n"
    "BEFORE\n"
    "from decimal import Decimal\n"
    "from airflow_provider_linkedin_ads.client.writers import write_rows\n"
    "from airflow_provider_linkedin_ads.results import Column, ColumnKind\n"
    "target = io.BytesIO()\n"
    "columns = (Column('clicks', ColumnKind.LONG), Column('costInUsd', ColumnKind.DECIMAL))\n"
    "rows = [{'clicks': n, 'costInUsd': Decimal(n) / 8} for n in range(1000)]\n"
    "write_rows(rows, target, columns, output_format='parquet')\n"
    "import pyarrow\n"
    "print(pyarrow.default_memory_pool().backend_name, os.environ.get('ARROW_DEFAULT_MEMORY_POOL'),"
    " hashlib.sha256(target.getvalue()).hexdigest())\n"
)


def _arrow_pool_after_writing(before: str = "", variable: str | None = None) -> tuple[str, str, str]:
    env = {name: value for name, value in os.environ.items() if name != "ARROW_DEFAULT_MEMORY_POOL"}
    if variable is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = variable
    code = _POOL_PROBE.replace("BEFORE", before)
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    backend, left, digest = answer.stdout.split()
    return backend, left, digest


def test_parquet_puts_arrow_on_the_system_allocator_only_when_it_loads_pyarrow() -> None:
    # The first import of pyarrow in a process chooses Arrow's allocator; the writer asks for glibc's
    # (one heap with the rows: W3 as Parquet 127-130 -> 118-119 MiB of RSS) and leaves the
    # environment as it was.
    backend, left, digest = _arrow_pool_after_writing()
    assert (backend, left) == ("system", "None")
    # A choice already made stands: the variable set by the worker, or pyarrow loaded by someone else.
    assert _arrow_pool_after_writing(variable="mimalloc") == ("mimalloc", "mimalloc", digest)
    loaded_first = _arrow_pool_after_writing(before="import pyarrow")
    assert loaded_first[1:] == ("None", digest)
    assert loaded_first[0] != "system"  # the wheel's own default (mimalloc or jemalloc)
