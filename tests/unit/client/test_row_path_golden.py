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
    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=("2026-01-01", "2026-01-31"),
        facets={"accounts": [1]},
        metrics=["clicks", "costInUsd", "averageDwellTime"],
    )
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
    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=("2026-01-01", "2026-01-31"),
        facets={"accounts": [1]},
        metrics=["clicks", "costInUsd", "averageDwellTime"],
    )
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
