"""The answer checkpoint's key and stored form: exact requests, exact numbers, nothing half-read."""

from __future__ import annotations

from decimal import Decimal

from airflow_provider_linkedin_ads.client.checkpoint import (
    MemoryCheckpoint,
    answer_key,
    decode_answer,
    encode_answer,
)

ELEMENTS = [
    {
        "dateRange": {"start": {"year": 2026, "month": 11, "day": 1}},
        "pivotValues": ["urn:li:sponsoredCampaign:1"],
        "impressions": 12,
        "costInLocalCurrency": "1.100000000000000000001",
        "averageDwellTime": Decimal("3.14159265358979323846264338327950288"),
        "nested": [{"value": Decimal("-0.00")}],
    }
]


def test_key_is_the_exact_encoded_request_fields_included():
    key = answer_key("analytics", [("pivot", "CAMPAIGN"), ("fields", ["impressions", "clicks"])])
    assert key == "adAnalytics?q=analytics&pivot=CAMPAIGN&fields=impressions,clicks"
    other = answer_key("analytics", [("pivot", "CAMPAIGN"), ("fields", ["impressions"])])
    assert other != key


def test_stored_answers_come_back_exactly_decimals_included():
    key = answer_key("analytics", [("pivot", "CAMPAIGN")])
    back = decode_answer(key, encode_answer(key, ELEMENTS))
    assert back == ELEMENTS
    assert back is not None
    assert isinstance(back[0]["averageDwellTime"], Decimal)
    assert str(back[0]["averageDwellTime"]) == "3.14159265358979323846264338327950288"
    assert str(back[0]["nested"][0]["value"]) == "-0.00"


def test_a_cut_or_foreign_entry_is_a_miss_not_an_answer():
    key = answer_key("analytics", [("pivot", "CAMPAIGN")])
    data = encode_answer(key, ELEMENTS)
    assert decode_answer(key, data[: len(data) // 2]) is None  # cut by a crash mid-write
    assert decode_answer(answer_key("statistics", [("pivot", "CAMPAIGN")]), data) is None
    assert decode_answer(key, b'{"key": "%s", "elements": {}}' % key.encode()) is None
    assert decode_answer(key, b"") is None


def test_memory_checkpoint_returns_copies():
    checkpoint = MemoryCheckpoint()
    assert checkpoint.get("k") is None
    checkpoint.put("k", ELEMENTS)
    first = checkpoint.get("k")
    assert first == ELEMENTS
    assert first is not None
    first[0]["impressions"] = 0  # the engine owns what it gets
    assert checkpoint.get("k") == ELEMENTS
    assert len(checkpoint) == 1
