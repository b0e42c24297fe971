"""Property and fuzz tests for the Rest.li 2.0 codec: round trips, and "decode or RestliError, nothing else"."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from airflow_provider_linkedin_ads.errors import RestliError
from airflow_provider_linkedin_ads.restli import (
    MAX_DEPTH,
    Decoded,
    Value,
    build_query,
    decode,
    encode,
    encode_fields,
    parse_fields,
    parse_query,
)

T = TypeVar("T")

# A few thousand examples in total, no deadline (CI machines are slow and shared).
ROUND_TRIP = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RESERVED = [*"(),:'&=%+/?# \"", "''", "List(", "%25", "~", "-", ".", "_"]
URL_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%(),:'")
NON_ASCII = ["é", "ß", "Å", "中文", "日本", "😀", "👍🏽", "\u00a0", "\u200b", "ﬁ"]

leaf_text = st.lists(
    st.one_of(
        st.sampled_from(RESERVED + NON_ASCII), st.characters(codec="utf-8"), st.sampled_from("abcXYZ019")
    ),
    max_size=8,
).map("".join)
leaves: st.SearchStrategy[Value] = st.one_of(
    leaf_text, st.just(""), st.integers(min_value=-(10**12), max_value=10**12), st.booleans()
)


def values(depth: int) -> st.SearchStrategy[Value]:
    """Nested lists/tuples/records of at most ``depth`` levels."""
    if depth == 0:
        return leaves
    child = values(depth - 1)
    containers: st.SearchStrategy[Value] = st.one_of(
        st.lists(child, max_size=4),
        st.lists(child, max_size=3).map(tuple),
        st.dictionaries(leaf_text, child, max_size=4),
    )
    return st.one_of(leaves, containers)


def normalised(value: Value) -> Decoded:
    """What decode() gives back for an encoded value: every leaf a str."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Mapping):
        return {key: normalised(item) for key, item in value.items()}
    assert isinstance(value, Sequence)
    return [normalised(item) for item in value]


# --------------------------------------------------------------------------- round trips


@ROUND_TRIP
@given(values(4))
def test_decode_inverts_encode(value: Value) -> None:
    encoded = encode(value)
    assert decode(encoded) == normalised(value)
    assert decode(encoded, lenient=True) == normalised(value)


@ROUND_TRIP
@given(values(3))
def test_encoded_values_are_query_safe(value: Value) -> None:
    assert set(encode(value)) <= URL_SAFE


param_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_.]{0,8}", fullmatch=True).filter(
    lambda name: name != "fields"
)
field_names = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True)
field_specs = st.tuples(field_names, st.none() | st.lists(field_names, min_size=1, max_size=3)).map(
    lambda spec: spec[0] if spec[1] is None else f"{spec[0]}:({','.join(spec[1])})"
)


@ROUND_TRIP
@given(
    st.dictionaries(param_names, st.none() | values(2), max_size=6),
    st.none() | st.lists(field_specs, min_size=1, max_size=5, unique_by=lambda spec: spec.split(":")[0]),
)
def test_parse_query_inverts_build_query(params: dict[str, Value | None], fields: list[str] | None) -> None:
    pairs: list[tuple[str, Value | None]] = list(params.items())
    pairs.insert(len(pairs) // 2, ("fields", fields))
    parsed = parse_query(build_query(pairs))
    expected: dict[str, Decoded] = {
        key: encode_fields(value) if key == "fields" else normalised(value)  # type: ignore[arg-type]
        for key, value in pairs
        if value is not None
    }
    assert parsed == expected
    assert list(parsed) == list(expected)
    if fields is not None:
        assert list(parse_fields(str(parsed["fields"]))) == [spec.split(":")[0] for spec in fields]


# --------------------------------------------------------------------------- fuzz: never anything but RestliError

grammar_soup = st.lists(
    st.sampled_from([*"()',:%L", "List(", "List", "''", "a", "b", "7", "%2", "%C3", "%41", "%28"]),
    max_size=30,
).map("".join)
percent_noise = st.lists(
    st.one_of(
        st.from_regex(r"%[0-9A-Fa-fG-Zg-z]{0,2}", fullmatch=True),
        st.sampled_from(["%C3%A9", "%F0%9F", "%ED%A0%80", "%FF", "%E4%B8%AD", "(", ")", ",", ":", "List("]),
        st.text(max_size=3),
    ),
    max_size=15,
).map("".join)
MUTATIONS = ["", "(", ")", ",", ":", "'", "''", "%", "%2", "%FF", "List(", "()", "List()", "x"]


@st.composite
def mutated_encodings(draw: st.DrawFn) -> str:
    """A valid encoding with up to three random splices: errors right next to valid input."""
    text = encode(draw(values(3)))
    for _ in range(draw(st.integers(0, 3))):
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.sampled_from(MUTATIONS)) + text[pos + draw(st.integers(0, 2)) :]
    return text


any_text = st.one_of(grammar_soup, percent_noise, st.text(max_size=40), mutated_encodings())
query_soup = st.lists(
    st.one_of(any_text, st.sampled_from(["&", "=", "?", "fields=", "q=", "a=", "&&"])), max_size=8
).map("".join)


def _outcome(func: Callable[[str], T], text: str) -> T | RestliError:
    """The result, or the RestliError raised (any other exception propagates and fails the test)."""
    try:
        return func(text)
    except RestliError as err:
        return err


def _assert_error_in_range(result: object, text: str) -> None:
    if isinstance(result, RestliError):
        assert result.position is not None
        assert 0 <= result.position <= len(text)


@FUZZ
@given(any_text)
def test_decode_fuzz_strict_and_lenient(text: str) -> None:
    strict = _outcome(decode, text)
    lenient = _outcome(functools.partial(decode, lenient=True), text)
    _assert_error_in_range(strict, text)
    _assert_error_in_range(lenient, text)
    if not isinstance(strict, RestliError):
        assert lenient == strict  # lenient only ever accepts more, and reads it the same way
        assert decode(encode(strict)) == strict  # whatever decodes is re-encodable, canonically


@FUZZ
@given(query_soup, st.booleans())
def test_parse_query_fuzz(query: str, lenient: bool) -> None:
    parsed = _outcome(functools.partial(parse_query, lenient=lenient), query)
    _assert_error_in_range(parsed, query)
    if not isinstance(parsed, RestliError):
        assert all(isinstance(key, str) and key for key in parsed)


@FUZZ
@given(st.one_of(st.text(alphabet=st.sampled_from(list("ab1,:()% ")), max_size=20), st.text(max_size=20)))
def test_parse_fields_fuzz(text: str) -> None:
    parsed = _outcome(parse_fields, text)
    _assert_error_in_range(parsed, text)
    if not isinstance(parsed, RestliError):
        names = [name if sub is None else f"{name}:({','.join(sub)})" for name, sub in parsed.items()]
        assert encode_fields(names) == text


# --------------------------------------------------------------------------- hostile nesting


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("(" * 100_000, id="open-parens"),
        pytest.param("List(" * 100_000, id="open-lists"),
        pytest.param("(a:" * 100_000, id="open-records"),
        pytest.param("List(" * 100_000 + ")" * 100_000, id="balanced-lists"),
        pytest.param("(a:" * 100_000 + "b" + ")" * 100_000, id="balanced-records"),
    ],
)
@pytest.mark.parametrize("lenient", [pytest.param(False, id="strict"), pytest.param(True, id="lenient")])
def test_deep_nesting_fails_fast(text: str, lenient: bool) -> None:
    with pytest.raises(RestliError) as info:
        decode(text, lenient=lenient)
    assert info.value.position is not None
    assert info.value.position <= 5 * (MAX_DEPTH + 1)  # stopped near the start, not after scanning it all


def test_deep_nesting_within_a_raised_limit_needs_no_recursion() -> None:
    depth = 5_000  # far beyond Python's recursion limit
    result = decode("List(" * depth + "x" + ")" * depth, max_depth=depth)
    levels = 0
    while isinstance(result, list):
        (result,) = result
        levels += 1
    assert (levels, result) == (depth, "x")


def test_long_flat_input_decodes() -> None:
    items = [f"urn:li:sponsoredCampaign:{number}" for number in range(50_000)]
    assert decode(encode(items)) == items
