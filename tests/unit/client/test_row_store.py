"""How ``ChunkJoin`` holds the rows waiting to be written: compact, and the same rows as before.

* A chunk holding every metric keeps its parsed values as the row (no list per row); a later part
  of only some metrics (not what the engine sends, but allowed) still merges correctly.
* Equal pivot values share one tuple across answers, within a bounded cache.
* ``ChunkJoin.read`` (batches) gives the rows, element count and first error of ``parse``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from airflow_provider_linkedin_ads.client import rows as rows_module
from airflow_provider_linkedin_ads.client.planning import FieldChunk, chunk_metrics
from airflow_provider_linkedin_ads.client.rows import ChunkJoin
from airflow_provider_linkedin_ads.errors import RestliError
from tests.unit.client.test_rows import _window, element, request_with

METRICS = ["impressions", "clicks", "costInUsd"]


def _chunk(names: list[str], index: int = 0) -> FieldChunk:
    return FieldChunk(index, tuple(names), ("dateRange", "pivotValues", *names))


def test_a_whole_row_chunk_then_a_partial_one_merge_as_lists_would() -> None:
    request = request_with(METRICS)
    join = ChunkJoin(request)
    (whole,) = chunk_metrics(request)
    join.add(whole, [element(1, 1, impressions=5, clicks=2, costInUsd="1.5"), element(2, 1, impressions=1)])
    join.add(_chunk(["clicks"], 1), [element(1, 1, clicks=9), element(3, 1, clicks=4)])
    got = [
        (row["start_date"].day, row["impressions"], row["clicks"], row["costInUsd"]) for row in join.rows()
    ]
    assert got == [(1, 5, 9, Decimal("1.5")), (2, 1, None, None), (3, 0, 4, Decimal("0.0"))]


def test_a_later_whole_row_part_wins_on_a_duplicate_key() -> None:
    request = request_with(METRICS)
    join = ChunkJoin(request)
    (whole,) = chunk_metrics(request)
    join.add(whole, [element(1, 1, impressions=5, clicks=2, costInUsd="1.5")])
    join.add(whole, [element(1, 1, impressions=6, clicks=3, costInUsd="2.5")])
    assert [(row["impressions"], row["clicks"], row["costInUsd"]) for row in join.rows()] == [
        (6, 3, Decimal("2.5"))
    ]


def test_equal_pivot_values_share_one_tuple_and_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    request = request_with(METRICS)
    join = ChunkJoin(request)
    (chunk,) = chunk_metrics(request)
    first = join.parse(chunk, [element(1, 1, impressions=1), element(1, 2, impressions=1)])
    second = join.parse(chunk, [element(2, 1, impressions=1)])
    assert first[0][0][2] is second[0][0][2]
    monkeypatch.setattr(rows_module, "_PIVOT_CACHE", 1)
    third = join.parse(chunk, [element(3, 1, impressions=1)])  # the cache (2 values) starts over
    assert third[0][0][2] == first[0][0][2]
    assert third[0][0][2] is not first[0][0][2]


def test_read_in_batches_equals_parse_of_the_whole_answer() -> None:
    request = request_with(METRICS)
    join = ChunkJoin(request)
    (chunk,) = chunk_metrics(request)
    elements = [
        element(day, campaign, impressions=day, costInUsd="0.25") for day in (1, 2) for campaign in (1, 2, 3)
    ]
    window = _window("2026-01-01", "2026-01-31")
    answer = join.read(chunk, [elements[:4], elements[4:]], window=window)
    assert answer.elements == 6
    assert answer.rows() == join.parse(chunk, elements, window=window)


def test_read_keeps_the_first_error_and_still_consumes_every_batch() -> None:
    request = request_with(METRICS)
    join = ChunkJoin(request)
    (chunk,) = chunk_metrics(request)
    bad = [element(1, 1, impressions=1), element(1, 2, impressions=1.5)]
    consumed: list[int] = []

    def batches() -> object:
        for batch in ([element(1, 3)], bad, [element(2, 1, impressions="x")]):
            consumed.append(len(batch))
            yield batch

    answer = join.read(chunk, batches(), window=_window("2026-01-01", "2026-01-31"))  # type: ignore[arg-type]
    assert consumed == [1, 2, 1]
    assert answer.elements == 4
    with pytest.raises(RestliError) as caught:
        answer.rows()
    with pytest.raises(RestliError) as whole:
        join.parse(
            chunk,
            [element(1, 3), *bad, element(2, 1, impressions="x")],
            window=_window("2026-01-01", "2026-01-31"),
        )
    assert str(caught.value) == str(whole.value)
