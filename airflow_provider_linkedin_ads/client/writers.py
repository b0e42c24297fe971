r"""Stream report rows to a binary file-like target: JSON Lines (default), CSV, or Parquet.

Rows go out as they come, a small buffer at a time, so memory stays bounded by the engine's planning
window, never by the report. Every row has every column. Values keep their exact types:

* JSON Lines: one object per line, keys in column order; BigDecimal metrics as exact decimal
  *strings* (sign and every digit kept, never scientific notation), dates as ISO strings, absent
  metrics as ``null``. With ``orjson`` installed (the ``[fast]`` extra) rows are encoded by it, byte
  for byte the same text as the standard library's (see :data:`FAST_JSON`).
* CSV (RFC 4180): a header row, ``\\r\\n`` line ends, minimal quoting, UTF-8; absent metrics are
  empty fields; decimals written exactly as in JSON Lines. Text cells (pivot values, ``<pivot>_name``
  columns, unknown RAW metrics) that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  get a leading ``'`` so a spreadsheet shows them instead of running them as formulas (OWASP's "CSV
  injection" advice; anyone who can name a campaign could otherwise plant ``=HYPERLINK(...)``).
  Numbers are never touched: a negative decimal stays ``-2.5``. ``escape_formulas=False`` opts out.
  JSON Lines and Parquet keep every value verbatim. Entity tables' TIMESTAMP cells are ISO-8601 UTC
  text ending in ``Z`` in JSON Lines and CSV; BOOLEAN cells are ``true``/``false`` in both.
* Parquet: typed columns (``date32``, ``string``, ``int64``, ``float64``, ``decimal128(38, 20)``;
  entity tables add ``timestamp[us, UTC]``, ``bool`` and JSON text as ``string``), one row group per batch,
  snappy-compressed, dictionary-encoded except ``decimal128`` columns (money is almost never repeated);
  needs ``pyarrow`` (the ``[parquet]`` extra), imported only when used, on Arrow's ``system``
  allocator when the writer is the first to load it (see ``_import_pyarrow``).

The target stays open: closing a writer flushes it and leaves closing the file to its owner.

.. code-block:: python

    with open("report.jsonl", "wb") as target:
        written = write_rows(engine.run(request), target, report_columns(request))
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import json
import json.encoder as json_encoder
import logging
import os
import re
import sys
import threading
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, Protocol

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.results import ColumnKind

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from types import TracebackType

    from airflow_provider_linkedin_ads.results import Column, ReportRow, RowValue

__all__ = [
    "DECIMAL_PRECISION",
    "DECIMAL_SCALE",
    "FAST_JSON",
    "FORMATS",
    "FORMULA_TRIGGERS",
    "CsvWriter",
    "JsonLinesWriter",
    "ParquetWriter",
    "RowWriter",
    "escape_formula",
    "exact_decimal",
    "open_writer",
    "timestamp_text",
    "write_rows",
]

#: Output formats by name (``jsonl`` is the default).
FORMATS = ("jsonl", "csv", "parquet")
#: Parquet decimal type: 38 digits, 20 after the point (LinkedIn sends up to 19, e.g. "107.5300000000000335346").
DECIMAL_PRECISION = 38
DECIMAL_SCALE = 20
_TEXT_FLUSH_ROWS = 1_000
#: First characters that make a spreadsheet treat a cell as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: A RAW metric value that is a plain number (``-2.5``, ``1e-7``) is data, not a formula: kept as is.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_PARQUET_BATCH_ROWS = 65_536
#: Rows held as Python objects before they become Arrow arrays (a row group is built from slices).
_PARQUET_SLICE_ROWS = 4_096
_log = logging.getLogger(__name__)


class RowWriter(Protocol):
    """What every writer offers: write rows one by one, then close (flush) once.

    .. code-block:: python

        writer: RowWriter = open_writer("jsonl", target, columns)
        writer.write(row)
        writer.close()
    """

    @property
    def rows_written(self) -> int: ...

    def write(self, row: ReportRow) -> None: ...

    def close(self) -> None: ...


def exact_decimal(value: Decimal) -> str:
    """Render a decimal exactly, in positional notation (``Decimal("1E-7")`` -> ``"0.0000001"``)."""
    return format(value, "f")


def escape_formula(text: str) -> str:
    """Return ``text`` with a leading ``'`` when a spreadsheet would run it as a formula.

    .. code-block:: python

        escape_formula("=SUM(A1:A9)")  # "'=SUM(A1:A9)"
        escape_formula("Brand campaign")  # unchanged
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _text(value: RowValue) -> str | int | float | None:
    # JSON-ready scalar: decimals and dates become strings; numbers stay numbers.
    if isinstance(value, Decimal):
        return exact_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def timestamp_text(value: dt.datetime) -> str:
    """Render an instant as ISO-8601 UTC with a ``Z`` (milliseconds only when it has some).

    .. code-block:: python

        timestamp_text(dt.datetime(2026, 1, 31, 9, 30, tzinfo=dt.UTC))  # '2026-01-31T09:30:00Z'
    """
    utc = value.astimezone(dt.UTC) if value.tzinfo is not None else value  # naive means UTC
    spec = (
        "seconds" if not utc.microsecond else "milliseconds" if not utc.microsecond % 1000 else "microseconds"
    )
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _with_timestamp_text(row: ReportRow, names: Sequence[str]) -> ReportRow:
    converted = dict(row)
    for name in names:
        value = converted.get(name)
        if isinstance(value, dt.datetime):
            converted[name] = timestamp_text(value)
    return converted


class _WriterBase:
    def __init__(self, target: IO[bytes], columns: Sequence[Column]) -> None:
        if not columns:
            raise ConfigurationError("a writer needs at least one column", argument="columns")
        self._target = target
        self._names = tuple(column.name for column in columns)
        self._rows_written = 0
        self._closed = False

    @property
    def rows_written(self) -> int:
        """Rows written so far."""
        return self._rows_written

    def __enter__(self) -> _WriterBase:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._finish()

    def _finish(self) -> None:
        raise NotImplementedError


class JsonLinesWriter(_WriterBase):
    """One JSON object per line, keys in column order, decimals as exact strings.

    :param target: a binary file-like object (left open).
    :param columns: the report's columns (:func:`~.results.report_columns`).
    :param fast: encode with ``orjson`` when it is installed (:data:`FAST_JSON`, the ``[fast]`` extra);
        ``False`` forces the standard library. The bytes are the same either way.

    .. code-block:: python

        with JsonLinesWriter(buffer, columns) as writer:
            writer.write(row)
    """

    def __init__(self, target: IO[bytes], columns: Sequence[Column], *, fast: bool = True) -> None:
        super().__init__(target, columns)
        self._lines: list[str] = []
        # Decimals and dates reach the encoder as they are and come back through ``default``: only
        # those cells cost a Python call, every other one is encoded in C.
        self._encoder = json.JSONEncoder(
            ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=self._json_text
        )
        self._encode = _c_encoder(self._encoder) or self._encoder.encode
        self._dates: dict[dt.date, str] = {}  # a report has few distinct days, two date cells per row
        # Entity tables' TIMESTAMP cells become ``...Z`` text; reports have none (the row is untouched).
        self._timestamps = tuple(column.name for column in columns if column.kind is ColumnKind.TIMESTAMP)
        self._orjson: Any = FAST_JSON if fast else None
        # The lines of the orjson path, already UTF-8, copied in at once: orjson hands each line over
        # in a 4 KiB block, so 1,000 lines held as they came would take 4 MiB for 200 KiB of text.
        self._encoded = bytearray()
        self._pending = 0  # rows encoded and not written yet, on either path
        _log.debug(
            "JSON Lines encoder: %s",
            f"orjson {self._orjson.__version__}" if self._orjson is not None else "json (standard library)",
        )

    def write(self, row: ReportRow) -> None:
        """Write one row (every column; a missing key is written as ``null``)."""
        # A row with exactly the columns, in order (the engine's rows), is encoded as it is.
        record = row if tuple(row) == self._names else {name: row.get(name) for name in self._names}
        if self._timestamps:
            record = _with_timestamp_text(record, self._timestamps)
        if self._orjson is None:
            self._lines.append(self._encode(record))
        else:
            self._encoded += self._fast_line(record)
            self._encoded += b"\n"
        self._rows_written += 1
        self._pending += 1
        if self._pending >= _TEXT_FLUSH_ROWS:
            self._flush()

    def _fast_line(self, record: ReportRow) -> bytes:
        """Encode with orjson when its bytes are sure to be the standard library's, else with the latter.

        orjson sees only the exact types of :data:`_FAST_TYPES` (it would write a UUID or a plain
        ``Enum`` that ``json`` refuses) and floats that both print alike (:func:`_floats_agree`);
        decimals and dates come back through the same ``default`` as on the standard path.
        """
        types = set(map(type, record.values()))
        if types <= _FAST_TYPES and (float not in types or _floats_agree(record.values())):
            try:
                return self._orjson.dumps(  # type: ignore[no-any-return]
                    record, default=self._json_text, option=self._orjson.OPT_PASSTHROUGH_DATETIME
                )
            except self._orjson.JSONEncodeError:
                pass  # an int beyond 64 bits, a lone surrogate: the standard library decides (or raises)
        return self._encode(record).encode("utf-8")

    def _json_text(self, value: object) -> str:
        """Serve as the encoder's ``default``: :func:`_text` for the two types JSON cannot write."""
        if type(value) is Decimal:  # the most frequent: a row often has more decimal than date cells
            return format(value, "f")  # exact_decimal, without a second call
        if type(value) is dt.date:
            text = self._dates.get(value)
            if text is None:
                text = self._dates[value] = value.isoformat()
            return text
        if isinstance(value, Decimal | dt.date):  # subclasses, datetime
            return str(_text(value))
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")

    def _flush(self) -> None:
        if self._lines:
            self._target.write(("\n".join(self._lines) + "\n").encode("utf-8"))
            self._lines.clear()
        if self._encoded:
            self._target.write(bytes(self._encoded))  # bytes, as on the standard path (about 200 KiB)
            self._encoded.clear()
        self._pending = 0

    def _finish(self) -> None:
        self._flush()
        self._target.flush()


#: The value types orjson may encode: with these (exact types, no subclasses) its text is ``json``'s.
_FAST_TYPES = frozenset({str, int, float, bool, type(None), Decimal, dt.date, dt.datetime})
#: Floats both encoders print the same way: Python's ``repr`` and orjson agree on the shortest
#: digits, but ``repr`` writes 1.5e-05 where orjson writes 0.000015 (and 1e-07 vs 1e-7); at and above
#: 1e16 the exponent forms match in today's orjson but are not part of its promise.
_FAST_FLOAT_MIN, _FAST_FLOAT_MAX = 1e-4, 1e16


def _floats_agree(values: Iterable[RowValue]) -> bool:
    """Whether every float of ``values`` is one orjson prints as ``repr`` does (NaN and inf are not)."""
    low, high = _FAST_FLOAT_MIN, _FAST_FLOAT_MAX
    return all(low <= abs(value) < high or value == 0.0 for value in values if type(value) is float)


#: Values whose text must come out the same from orjson and ``json`` before orjson is trusted.
_FAST_PROBE: list[object] = [
    {"b": 1, "a": None, "c": True, "d": False},
    "".join(map(chr, range(0x20))) + '"\\/ \x7f \u2028\u2029 é \u00a0 \ufeff 😀 \U0010ffff',
    [0, -1, 2**53 + 1, 2**63 - 1, -(2**63), 2**64 - 1],
    [0.0, -0.0, 1e-4, -1e-4, 0.1, 1 / 3, 2.5, 100.0, 1e15, 9999999999999998.0, 123456789.123, 5e15 + 0.5],
]


def _load_orjson() -> Any:
    """Return the ``orjson`` module when it is installed and writes :data:`_FAST_PROBE` as ``json`` does."""
    try:
        module = importlib.import_module("orjson")  # optional: the [fast] extra
    except ImportError:
        return None
    stdlib = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        agrees = all(module.dumps(value) == stdlib.encode(value).encode("utf-8") for value in _FAST_PROBE)
        moment = dt.datetime(2026, 1, 31, 9, 30, 0, 120000, tzinfo=dt.UTC)
        agrees &= module.dumps([moment], default=str, option=module.OPT_PASSTHROUGH_DATETIME) == (
            f'["{moment}"]'.encode()
        )
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - an orjson without these
        return None
    return module if agrees else None


#: The ``orjson`` module :class:`JsonLinesWriter` encodes with, or ``None`` for the standard library:
#: set when orjson (the ``[fast]`` extra) is importable and agrees with ``json`` on a probe. Rows are
#: byte-identical either way; set this to ``None`` (or pass ``fast=False``) to force ``json``.
FAST_JSON: Any = _load_orjson()


_PROBE = {"text": 'é "\\ \t', "number": -1, "real": 0.1, "none": None, "list": [True, 2.5e-7]}


def _c_encoder(encoder: json.JSONEncoder) -> Callable[[object], str] | None:
    """Return ``encoder.encode`` for dicts with its C encoder built once (``None`` without the C module).

    ``JSONEncoder.encode`` builds a C encoder on every call from the same settings; built once per
    writer it saves two Python calls and an object per line, and the text is the same.
    """
    make = getattr(json_encoder, "c_make_encoder", None)  # the C accelerator (typeshed omits it)
    if make is None:  # pragma: no cover - CPython always has it
        return None
    text = json_encoder.encode_basestring_ascii if encoder.ensure_ascii else json_encoder.encode_basestring

    def build() -> Callable[[object, int], Any]:
        return make(  # type: ignore[no-any-return]
            {} if encoder.check_circular else None,
            encoder.default,
            text,
            encoder.indent,
            encoder.key_separator,
            encoder.item_separator,
            encoder.sort_keys,
            encoder.skipkeys,
            encoder.allow_nan,
        )

    try:  # the C encoder's signature is CPython's, not a public API: prove it before relying on it
        current = [build()]
        agrees = "".join(current[0](_PROBE, 0)) == encoder.encode(_PROBE)
    except (TypeError, ValueError):  # pragma: no cover - a Python whose C encoder takes other arguments
        return None
    if not agrees:  # pragma: no cover
        return None

    def encode(record: object) -> str:
        try:
            return "".join(current[0](record, 0))
        except BaseException:
            current[0] = build()  # a failed call can leave its circular-reference marks behind
            raise

    return encode


class CsvWriter(_WriterBase):
    """RFC 4180 CSV: header row, CRLF line ends, minimal quoting, UTF-8, exact decimals.

    :param target: a binary file-like object (left open).
    :param columns: the report's columns; their names form the header row.
    :param escape_formulas: prefix text cells that start with ``= + - @``, tab or CR with ``'``
        (default ``True``; see the module docstring). Numbers are never changed.

    .. code-block:: python

        with open("report.csv", "wb") as target, CsvWriter(target, columns) as writer:
            for row in rows:
                writer.write(row)
    """

    def __init__(self, target: IO[bytes], columns: Sequence[Column], *, escape_formulas: bool = True) -> None:
        super().__init__(target, columns)
        # Only text can hold a formula: pivot and name columns always, an unknown (RAW) metric unless
        # its text is a plain number. Typed numbers and dates are written as they are.
        # BOOLEAN and TIMESTAMP cells take the same per-column branch: ``true``/``false`` and ``...Z``.
        formulas = (ColumnKind.STRING, ColumnKind.RAW) if escape_formulas else ()
        kinds = {*formulas, ColumnKind.TIMESTAMP, ColumnKind.BOOLEAN}
        self._escaped = {column.name: column.kind for column in columns if column.kind in kinds}
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self._csv.writerow(self._names)
        self._pending = 0

    def write(self, row: ReportRow) -> None:
        """Write one row; ``None`` becomes an empty field, formula-like text gets a leading ``'``."""
        self._csv.writerow([self._cell(name, row.get(name)) for name in self._names])
        self._rows_written += 1
        self._pending += 1
        if self._pending >= _TEXT_FLUSH_ROWS:
            self._flush()

    def _cell(self, name: str, value: RowValue) -> str | int | float:
        text = _text(value)
        if text is None:
            return ""
        kind = self._escaped.get(name)
        if kind is ColumnKind.BOOLEAN:
            return "true" if text else "false"
        if kind is ColumnKind.TIMESTAMP and isinstance(value, dt.datetime):
            return timestamp_text(value)
        if kind is None or not isinstance(text, str):
            return text
        if kind is ColumnKind.RAW and _PLAIN_NUMBER.fullmatch(text):
            return text  # a number sent as text ("-2.5"): data, not a formula
        return escape_formula(text)

    def _flush(self) -> None:
        self._target.write(self._buffer.getvalue().encode("utf-8"))
        self._buffer.seek(0)
        self._buffer.truncate()
        self._pending = 0

    def _finish(self) -> None:
        self._flush()
        self._target.flush()


class ParquetWriter(_WriterBase):
    """Typed Parquet, one row group per batch of rows; needs ``pyarrow`` (the ``[parquet]`` extra).

    :param target: a binary file-like object (left open).
    :param columns: the report's columns; their kinds give the Parquet types.
    :param batch_rows: rows per row group (bounds the writer's memory).
    :raises ConfigurationError: when ``pyarrow`` is not installed.

    .. code-block:: python

        with open("report.parquet", "wb") as target, ParquetWriter(target, columns) as writer:
            for row in rows:
                writer.write(row)
    """

    def __init__(
        self, target: IO[bytes], columns: Sequence[Column], *, batch_rows: int = _PARQUET_BATCH_ROWS
    ) -> None:
        super().__init__(target, columns)
        self._pa = _import_pyarrow()
        self._kinds = tuple(column.kind for column in columns)
        self._schema = self._pa.schema([(column.name, self._arrow_type(column.kind)) for column in columns])
        # Money is almost never repeated: a dictionary for a DECIMAL column only costs memory while
        # the row group is written, then falls back to plain (W3: the file is 10.5 % smaller without).
        dictionary = [column.name for column in columns if column.kind is not ColumnKind.DECIMAL]
        self._writer = _open_parquet(target, self._schema, dictionary)
        self._batch_rows = max(1, batch_rows)
        self._slice_rows = min(self._batch_rows, _PARQUET_SLICE_ROWS)
        self._columns: list[list[Any]] = [[] for _ in columns]
        # Python objects cost ~10x their Arrow size: rows become Arrow arrays a slice at a time and
        # a row group is written from the slices, so the row groups stay as large as before.
        self._slices: list[Any] = []
        self._sliced = 0

    def _arrow_type(self, kind: ColumnKind) -> Any:
        pa = self._pa
        types = {
            ColumnKind.DATE: pa.date32(),
            ColumnKind.LONG: pa.int64(),
            ColumnKind.DOUBLE: pa.float64(),
            ColumnKind.DECIMAL: pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
            ColumnKind.TIMESTAMP: pa.timestamp("us", tz="UTC"),
            ColumnKind.BOOLEAN: pa.bool_(),
        }
        return types.get(kind, pa.string())

    def write(self, row: ReportRow) -> None:
        """Buffer one row; a full batch is written as a row group."""
        for slot, name, kind in zip(self._columns, self._names, self._kinds, strict=True):
            value = row.get(name)
            slot.append(value if kind is not ColumnKind.RAW or value is None else str(_text(value)))
        self._rows_written += 1
        if len(self._columns[0]) >= min(self._slice_rows, self._batch_rows - self._sliced):
            self._slice()
            if self._sliced >= self._batch_rows:
                self._flush()

    def _slice(self) -> None:
        """Turn the buffered rows into one Arrow record batch (kept until the row group is full)."""
        if not self._columns[0]:
            return
        try:
            arrays = [
                self._pa.array(values, type=field.type)
                for values, field in zip(self._columns, self._schema, strict=True)
            ]
        except self._pa.ArrowInvalid as err:  # e.g. more fraction digits than DECIMAL_SCALE: never round
            raise ConfigurationError(
                f"output_format: a value does not fit its Parquet column exactly ({err}); use jsonl or csv",
                argument="output_format",
            ) from err
        self._slices.append(self._pa.RecordBatch.from_arrays(arrays, schema=self._schema))
        self._sliced += len(self._columns[0])
        for slot in self._columns:
            slot.clear()

    def _flush(self) -> None:
        """Write the slices as one row group."""
        self._slice()
        if not self._slices:
            return
        table = self._pa.Table.from_batches(self._slices, schema=self._schema)
        self._writer.write_table(table, row_group_size=self._sliced)
        self._slices.clear()
        self._sliced = 0

    def _finish(self) -> None:
        self._flush()
        self._writer.close()


#: Arrow reads this variable once, while ``pyarrow`` loads, to choose the allocator of its buffers.
_ARROW_POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"
_PYARROW_IMPORT = threading.Lock()


def _import_pyarrow() -> Any:
    """Import ``pyarrow``; the first import in the process puts Arrow on the C library's allocator.

    pyarrow's wheels allocate from a bundled mimalloc by default. In this process the answers and
    rows live in glibc's heap, so a second allocator keeps a reserve of its own beside glibc's free
    memory: writing W3 as Parquet peaked at 127-130 MiB of RSS with mimalloc and at 118-119 MiB with
    Arrow's ``system`` pool (``benchmarks/run.py --workloads W3 --format parquet``; same bytes, same
    speed). Arrow takes the choice from ``ARROW_DEFAULT_MEMORY_POOL`` once, while it loads, so the
    variable is set for the import only and the environment is left as it was. A value already set
    (``mimalloc``, ``jemalloc``) is honoured, and when something else loaded pyarrow first (pandas
    does, when installed and imported) its choice stands.
    """
    with _PYARROW_IMPORT:  # the variable must not be restored by one writer while another imports
        choose = "pyarrow" not in sys.modules and _ARROW_POOL_VARIABLE not in os.environ
        if choose:
            os.environ[_ARROW_POOL_VARIABLE] = "system"
        try:
            import pyarrow  # optional dependency, imported only when Parquet is asked for
        except ImportError as err:
            raise _pyarrow_missing() from err
        finally:
            if choose:
                del os.environ[_ARROW_POOL_VARIABLE]
    return pyarrow


def _pyarrow_missing() -> ConfigurationError:
    return ConfigurationError(
        "output format 'parquet' needs pyarrow with Parquet support: "
        "pip install 'airflow-provider-linkedin-ads[parquet]'",
        argument="output_format",
    )


#: What ``pyarrow.parquet.ParquetWriter`` passes to its engine by default, spelled out so that both
#: write the same bytes (a test compares them).
_PARQUET_OPTIONS: dict[str, Any] = {
    "version": "2.6",
    "compression": "snappy",
    "write_statistics": True,
    "use_deprecated_int96_timestamps": False,
    "writer_engine_version": "V2",
    "data_page_version": "1.0",
}


def _open_parquet(target: IO[bytes], schema: Any, dictionary_columns: list[str]) -> Any:
    """Open pyarrow's Parquet engine on ``target``, dictionary-encoding only ``dictionary_columns``.

    ``pyarrow.parquet`` is a wrapper that also imports ``pyarrow.fs`` (its S3, GCS, Azure and HDFS
    modules: 10 MiB of RSS and 37 ms) to resolve paths; a file object needs none of it, so the
    engine class it wraps is used directly, with the wrapper's own defaults. Should a pyarrow
    release move or change that class, the public wrapper is used instead.
    """
    options = {**_PARQUET_OPTIONS, "use_dictionary": dictionary_columns}
    try:
        from pyarrow._parquet import ParquetWriter as Engine

        return Engine(target, schema, **options)
    except (ImportError, TypeError):  # moved, or takes other arguments in this pyarrow release
        pass
    try:
        import pyarrow.parquet as parquet
    except ImportError as err:  # a pyarrow built without Parquet (conda's pyarrow-core)
        raise _pyarrow_missing() from err
    return parquet.ParquetWriter(target, schema, **options)


def open_writer(
    output_format: str, target: IO[bytes], columns: Sequence[Column], *, csv_escape_formulas: bool = True
) -> RowWriter:
    """Return the writer for ``output_format`` (``jsonl``, ``csv`` or ``parquet``).

    :param csv_escape_formulas: CSV only: neutralise formula-like text cells (see :class:`CsvWriter`).
    :raises ConfigurationError: for another format, naming ``output_format``.
    """
    name = (output_format or "").strip().lower()
    if name in ("jsonl", "json", "ndjson"):
        return JsonLinesWriter(target, columns)
    if name == "csv":
        return CsvWriter(target, columns, escape_formulas=csv_escape_formulas)
    if name == "parquet":
        return ParquetWriter(target, columns)
    raise ConfigurationError(
        f"output_format: {output_format!r} is not one of {', '.join(FORMATS)}", argument="output_format"
    )


def write_rows(
    rows: Iterable[ReportRow],
    target: IO[bytes],
    columns: Sequence[Column],
    *,
    output_format: str = "jsonl",
    csv_escape_formulas: bool = True,
) -> int:
    """Stream ``rows`` to ``target`` in ``output_format``; return the number of rows written.

    The writer is closed (flushed) when the rows are exhausted; ``target`` stays open.

    :param csv_escape_formulas: CSV only: neutralise formula-like text cells (see :class:`CsvWriter`).
    """
    writer = open_writer(output_format, target, columns, csv_escape_formulas=csv_escape_formulas)
    try:
        for row in rows:
            writer.write(row)
    finally:
        writer.close()
    return writer.rows_written
