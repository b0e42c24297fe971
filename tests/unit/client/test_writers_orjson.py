"""The JSON Lines writer's orjson path writes exactly the standard library's bytes, or fails alike."""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import io
import json
import logging
import math
import struct
import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from airflow_provider_linkedin_ads.client import writers
from airflow_provider_linkedin_ads.client.writers import JsonLinesWriter
from airflow_provider_linkedin_ads.results import Column, ColumnKind

ORJSON = writers._load_orjson()
needs_orjson = pytest.mark.skipif(ORJSON is None, reason="orjson is not installed (the [fast] extra)")

COLUMNS = (
    Column("day", ColumnKind.DATE),
    Column("campaign", ColumnKind.STRING),
    Column("clicks", ColumnKind.LONG),
    Column("rate", ColumnKind.DOUBLE),
    Column("cost", ColumnKind.DECIMAL),
    Column("raw", ColumnKind.RAW),
)


def _outcome(rows: list[dict[str, Any]], *, fast: bool) -> bytes | str:
    """The bytes written, or the kind of error the rows raised (on write or on close).

    The kind, not the class: text with a lone surrogate fails as ``UnicodeEncodeError`` (a
    ``ValueError``) at its row on the orjson path, at the next flush on the standard one, so rows
    after it that the standard path refuses first (NaN) show ``ValueError`` there.
    """
    target = io.BytesIO()
    writer = JsonLinesWriter(target, COLUMNS, fast=fast)
    try:
        for row in rows:
            writer.write(row)
        writer.close()
    except TypeError:
        return "TypeError"
    except ValueError:  # UnicodeEncodeError included
        return "ValueError"
    return target.getvalue()


def _same_both_ways(rows: list[dict[str, Any]]) -> bytes | str:
    stdlib = _outcome(rows, fast=False)
    assert _outcome(rows, fast=True) == stdlib
    return stdlib


@pytest.fixture(autouse=True)
def _orjson_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writers, "FAST_JSON", ORJSON)


def _float_from_bits(bits: int) -> float:
    return float(struct.unpack("<d", bits.to_bytes(8, "little"))[0])


# Floats from raw bits cover every exponent (subnormals, 1e-7, 1e16, 1e308) and NaN/inf.
FLOATS = st.one_of(
    st.integers(min_value=0, max_value=2**64 - 1).map(_float_from_bits),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e16, 1e-7, 1.5e-5, 1e-4, 9.999999999999999e-5, -0.0, 0.0, 1e22, 5e-324, 1e15]),
)
INTS = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**65), max_value=2**65),
    st.sampled_from([2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**63) - 1, 10**40]),
)
TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12) | st.sampled_from(
    ["\x00\x1f\x7f", "\u2028\u2029", "\ud800", "😀\U0010ffff", '"\\/', "\ufeff"]
)
DECIMALS = st.decimals(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [Decimal("1E-7"), Decimal("-0.00"), Decimal("107.5300000000000335346"), Decimal("1E+30")]
)
CELLS = st.one_of(
    st.none(), st.booleans(), FLOATS, INTS, TEXT, DECIMALS, st.dates(), st.datetimes(timezones=st.timezones())
)
ROWS = st.fixed_dictionaries({column.name: CELLS for column in COLUMNS})


@needs_orjson
@settings(max_examples=400, deadline=None)
@given(st.lists(ROWS, min_size=1, max_size=4))
def test_hostile_values_give_the_same_bytes_or_the_same_error(rows: list[dict[str, Any]]) -> None:
    _same_both_ways(rows)


@needs_orjson
@settings(max_examples=300, deadline=None)
@given(st.lists(FLOATS, min_size=1, max_size=8))
def test_floats_across_exponents_are_written_as_repr(values: list[float]) -> None:
    rows = [dict.fromkeys(writers_names(), None) | {"rate": value} for value in values]
    outcome = _same_both_ways(rows)
    if all(map(math.isfinite, values)):
        assert isinstance(outcome, bytes)
        written = [json.loads(line)["rate"] for line in outcome.decode().splitlines()]
        assert [repr(value) for value in written] == [repr(value) for value in values]
    else:
        assert outcome == "ValueError"  # NaN and Infinity are refused, never written as null


def writers_names() -> list[str]:
    return [column.name for column in COLUMNS]


@needs_orjson
def test_a_lone_surrogate_is_refused_on_both_paths() -> None:
    row = dict.fromkeys(writers_names(), None) | {"campaign": "\ud800"}
    for fast in (False, True):
        with pytest.raises(UnicodeEncodeError), JsonLinesWriter(io.BytesIO(), COLUMNS, fast=fast) as writer:
            writer.write(row)


class Colour(enum.Enum):
    RED = 1


class Shade(enum.StrEnum):
    DARK = "dark"


class Money(Decimal):
    pass


@needs_orjson
@pytest.mark.parametrize(
    "value",
    [
        pytest.param(uuid.UUID(int=1), id="uuid-json-refuses"),
        pytest.param(Colour.RED, id="enum-json-refuses"),
        pytest.param(Shade.DARK, id="str-enum"),
        pytest.param(Money("1.50"), id="decimal-subclass"),
        pytest.param(dt.time(9, 30), id="time-json-refuses"),
        pytest.param([1, 2.5], id="list"),
        pytest.param(2**64, id="int-beyond-64-bits"),
        pytest.param(float("inf"), id="infinity"),
        pytest.param(
            dt.datetime(2026, 1, 31, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, seconds=7))),
            id="odd-offset",
        ),
    ],
)
def test_values_orjson_would_write_differently_take_the_standard_path(value: object) -> None:
    row = dict.fromkeys(writers_names(), None) | {"raw": value}
    _same_both_ways([row, dict.fromkeys(writers_names(), 1)])


@needs_orjson
def test_a_row_dict_subclass_and_out_of_order_keys_are_written_alike() -> None:
    class Row(dict[str, Any]):
        pass

    row = {"cost": Decimal("2.50"), "day": dt.date(2026, 1, 2), "campaign": "é", "clicks": 3}
    assert _same_both_ways([row, Row(row)]) == (
        b'{"day":"2026-01-02","campaign":"\xc3\xa9","clicks":3,"rate":null,"cost":"2.50","raw":null}\n' * 2
    )


@needs_orjson
def test_the_orjson_path_is_taken_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger=writers.__name__):
        JsonLinesWriter(io.BytesIO(), COLUMNS)
        JsonLinesWriter(io.BytesIO(), COLUMNS, fast=False)
    assert [record.getMessage() for record in caplog.records] == [
        f"JSON Lines encoder: orjson {ORJSON.__version__}",
        "JSON Lines encoder: json (standard library)",
    ]


class _Recorder:
    """Stands in for orjson: counts calls and answers as the standard library would."""

    OPT_PASSTHROUGH_DATETIME = 0
    __version__ = "0.test"
    JSONEncodeError = TypeError

    def __init__(self) -> None:
        self.calls = 0

    def dumps(self, value: object, default: Any = None, option: int = 0) -> bytes:
        self.calls += 1
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default).encode()


def test_fast_false_and_a_cleared_module_attribute_force_the_standard_library(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = _Recorder()
    monkeypatch.setattr(writers, "FAST_JSON", recorder)
    row = dict.fromkeys(writers_names(), 1)
    for fast in (False, True):
        with JsonLinesWriter(io.BytesIO(), COLUMNS, fast=fast) as writer:
            writer.write(row)
    assert recorder.calls == 1  # only the writer left on its default used the fast encoder
    monkeypatch.setattr(writers, "FAST_JSON", None)
    with JsonLinesWriter(io.BytesIO(), COLUMNS) as writer:
        writer.write(row)
    assert recorder.calls == 1


def test_orjson_missing_or_disagreeing_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def missing(name: str, package: str | None = None) -> Any:
        if name == "orjson":
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", missing)
    assert writers._load_orjson() is None

    class Different(_Recorder):
        def dumps(self, value: object, default: Any = None, option: int = 0) -> bytes:
            return json.dumps(value).encode()  # ", " separators and \u escapes: not our bytes

    monkeypatch.setattr(importlib, "import_module", lambda name, package=None: Different())
    assert writers._load_orjson() is None
    monkeypatch.setattr(importlib, "import_module", lambda name, package=None: _Recorder())
    assert isinstance(writers._load_orjson(), _Recorder)


class _KeepingTarget(io.RawIOBase):
    """A target that keeps every object it is given (as a queue or a zero-copy sink may)."""

    def __init__(self) -> None:
        self.given: list[Any] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.given.append(data)
        return len(data)


def _rows(count: int) -> list[dict[str, Any]]:
    day = dt.date(2026, 11, 1)
    return [
        {
            "day": day,
            "campaign": f"urn:li:sponsoredCampaign:{n}",
            "clicks": n,
            "rate": 0.5,
            "cost": Decimal("1.25"),
            "raw": "x",
        }
        for n in range(count)
    ]


@needs_orjson
def test_a_written_buffer_is_never_changed_afterwards() -> None:
    target = _KeepingTarget()
    writer = JsonLinesWriter(target, COLUMNS, fast=True)  # type: ignore[arg-type]
    rows = _rows(2_500)  # two flushes and the rest at close
    for row in rows:
        writer.write(row)
    writer.close()
    assert [type(data) for data in target.given] == [bytes, bytes, bytes]  # as on the standard path
    assert b"".join(target.given) == _outcome(rows, fast=False)  # each kept object still holds its lines


@needs_orjson
def test_pending_lines_take_their_size_not_a_block_each() -> None:
    # orjson returns each line in a 4 KiB allocation; holding 999 of them would be 4 MiB, not 200 KiB.
    import tracemalloc

    writer = JsonLinesWriter(io.BytesIO(), COLUMNS, fast=True)
    rows = _rows(999)  # one below the flush
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for row in rows:
            writer.write(row)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    text = _outcome(rows, fast=False)
    assert isinstance(text, bytes)
    assert held < 2 * len(text)
