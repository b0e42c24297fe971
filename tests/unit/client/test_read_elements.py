"""Answers read in batches (``read_elements``): the values and errors of ``decode_json`` + ``elements_of``.

The report engine never decodes a whole ``adAnalytics`` answer into one tree: its elements are
decoded and parsed a batch at a time. These tests pin that the batches really are bounded, that
every element is the value the whole-body decoder gives, and that every irregular body ends with
exactly the outcome (value, or error type, message and retry class) of the whole-body path.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client import LinkedInAdsClient
from airflow_provider_linkedin_ads.client.budget import MetricValueBudget
from airflow_provider_linkedin_ads.client.fetching import Fetcher
from airflow_provider_linkedin_ads.client.responses import decode_json, elements_of, read_elements
from airflow_provider_linkedin_ads.errors import RestliError, TransportError
from tests.unit.client.conftest import FakeClock, Reply, ScriptedServer, Sleeper, make_config

if TYPE_CHECKING:
    import threading

ANALYTICS = "/rest/adAnalytics"


def _body(count: int, **extra: Any) -> bytes:
    elements = [
        {
            "dateRange": {
                "start": {"year": 2026, "month": 1, "day": 1},
                "end": {"year": 2026, "month": 1, "day": 1},
            },
            "pivotValues": [f"urn:li:sponsoredCreative:{index}"],
            "impressions": index,
            "costInUsd": "1.50",
            "averageDwellTime": 2.25,
        }
        for index in range(count)
    ]
    return json.dumps(
        {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements, **extra}
    ).encode()


def _batches(content: bytes, batch: int = 100) -> list[list[dict[str, Any]]]:
    return read_elements(content, 200, list, resource="adAnalytics", batch=batch)


def _whole(content: bytes) -> list[dict[str, Any]]:
    return elements_of(decode_json(content, 200), resource="adAnalytics")


def test_elements_come_in_bounded_batches_equal_to_the_whole_decode() -> None:
    body = _body(1_234)
    batches = _batches(body, batch=100)
    assert [len(batch) for batch in batches] == [100] * 12 + [34]  # never the whole list at once
    flat = [element for batch in batches for element in batch]
    assert flat == _whole(body)
    assert type(flat[0]["averageDwellTime"]) is Decimal  # fractions as decode_json decodes them


def test_batches_reach_the_reader_before_the_body_is_decoded_to_its_end() -> None:
    seen: list[int] = []

    def read(batches: Any) -> int:
        for batch in batches:
            seen.append(len(batch))
        return len(seen)

    body = _body(300)
    cut = body[: len(body) - 40]  # cut inside the last element: decoding fails only at the end
    with pytest.raises(TransportError):
        read_elements(cut, 200, read, resource="adAnalytics", batch=50)
    assert seen[:5] == [50] * 5  # the first batches were handed over while the rest was unread


IRREGULAR = {
    "empty": b"",
    "blank": b"  \n",
    "empty object": b"{}",
    "no elements": b'{"paging": {}}',
    "elements not a list": b'{"elements": {"a": 1}}',
    "non-object element": b'{"elements": [{"a": 1}, 2]}',
    "cut in an element": b'{"elements": [{"a": 1}, {"b": "tex',
    "cut after the elements": b'{"elements": [{"a": 1}], "paging": {"st',
    "cut after a comma": b'{"elements": [{"a": 1},',
    "trailing data": b'{"elements": [{"a": 1}]} {}',
    "trailing comma": b'{"elements": [{"a": 1},]}',
    "two elements keys": b'{"elements": [{"a": 1}], "elements": [{"b": 2}]}',
    "not an object": b'[{"a": 1}]',
    "deep nesting": b'{"elements": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
    "bad number": b'{"elements": [{"a": 1' + b"0" * 5_000 + b"}]}",
    "utf-16": '{"elements": [{"a": 1}]}'.encode("utf-16"),
    "utf-8 with BOM": b'\xef\xbb\xbf{"elements": [{"a": 1}]}',
    "invalid utf-8": b'{"elements": [{"a": "\xff"}], "x": 1}',
    "utf-8 cut in a character": '{"elements": [{"a": "é'.encode()[:-1],
    "NaN": b'{"elements": [{"a": NaN}]}',
    "whitespace everywhere": b' \r\n{ "elements" :\t[ { "a" : 1 } , { } ] , "x" : [ ] }\n ',
    "empty elements": b'{"elements": []}',
}


def _outcome(action: Any) -> tuple[str, Any]:
    try:
        return "value", action()
    except Exception as err:  # the type, message and position are the outcome
        return type(err).__name__, (str(err), getattr(err, "position", None))


@pytest.mark.parametrize("content", IRREGULAR.values(), ids=IRREGULAR.keys())
def test_every_body_ends_as_the_whole_decode_would(content: bytes) -> None:
    def flat() -> list[dict[str, Any]]:
        return [element for batch in _batches(content, batch=1) for element in batch]

    assert _outcome(flat) == _outcome(lambda: _whole(content))


def test_a_cut_body_stays_retryable_and_a_malformed_one_does_not() -> None:
    with pytest.raises(TransportError):
        _batches(b'{"elements": [{"a": 1}, {"b": 2')
    with pytest.raises(RestliError):
        _batches(b'{"elements": [{"a": 1}] x')


def test_read_finder_retries_a_body_cut_mid_way(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    body = _body(400)
    server.script(ANALYTICS, Reply(200, body, action="cut"), Reply(200, body))
    with LinkedInAdsClient(make_config(server), sleep=sleeper, clock=clock) as client:
        batches = client.read_finder(
            "adAnalytics",
            "analytics",
            [("pivot", "CREATIVE")],
            lambda content, status: read_elements(content, status, list, resource="adAnalytics", batch=64),
        )
    assert len(server.requests_to(ANALYTICS)) == 2
    assert [element for batch in batches for element in batch] == _whole(body)
    assert max(map(len, batches)) == 64


class _Counted:
    def __init__(self, batches: Any, inside: list[bool], lock: threading.Lock) -> None:
        inside.append(lock.locked())
        self.elements = sum(map(len, batches))


def test_fetcher_reads_one_answer_at_a_time_and_counts_its_elements(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.default(ANALYTICS, Reply(200, _body(250)))
    with LinkedInAdsClient(make_config(server), sleep=sleeper, clock=clock) as client:
        fetcher = Fetcher(client, MetricValueBudget(), finder="analytics", row_cap=15_000)
        inside: list[bool] = []
        answers = [
            fetcher.read(
                [("pivot", "CREATIVE")],
                lambda batches: _Counted(batches, inside, fetcher._decoding),
                fields=5,
                estimate_rows=300,
            )
            for _ in range(2)
        ]
    assert [answer.elements for answer in answers] == [250, 250]
    assert inside == [True, True]  # read under the fetcher's decoding lock
    assert fetcher.calls == 2
    assert fetcher.metric_values == 2 * 5 * 250
