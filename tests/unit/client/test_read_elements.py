"""Answers read in batches (``read_elements``): the values and errors of ``decode_json`` + ``elements_of``.

The report engine never decodes a whole ``adAnalytics`` answer into one tree: its elements are
decoded and parsed a batch at a time. These tests pin that the batches really are bounded, that
every element is the value the whole-body decoder gives, and that every irregular body ends with
exactly the outcome (value, or error type, message and retry class) of the whole-body path.
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings, strategies as st

from airflow_provider_linkedin_ads.client import (
    LinkedInAdsClient,
    client as client_module,
    element_stream,
    responses,
)
from airflow_provider_linkedin_ads.client.budget import MetricValueBudget
from airflow_provider_linkedin_ads.client.fetching import Fetcher
from airflow_provider_linkedin_ads.client.responses import decode_json, elements_of, read_elements
from airflow_provider_linkedin_ads.errors import BadRequestError, RestliError, TransportError
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


# ── bodies in the pieces they arrived in ─────────────────────────────────────────────────────────


def _pieces(content: bytes, cuts: list[int]) -> list[bytes]:
    bounds = [0, *sorted(cuts), len(content)]
    return [content[start:end] for start, end in itertools.pairwise(bounds)]


def _read_pieces(pieces: list[bytes], batch: int = 1) -> list[dict[str, Any]]:
    batches = read_elements(pieces, 200, list, resource="adAnalytics", batch=batch)
    return [element for batch in batches for element in batch]


@pytest.mark.parametrize("content", IRREGULAR.values(), ids=IRREGULAR.keys())
def test_every_body_split_anywhere_ends_as_the_whole_decode_would(content: bytes) -> None:
    whole = _outcome(lambda: _whole(content))
    step = max(1, len(content) // 97)  # the deep-nesting and bad-number bodies: 97 places, not all
    for cut in range(0, len(content) + 1, step):
        assert _outcome(lambda cut=cut: _read_pieces(_pieces(content, [cut]))) == whole, cut
    assert _outcome(lambda: _read_pieces(_pieces(content, list(range(1, len(content), 3))))) == whole


def test_a_regular_body_in_tiny_pieces_is_read_without_the_whole_decode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = _body(1_234, total=1_234)  # a number member last: "12" | "34" must not end as 12
    expected = _whole(body)
    monkeypatch.setattr(responses, "decode_json", _no_whole_decode)  # the fallback would hide a bug
    for size in (1, 2, 7, 64, 4_096, 65_536):
        pieces = [body[start : start + size] for start in range(0, len(body), size)]
        assert _read_pieces(pieces, batch=100) == expected, size
    # every place the last member's number can be cut
    tail = body.rindex(b"1234")
    for cut in range(tail, tail + 5):
        assert _read_pieces(_pieces(body, [cut])) == expected, cut


def test_a_character_cut_between_pieces_is_decoded_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.dumps({"elements": [{"name": "Zürich €uro 日本 🚀", "n": 1}]}, ensure_ascii=False).encode()
    expected = _whole(body)
    monkeypatch.setattr(responses, "decode_json", _no_whole_decode)
    for cut in range(len(body) + 1):
        assert _read_pieces(_pieces(body, [cut])) == expected, cut


def test_an_element_longer_than_the_lookahead_is_read_across_many_pieces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long_text = "x" * (5 * element_stream.LOOKAHEAD)
    body = json.dumps({"elements": [{"a": 1}, {"text": long_text, "b": 2}, {"c": 3}]}).encode()
    monkeypatch.setattr(responses, "decode_json", _no_whole_decode)
    pieces = [body[start : start + 1_000] for start in range(0, len(body), 1_000)]
    assert _read_pieces(pieces) == _whole(body)


def _no_whole_decode(content: bytes, status: int) -> dict[str, Any]:
    raise AssertionError("a regular body was decoded whole")


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
_elements = st.lists(
    st.dictionaries(st.text(max_size=6), st.one_of(_scalars, st.lists(_scalars, max_size=3)), max_size=5),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    elements=_elements,
    ascii_only=st.booleans(),
    indent=st.sampled_from([None, 0, 2]),
    cuts=st.lists(st.integers(0, 10_000), max_size=12),
)
def test_any_answer_split_anywhere_reads_as_the_whole_decode(
    elements: list[dict[str, Any]], ascii_only: bool, indent: int | None, cuts: list[int]
) -> None:
    body = json.dumps(
        {"paging": {"start": 0, "count": 10}, "elements": elements, "total": len(elements)},
        ensure_ascii=ascii_only,
        indent=indent,
    ).encode()
    pieces = _pieces(body, [cut % (len(body) + 1) for cut in cuts])
    assert _outcome(lambda: _read_pieces(pieces)) == _outcome(lambda: _whole(body))


def test_the_transport_keeps_a_large_answer_in_pieces_and_joins_an_error(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    body = _body(20_000)  # ~3.6 MiB: no piece may be one block of that size
    server.script(ANALYTICS, Reply(200, body), Reply(400, {"message": "bad", "status": 400}))
    seen: list[list[bytes]] = []
    with LinkedInAdsClient(make_config(server), sleep=sleeper, clock=clock) as client:
        elements = client.read_finder(
            "adAnalytics",
            "analytics",
            [("pivot", "CREATIVE")],
            lambda pieces, status: seen.append(list(pieces)) or _read_pieces(list(pieces), batch=500),
        )
        with pytest.raises(BadRequestError, match="bad"):
            client.read_finder("adAnalytics", "analytics", [("pivot", "CREATIVE")], _no_whole_decode)
    assert b"".join(seen[0]) == body
    assert max(map(len, seen[0])) <= 64 * 1024
    assert elements == _whole(body)


def test_a_body_decoded_whole_is_handed_over_not_held_twice(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = _body(2_000)
    server.script(ANALYTICS, Reply(200, body))
    handed: list[list[bytes]] = []
    original = client_module._decode_whole

    def spy(pieces: list[bytes], status: int) -> dict[str, Any]:
        handed.append(pieces)
        return original(pieces, status)

    monkeypatch.setattr(client_module, "_decode_whole", spy)
    with LinkedInAdsClient(make_config(server), sleep=sleeper, clock=clock) as client:
        answer = client.finder("adAnalytics", "analytics", [("pivot", "CREATIVE")])
    assert answer["elements"] == _whole(body)
    assert len(handed) == 1
    assert handed[0] == []  # the pieces were let go once joined: the body is not held twice
