"""The fast row path (issue 12) lands byte for byte what the straightforward path landed.

The reference below is the row path as it was before the speed work, written with the public
per-element functions: :func:`parse_element` for every element, a plain outer join (zeros for a row a
chunk left out), :func:`row_sort_key` per row, and a JSON Lines writer that runs ``_text`` on every
cell. A realistic report (the emulator's world, 40 metrics in three field chunks) and a hand-made
answer full of irregular but accepted values must give identical bytes; irregular refused values must
give the same error as :func:`parse_element`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest

from airflow_provider_linkedin_ads.client.planning import FieldChunk, chunk_metrics
from airflow_provider_linkedin_ads.client.responses import decode_json, elements_of
from airflow_provider_linkedin_ads.client.rows import ChunkJoin, parse_element, row_sort_key
from airflow_provider_linkedin_ads.client.writers import JsonLinesWriter, write_rows
from airflow_provider_linkedin_ads.enums import Pivot
from airflow_provider_linkedin_ads.errors import RestliError
from airflow_provider_linkedin_ads.metrics import METRICS
from airflow_provider_linkedin_ads.models import DateRange, ReportRequest
from airflow_provider_linkedin_ads.results import ColumnKind, ReportRow, report_columns
from airflow_provider_linkedin_ads.testing import World
from airflow_provider_linkedin_ads.testing.query import ReportQuery
from airflow_provider_linkedin_ads.testing.responses import encode_json

#: Every test here runs on the standard library encoder and, when installed, on orjson.
pytestmark = pytest.mark.usefixtures("json_encoder")

_ZERO = {ColumnKind.LONG: 0, ColumnKind.DOUBLE: 0.0, ColumnKind.DECIMAL: Decimal("0.0")}


def _reference_rows(
    request: ReportRequest, answers: list[tuple[FieldChunk, list[dict[str, Any]]]]
) -> list[ReportRow]:
    columns = report_columns(request)
    kinds = {column.name: column.kind for column in columns}
    joined: dict[Any, dict[str, Any]] = {}
    for chunk, elements in answers:
        metrics = [(name, kinds[name]) for name in chunk.metrics]
        for item in elements:
            key, values = parse_element(item, metrics, pivot_count=len(request.pivots), revenue=False)
            joined.setdefault(key, {}).update(zip(chunk.metrics, values, strict=True))
    rows = []
    for key in sorted(joined, key=row_sort_key):
        start, end, pivots = key
        row: dict[str, Any] = {"start_date": start, "end_date": end}
        row.update(zip(request.pivot_columns, pivots, strict=True))
        for name in request.metrics:
            row[name] = joined[key].get(name, _ZERO.get(kinds[name]))
        rows.append(row)
    return rows


def _reference_jsonl(rows: list[ReportRow], request: ReportRequest) -> bytes:
    def text(value: object) -> object:
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    names = [column.name for column in report_columns(request)]
    lines = [
        json.dumps({name: text(row.get(name)) for name in names}, ensure_ascii=False, separators=(",", ":"))
        for row in rows
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _fast_jsonl(request: ReportRequest, answers: list[tuple[FieldChunk, list[dict[str, Any]]]]) -> bytes:
    join = ChunkJoin(request)
    for chunk, elements in answers:
        join.add(chunk, elements, window=request.date_range)
    target = io.BytesIO()
    write_rows(join.rows(), target, report_columns(request))
    return target.getvalue()


def _world_report() -> tuple[ReportRequest, list[tuple[FieldChunk, list[dict[str, Any]]]]]:
    world = World(accounts=2, campaigns_per_account=30, creatives_per_campaign=2, seed=11)
    end = world.today - dt.timedelta(days=1)
    metrics = [
        metric.name for metric in METRICS.values() if metric.additive and not metric.needs_entity_pivot
    ]
    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=(end - dt.timedelta(days=20), end),
        facets={"accounts": list(world.accounts)},
        metrics=metrics[:40],
    )
    now = dt.datetime.combine(world.today, dt.time(12), tzinfo=dt.UTC)
    answers = []
    for chunk in chunk_metrics(request):
        query = ReportQuery(
            finder=request.finder,
            pivots=(Pivot.CAMPAIGN,),
            granularity=request.time_granularity,
            start=request.date_range.start,
            end=request.date_range.end,
            facets={name: tuple(values) for name, values in request.facets.items()},
            fields=chunk.fields,
            visible_accounts=frozenset(world.accounts),
        )
        body = encode_json({"elements": world.answer(query, now=now), "paging": {"start": 0, "count": 10}})
        answers.append((chunk, elements_of(decode_json(body, 200), resource="adAnalytics")))
    return request, answers


def test_emulator_report_lands_byte_identical_json_lines() -> None:
    request, answers = _world_report()
    assert len(answers) == 3
    assert sum(len(elements) for _, elements in answers) > 1_000
    # LinkedIn leaves out a row whose requested metrics are all zero: the zero fill across chunks.
    chunk, elements = answers[-1]
    answers[-1] = (chunk, elements[::7])
    expected = _reference_jsonl(_reference_rows(request, answers), request)
    assert _fast_jsonl(request, answers) == expected


def _day(day: int) -> dict[str, int]:
    return {"year": 2026, "month": 1, "day": day}


def _irregular(day: int, urn: str, **metrics: Any) -> dict[str, Any]:
    return {"dateRange": {"start": _day(day), "end": _day(day)}, "pivotValues": [urn], **metrics}


IRREGULAR = [
    # the regular shape: decimal string, long, JSON fraction (Decimal after decode_json) for a double
    _irregular(
        2, "urn:li:sponsoredCampaign:10", costInUsd="1.50", clicks=3, averageDwellTime=Decimal("0.25")
    ),
    # accepted through the slow path: long as a string, decimal as a number, double as an integer
    _irregular(2, "urn:li:sponsoredCampaign:9", costInUsd=Decimal("2.125"), clicks="7", averageDwellTime=4),
    # absent metrics stay null; 64-bit bounds; a decimal in exponent notation is written positionally
    _irregular(1, "urn:li:sponsoredCampaign:11", clicks=-(2**63), costInUsd="1E-7"),
    _irregular(1, "urn:li:sponsoredCampaign:12", clicks=2**63 - 1, costInUsd=" 3.0 "),
    # numeric ids compare as numbers, leading zeros tie (stable order), and text sorts after numbers
    _irregular(3, "urn:li:sponsoredCampaign:7", clicks=2),
    _irregular(3, "urn:li:sponsoredCampaign:007", clicks=1),
    _irregular(3, "urn:li:sponsoredCampaign:abc", clicks=3),
    # a date given as text, a date record with extra fields: accepted as before
    {"dateRange": {"start": {"year": "2026", "month": 1, "day": 4}, "end": _day(4)}, "pivotValues": ["x:1"]},
    {"dateRange": {"start": {**_day(5), "extra": 1}, "end": _day(5)}, "pivotValues": ["x:1"], "clicks": 1},
]


def test_irregular_accepted_values_land_byte_identical() -> None:
    request = _small_request(["clicks", "costInUsd", "averageDwellTime"])  # a long, a decimal, a double
    (chunk,) = chunk_metrics(request)
    answers = [(chunk, IRREGULAR)]
    assert _fast_jsonl(request, answers) == _reference_jsonl(_reference_rows(request, answers), request)


@pytest.mark.parametrize(
    "item",
    [
        pytest.param(_irregular(1, "u:1", clicks=1.5, costInUsd="x"), id="first-bad-metric-wins"),
        pytest.param(_irregular(1, "u:1", clicks=True), id="boolean-long"),
        pytest.param(_irregular(1, "u:1", clicks=2**63), id="long-beyond-64-bits"),
        pytest.param(_irregular(1, "u:1", costInUsd="NaN"), id="decimal-nan"),
        pytest.param(_irregular(1, "u:1", averageDwellTime=Decimal("1E+400")), id="double-overflow"),
        pytest.param(
            {
                "dateRange": {"start": {"year": 2026, "month": 2, "day": 30}, "end": _day(1)},
                "pivotValues": ["u:1"],
            },
            id="invalid-date",
        ),
        pytest.param(
            {**_irregular(1, "u:1", clicks="x"), "dateRange": {"start": {"year": [2026]}, "end": _day(1)}},
            id="bad-metric-before-bad-date",
        ),
        pytest.param({**_irregular(1, "u:1"), "pivotValues": [1]}, id="pivot-not-a-string"),
    ],
)
def test_refused_values_give_the_error_of_parse_element(item: dict[str, Any]) -> None:
    request = _small_request(["clicks", "costInUsd", "averageDwellTime"])  # a long, a decimal, a double
    (chunk,) = chunk_metrics(request)
    kinds = {column.name: column.kind for column in report_columns(request)}
    with pytest.raises(RestliError) as expected:
        parse_element(item, [(name, kinds[name]) for name in chunk.metrics], pivot_count=1, revenue=False)
    with pytest.raises(RestliError) as raised:
        ChunkJoin(request).parse(
            chunk,
            [_irregular(1, "u:0", clicks=1), item],
            window=DateRange(dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        )
    assert str(raised.value).endswith(str(expected.value))


def test_writer_converts_decimals_and_dates_in_any_column_and_rows_in_any_key_order() -> None:
    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=("2026-01-01", "2026-01-31"),
        facets={"accounts": [1]},
        metrics=["clicks", "costInUsd"],
    )
    columns = report_columns(request)
    rows: list[ReportRow] = [
        # the engine's shape: every column, in order
        {
            "start_date": dt.date(2026, 1, 1),
            "end_date": dt.date(2026, 1, 1),
            "campaign": "c:1",
            "clicks": 1,
            "costInUsd": Decimal("1E-7"),
        },
        # another order, a missing column, a Decimal where a long would be, a datetime for a date
        {
            "costInUsd": None,
            "clicks": Decimal("5.0"),
            "campaign": "=c",
            "start_date": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
        },
    ]
    target = io.BytesIO()
    with JsonLinesWriter(target, columns) as writer:
        for row in rows:
            writer.write(row)
    assert target.getvalue() == _reference_jsonl(rows, request)
    assert target.getvalue().splitlines()[1] == (
        b'{"start_date":"2026-01-02T03:04:00+00:00","end_date":null,"campaign":"=c","clicks":"5.0","costInUsd":null}'
    )


# ── the bulk fast paths (answer checks in C, rows at their zeros, the writer's encoder built once) ──


def _small_request(metrics: list[str]) -> ReportRequest:
    return ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=("2026-01-01", "2026-01-31"),
        facets={"accounts": [1]},
        metrics=metrics,
    )


def _typed_report() -> tuple[ReportRequest, list[tuple[FieldChunk, list[dict[str, Any]]]]]:
    """Longs, decimals and doubles over two chunks; the second chunk leaves rows out (all zero)."""
    metrics = ["impressions", *[f"m{i}" for i in range(17)], "costInUsd", "averageDwellTime", "clicks"]
    request = _request_allowing_unknown(metrics)
    first, second = chunk_metrics(request)
    a = [
        _irregular(day, f"urn:li:sponsoredCampaign:{campaign}", impressions=day * campaign, m0=1)
        for day in (1, 2, 3)
        for campaign in (9, 10, 1000)
    ]
    b = [
        _irregular(2, "urn:li:sponsoredCampaign:10", costInUsd="-0.000001", averageDwellTime=Decimal("2.5")),
        _irregular(3, "urn:li:sponsoredCampaign:9", clicks=2**63 - 1, costInUsd="12345678901234.5678901"),
        _irregular(4, "urn:li:sponsoredCampaign:7", clicks=0, costInUsd="1E-7", averageDwellTime=3),
    ]
    return request, [(first, a), (second, b)]


def _request_allowing_unknown(metrics: list[str]) -> ReportRequest:
    """A report whose ``m<n>`` metrics are unknown (RAW): they fill field chunks and stay absent."""
    return ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=("2026-01-01", "2026-01-31"),
        facets={"accounts": [1]},
        metrics=metrics,
        allow_unknown_names=True,
    )


def _cases() -> dict[str, tuple[ReportRequest, list[tuple[FieldChunk, list[dict[str, Any]]]]]]:
    request, answers = _typed_report()
    empty: list[tuple[FieldChunk, list[dict[str, Any]]]] = [(chunk, []) for chunk, _ in answers]
    single = [(answers[0][0], answers[0][1][:1]), (answers[1][0], [])]
    return {"typed": (request, answers), "empty": (request, empty), "single-row": (request, single)}


@pytest.mark.parametrize("case", ["typed", "empty", "single-row"])
@pytest.mark.parametrize("output_format", ["jsonl", "csv", "parquet"])
def test_every_format_lands_the_reference_rows(case: str, output_format: str) -> None:
    request, answers = _cases()[case]
    join = ChunkJoin(request)
    for chunk, elements in answers:
        join.add(chunk, elements, window=request.date_range)
    reference = _reference_rows(request, answers)
    fast, slow = io.BytesIO(), io.BytesIO()
    written = write_rows(join.rows(), fast, report_columns(request), output_format=output_format)
    write_rows(reference, slow, report_columns(request), output_format=output_format)
    assert written == len(reference) == {"typed": 10, "empty": 0, "single-row": 1}[case]
    assert fast.getvalue() == slow.getvalue()
    if output_format == "jsonl":
        assert fast.getvalue() == _reference_jsonl(reference, request)


def test_typed_rows_keep_exact_types_and_zero_fill_across_chunks() -> None:
    request, answers = _typed_report()
    join = ChunkJoin(request)
    for chunk, elements in answers:
        join.add(chunk, elements, window=request.date_range)
    rows = {(row["start_date"].day, row["campaign"]): row for row in join.rows()}  # type: ignore[union-attr]
    left_out = rows[(1, "urn:li:sponsoredCampaign:9")]  # only the first chunk answered for it
    assert (left_out["costInUsd"], left_out["averageDwellTime"], left_out["clicks"]) == (
        Decimal("0.0"),
        0.0,
        0,
    )
    assert type(left_out["averageDwellTime"]) is float
    assert type(left_out["clicks"]) is int
    assert rows[(3, "urn:li:sponsoredCampaign:9")]["clicks"] == 2**63 - 1
    assert str(rows[(3, "urn:li:sponsoredCampaign:9")]["costInUsd"]) == "12345678901234.5678901"
    late = rows[(4, "urn:li:sponsoredCampaign:7")]  # only the second chunk answered for it
    assert (late["impressions"], late["m0"], late["averageDwellTime"]) == (0, None, 3.0)  # m0: unknown type


def test_one_irregular_element_among_regular_ones_is_read_as_before() -> None:
    request = _small_request(["clicks", "costInUsd", "averageDwellTime"])
    (chunk,) = chunk_metrics(request)
    elements = [
        _irregular(1 + n % 28, f"urn:li:sponsoredCampaign:{n}", clicks=n, costInUsd=f"{n}.5")
        for n in range(500)
    ]
    elements[250] = _irregular(9, "urn:li:sponsoredCampaign:250", clicks="7", costInUsd=2, averageDwellTime=1)
    answers = [(chunk, elements)]
    assert _fast_jsonl(request, answers) == _reference_jsonl(_reference_rows(request, answers), request)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"clicks": 2**63}, id="long-beyond-64-bits"),
        pytest.param({"clicks": False}, id="boolean-long"),
        pytest.param({"costInUsd": "Infinity"}, id="decimal-infinity"),
        pytest.param({"costInUsd": 1.5}, id="decimal-as-float"),
        pytest.param({"averageDwellTime": Decimal("NaN")}, id="double-nan"),
        pytest.param({"averageDwellTime": "1.5"}, id="double-as-string"),
    ],
)
def test_one_bad_cell_among_regular_rows_fails_or_passes_as_parse_element(bad: dict[str, Any]) -> None:
    request = _small_request(["clicks", "costInUsd", "averageDwellTime"])
    (chunk,) = chunk_metrics(request)
    kinds = {column.name: column.kind for column in report_columns(request)}
    item = _irregular(5, "urn:li:sponsoredCampaign:77", **bad)
    elements = [_irregular(1, f"u:{n}", clicks=n, costInUsd="1.0") for n in range(50)] + [item]
    metrics = [(name, kinds[name]) for name in chunk.metrics]
    expected = _outcome(lambda: parse_element(item, metrics, pivot_count=1, revenue=False))
    actual = _outcome(lambda: ChunkJoin(request).parse(chunk, elements, window=request.date_range)[-1])
    if isinstance(expected, RestliError):
        assert isinstance(actual, RestliError)
        assert str(actual).endswith(str(expected))  # the same first error, with the window and chunk
    else:  # accepted by parse_element (e.g. a decimal sent as a JSON float): the same values
        assert actual == expected


def _outcome(call: Any) -> object:
    try:
        return call()
    except RestliError as err:
        return err


@pytest.mark.parametrize("truncated_first", [True, False])
def test_truncated_answer_leaves_its_missing_rows_absent_whatever_the_order(truncated_first: bool) -> None:
    request = _request_allowing_unknown(["impressions", *[f"m{i}" for i in range(17)], "clicks", "costInUsd"])
    first, second = chunk_metrics(request)
    join = ChunkJoin(request)
    complete = [_irregular(1, "u:1", impressions=5), _irregular(1, "u:2", impressions=7)]
    truncated = [
        _irregular(1, "u:2", clicks=1, costInUsd="1.5"),
        _irregular(1, "u:3", clicks=2, costInUsd="2.5"),
    ]
    steps = [(first, complete, True), (second, truncated, False)]
    for chunk, elements, whole in steps[::-1] if truncated_first else steps:
        join.merge(chunk, join.parse(chunk, elements), complete=whole)
    rows = list(join.rows())
    assert [row["campaign"] for row in rows] == ["u:1", "u:2", "u:3"]
    assert [(row["clicks"], row["costInUsd"]) for row in rows] == [
        (None, None),  # the truncated answer lacks it: unknown, not zero
        (1, Decimal("1.5")),
        (2, Decimal("2.5")),
    ]
    assert [row["impressions"] for row in rows] == [5, 7, 0]  # the complete answer left u:3 out: zero


def test_a_chunk_answered_in_parts_one_truncated_keeps_the_other_parts_rows() -> None:
    request = _request_allowing_unknown(["impressions", *[f"m{i}" for i in range(17)], "clicks"])
    first, second = chunk_metrics(request)
    join = ChunkJoin(request)
    join.add(first, [_irregular(1, "u:1", impressions=1), _irregular(2, "u:1", impressions=2)])
    join.merge(second, join.parse(second, [_irregular(1, "u:1", clicks=3)]), complete=True)
    join.merge(second, join.parse(second, []), complete=False)  # day 2's part, truncated to nothing
    assert [row["clicks"] for row in join.rows()] == [3, None]


def test_json_lines_encoder_built_once_writes_what_json_dumps_writes() -> None:
    request = _small_request(["clicks", "averageDwellTime"])
    texts = ['quote " and \\ backslash', "tab\tnew\nline\x00nul", "é ü 中文 🚀", "\u2028\u2029", "</script>"]
    rows: list[ReportRow] = [
        {
            "start_date": dt.date(2026, 1, n + 1),
            "end_date": None,
            "campaign": text,
            "clicks": -n,
            "averageDwellTime": 1 / 3,
        }
        for n, text in enumerate(texts)
    ]
    target = io.BytesIO()
    assert write_rows(rows, target, report_columns(request)) == len(rows)
    assert target.getvalue() == _reference_jsonl(rows, request)


def test_json_lines_writer_refuses_nan_and_goes_on_cleanly() -> None:
    request = _small_request(["clicks", "averageDwellTime"])
    columns = report_columns(request)
    good: ReportRow = {
        "start_date": None,
        "end_date": None,
        "campaign": "c",
        "clicks": 1,
        "averageDwellTime": 0.5,
    }
    target = io.BytesIO()
    writer = JsonLinesWriter(target, columns)
    writer.write(good)
    with pytest.raises(ValueError, match="JSON compliant"):
        writer.write({**good, "averageDwellTime": float("nan")})
    writer.write(good)  # the encoder refused one row; the next is written as before
    writer.close()
    assert target.getvalue() == _reference_jsonl([good, good], request)
    assert writer.rows_written == 2
