"""The answer checkpoint's key and stored form: exact requests, exact numbers, nothing half-read."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from airflow_provider_linkedin_ads.client.checkpoint import (
    MemoryCheckpoint,
    answer_key,
    encode_answer,
    read_answer,
)
from airflow_provider_linkedin_ads.client.config import BODY_PIECE_BYTES as PIECE_BYTES
from airflow_provider_linkedin_ads.client.responses import decode_json

# A body as LinkedIn sends it: a fraction as a JSON number whose digits a float would lose.
BODY = (
    b'{"paging":{"start":0,"count":10,"links":[]},"elements":[{"dateRange":{"start":'
    b'{"year":2026,"month":11,"day":1},"end":{"year":2026,"month":11,"day":1}},'
    b'"pivotValues":["urn:li:sponsoredCampaign:1"],"impressions":12,'
    b'"costInLocalCurrency":"1.100000000000000000001",'
    b'"averageDwellTime":3.14159265358979323846264338327950288,"note":"caf\\u00e9 \\u2013 \\u00fc"}]}'
)
PIECES = [BODY[:7], BODY[7:100], BODY[100:]]


def _stored(pieces: list[bytes]) -> bytes:
    return b"".join(pieces)


def decode_answer(key: str, data: bytes) -> list[bytes] | None:
    """Read a stored answer held in memory, as a file store reads its object."""
    return read_answer(key, io.BytesIO(data))


def test_key_is_the_exact_encoded_request_fields_included():
    key = answer_key("analytics", [("pivot", "CAMPAIGN"), ("fields", ["impressions", "clicks"])])
    assert key == "adAnalytics?q=analytics&pivot=CAMPAIGN&fields=impressions,clicks"
    other = answer_key("analytics", [("pivot", "CAMPAIGN"), ("fields", ["impressions"])])
    assert other != key


def test_stored_answers_come_back_byte_for_byte_so_decimals_stay_exact():
    key = answer_key("analytics", [("pivot", "CAMPAIGN")])
    back = decode_answer(key, _stored(encode_answer(key, PIECES)))
    assert back is not None
    assert b"".join(back) == BODY
    element = decode_json(b"".join(back), 200)["elements"][0]
    assert element["averageDwellTime"] == Decimal("3.14159265358979323846264338327950288")


def test_the_header_is_one_ascii_line_naming_the_key_and_size():
    key = answer_key("analytics", [("pivot", "CAMPAIGN"), ("q2", "caf\u00e9")])
    header, *body = encode_answer(key, PIECES)
    assert body == PIECES  # the body is kept as the pieces it came in, not joined
    assert header.endswith(b"\n")
    assert header.count(b"\n") == 1
    assert json.loads(header) == {"key": key, "bytes": len(BODY)}


def test_a_long_body_is_read_back_in_bounded_pieces():
    key = answer_key("analytics", [("pivot", "CREATIVE")])
    body = [b"x" * 100_000, b"y" * 150_000]
    back = read_answer(key, io.BytesIO(_stored(encode_answer(key, body))))
    assert back is not None
    assert b"".join(back) == b"".join(body)
    assert max(map(len, back)) <= PIECE_BYTES


class _ReadOnlyStream:
    """A file object with ``read(size)`` only, like fsspec's remote files (no ``readline(limit)``)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


def test_an_entry_is_read_with_read_alone_whatever_the_piece_size():
    key = answer_key("analytics", [("pivot", "CAMPAIGN")])
    data = _stored(encode_answer(key, PIECES))
    for piece in (1, 5, 64, len(data), PIECE_BYTES):
        back = read_answer(key, _ReadOnlyStream(data), piece=piece)  # type: ignore[arg-type]
        assert back is not None
        assert b"".join(back) == BODY
        assert max(map(len, back), default=0) <= piece


def test_a_cut_or_foreign_entry_is_a_miss_not_an_answer():
    key = answer_key("analytics", [("pivot", "CAMPAIGN")])
    data = _stored(encode_answer(key, PIECES))
    assert decode_answer(key, data[:-1]) is None  # cut by a crash mid-write
    assert decode_answer(key, data[:20]) is None  # cut inside the header
    assert decode_answer(key, data + b" ") is None  # longer than its header says
    assert decode_answer(answer_key("statistics", [("pivot", "CAMPAIGN")]), data) is None
    assert decode_answer(key, b'{"key": "%s", "bytes": "6"}\nabcdef' % key.encode()) is None
    assert decode_answer(key, b'["%s", 6]\nabcdef' % key.encode()) is None
    assert decode_answer(key, b"") is None
    assert decode_answer(key, b"\xff\xfe\n") is None


def test_an_empty_body_is_stored_and_read_back():
    key = answer_key("analytics", [("pivot", "CAMPAIGN")])
    assert decode_answer(key, _stored(encode_answer(key, []))) == []


def test_memory_checkpoint_keeps_the_pieces():
    checkpoint = MemoryCheckpoint()
    assert checkpoint.get("k") is None
    checkpoint.put("k", PIECES)
    first = checkpoint.get("k")
    assert first == PIECES
    assert first is not None
    first.clear()  # the engine owns the list it gets
    assert checkpoint.get("k") == PIECES
    assert len(checkpoint) == 1
