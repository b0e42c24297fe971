"""Fuzzing: the Rest.li decoder in bounded memory, and the emulator's request handling.

* Deeply nested Rest.li input fails fast, and decoding never holds more than a small multiple of
  the input in memory (``tracemalloc``), whatever the nesting.
* Random requests (methods, paths, query strings built from Rest.li fragments and noise, headers,
  bodies) through :meth:`Emulator.handle` in-process, and a sample over a real socket: every one
  gets a clean answer below 500, no handler error (``emulator.check()``), and no hang.
"""

from __future__ import annotations

import contextlib
import socket
import tracemalloc
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from airflow_provider_linkedin_ads.errors import RestliError
from airflow_provider_linkedin_ads.restli import MAX_DEPTH, decode, parse_query
from airflow_provider_linkedin_ads.testing import Emulator, EmulatorServer, Request
from airflow_provider_linkedin_ads.testing.emulator import EmulatorConfig
from tests.reliability.figures import FIGURES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from airflow_provider_linkedin_ads.testing import World

FUZZ = settings(
    max_examples=1_200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
SOCKET = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MEMORY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Bytes of Python objects decoding may hold per input character (plus a fixed allowance).
BYTES_PER_CHAR = 8
ALLOWANCE = 256 * 1024


# ── the Rest.li decoder: bounded memory ───────────────────────────────────────────────────────────


def _peak_bytes(action: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        with contextlib.suppress(RestliError):
            action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("text", "bytes_per_char"),
    [
        # Nesting: the decoder stops at MAX_DEPTH, holding next to nothing whatever the input's size.
        pytest.param("(" * 1_000_000, 0.1, id="open-parens"),
        pytest.param("List(" * 1_000_000, 0.1, id="open-lists"),
        pytest.param("(a:" * 1_000_000, 0.1, id="open-records"),
        pytest.param("List(" * 500_000 + ")" * 500_000, 0.1, id="balanced-lists"),
        pytest.param("(a:" * 300_000 + "b" + ")" * 300_000, 0.1, id="balanced-records"),
        # Width: the decoded list itself is the memory, linear in the input.
        pytest.param(
            "List(" * (MAX_DEPTH - 1) + "x," * 300_000 + "x" + ")" * (MAX_DEPTH - 1),
            8,
            id="wide-at-the-limit",
        ),
    ],
)
def test_deep_nesting_decodes_in_bounded_memory(text: str, bytes_per_char: float) -> None:
    peak = _peak_bytes(lambda: decode(text))
    assert peak <= ALLOWANCE + bytes_per_char * len(text)
    query = "q=analytics&accounts=" + text
    # parse_query slices the query into its segments and values: a few copies, never one per level.
    assert _peak_bytes(lambda: parse_query(query)) <= ALLOWANCE + (3 + bytes_per_char) * len(query)
    FIGURES.fuzzed("Rest.li decoder (hostile nesting)")


nesting = st.lists(
    st.sampled_from(["List(", "(", "a:", ")", ",", "x", "''", "%28", "b:List(", ":"]), max_size=3_000
).map("".join)


@MEMORY
@given(nesting)
def test_decoding_memory_grows_at_most_linearly(text: str) -> None:
    FIGURES.fuzzed("Rest.li decoder (memory)")
    for lenient in (False, True):
        peak = _peak_bytes(lambda lenient=lenient: decode(text, lenient=lenient))
        assert peak <= ALLOWANCE + 64 * BYTES_PER_CHAR * len(text)


# ── the emulator's request handling ───────────────────────────────────────────────────────────────

PATHS = [
    "/rest/adAnalytics",
    "/rest/adAccounts",
    "/rest/adAccounts/{account}",
    "/rest/adAccounts/{account}/adCampaigns",
    "/rest/adAccounts/{account}/adCampaignGroups",
    "/rest/adAccounts/{account}/creatives",
    "/rest/adAccounts/{account}/adCampaigns/1",
    "/rest/adAccounts/{account}/creatives/urn%3Ali%3AsponsoredCreative%3A1",
    "/rest/adCampaigns",
    "/rest/organizationsLookup",
    "/rest/geo",
    "/v2/titles",
    "/v2/geo/1",
    "/oauth/v2/accessToken",
    "/oauth/v2/introspectToken",
    "/",
    "/rest",
    "/rest/",
    "//rest//adAnalytics",
    "/rest/adAccounts/%ZZ",
    "/rest/adAccounts/" + "9" * 30,
]
KEYS = [
    "q", "pivot", "pivots", "timeGranularity", "dateRange", "accounts", "account", "campaigns",
    "campaignGroups", "creatives", "shares", "companies", "fields", "campaignType", "objectiveType",
    "sortBy", "ids", "search", "pageSize", "pageToken", "start", "count", "locale", "", "List(",
]  # fmt: skip
FRAGMENTS = [
    "analytics", "statistics", "attributedRevenueMetrics", "search", "CAMPAIGN", "CREATIVE",
    "MEMBER_JOB_TITLE", "List(CAMPAIGN,IMPRESSION_DEVICE_TYPE)", "DAILY", "ALL", "MONTHLY",
    "(start:(year:2026,month:10,day:1),end:(year:2026,month:10,day:3))", "(start:(year:2026,month:13,day:40))",
    "(start:(year:-1,month:1,day:1),end:(year:99999999999,month:1,day:1))", "List(urn%3Ali%3AsponsoredAccount%3A{account})",
    "List(urn%3Ali%3AsponsoredCampaign%3A1,urn%3Ali%3AsponsoredCampaign%3A2)", "List(urn:li:sponsoredAccount:{account})",
    "dateRange,pivotValues,impressions,clicks", "revenueAttributionMetrics:(revenueWonInUsd)", "impressions,,",
    "List()", "()", "''", "(", ")", ",", ":", "%", "%2", "%ZZ", "%C3%A9", "%00", "List(", "(a:List(b))",
    "(field:impressions,order:DESCENDING)", "(status:(values:List(ACTIVE)))", "0", "-1", "99999999999999999999",
]  # fmt: skip
HEADER_VALUES = ["", " ", "GET", "POST", "BATCH_GET", "2.0.0", "1.0.0", "202609", "202613", "2026-09", "application/json",
                 "application/x-www-form-urlencoded", "text/plain", "Bearer", "Bearer x", "bAsIc abc", "é", "0", "-5"]  # fmt: skip


@st.composite
def queries(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 8))):
        key = draw(st.sampled_from(KEYS) | st.text(max_size=6))
        value = draw(
            st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), min_size=0, max_size=3).map("".join)
        )
        parts.append(f"{key}={value}" if draw(st.booleans()) or not key else key)
    return draw(st.sampled_from(["&", "&&", "&"])).join(parts)


VALID_ANALYTICS = [
    ("q", "analytics"),
    ("pivot", "CAMPAIGN"),
    ("timeGranularity", "DAILY"),
    ("dateRange", "(start:(year:2026,month:10,day:1),end:(year:2026,month:10,day:3))"),
    ("accounts", "List(urn%3Ali%3AsponsoredAccount%3A{account})"),
    ("fields", "dateRange,pivotValues,impressions,clicks"),
]


@st.composite
def analytics_queries(draw: st.DrawFn) -> str:
    """A valid ``adAnalytics`` query with a few of its parameters dropped, replaced or mangled."""
    parts = []
    for key, value in VALID_ANALYTICS:
        change = draw(st.integers(0, 9))
        if change == 0:
            continue  # dropped
        if change == 1:
            value = draw(st.sampled_from(FRAGMENTS))
        elif change == 2:
            cut = draw(st.integers(0, len(value)))
            value = value[:cut] + draw(st.sampled_from(FRAGMENTS) | st.text(max_size=4)) + value[cut:]
        parts.append(f"{key}={value}")
    return "&".join(parts)


@st.composite
def requests(draw: st.DrawFn, account: int, token: str) -> Request:
    analytics = draw(st.integers(0, 2)) == 0
    path = (
        "/rest/adAnalytics"
        if analytics
        else draw(st.sampled_from(PATHS) | st.text(max_size=20).map(lambda text: "/rest/" + text))
    )
    query = draw(analytics_queries() if analytics else queries()).replace("{account}", str(account))
    headers = {
        "authorization": f"Bearer {token}",
        "linkedin-version": "202609",
        "x-restli-protocol-version": "2.0.0",
    }
    if draw(st.integers(0, 4)) == 0:  # mostly valid headers, so requests reach the endpoints
        for name in list(headers):
            headers[name] = draw(st.sampled_from([headers[name], *HEADER_VALUES]) | st.text(max_size=10))
    for name in ("x-restli-method", "x-http-method-override", "content-type"):
        if draw(st.integers(0, 4)) == 0:
            headers[name] = draw(st.sampled_from(HEADER_VALUES) | st.text(max_size=10))
    method = draw(st.sampled_from(["GET"] * 6 + ["POST", "PUT", "DELETE", "HEAD", "PATCH"]))
    body = draw(st.sampled_from([b"", query.encode("utf-8", "surrogatepass")]) | st.binary(max_size=64))
    if path.startswith("/oauth/") and draw(st.booleans()):
        body = draw(st.sampled_from([b"grant_type=refresh_token&refresh_token=x&client_id=emulator-client&client_secret=emulator-secret",
                                     b"grant_type=&token=" + token.encode(), b"client_id=%ZZ&client_secret=\xff"]))  # fmt: skip
    return Request(
        method,
        path.replace("{account}", str(account)),
        query,
        headers,
        body,
        url_length=len(path) + len(query) + 30,
    )


@pytest.fixture(scope="module")
def emulator(world: World) -> Emulator:
    # Latency 0, no faults: any 5xx is the emulator failing on its input.
    return Emulator(world, config=EmulatorConfig())


def _account(world: World) -> int:
    return min(world.accounts)


def test_fuzzed_requests_get_clean_answers_in_process(emulator: Emulator, world: World) -> None:
    token = emulator.issue_access_token()

    @FUZZ
    @given(requests(_account(world), token))
    def check(request: Request) -> None:
        FIGURES.fuzzed("emulator request handling (in-process)")
        response = emulator.handle(request)
        assert 200 <= response.status < 500, (response.status, response.body[:300])
        assert isinstance(response.body, bytes)
        emulator.check()

    check()
    assert emulator.counters.handler_errors == 0
    assert emulator.counters.total_calls >= 1_000


# ── the same over a real socket ───────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[EmulatorServer]:
    with EmulatorServer(world=world) as emulator:
        yield emulator


def _exchange(server: EmulatorServer, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(raw)
        connection.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@st.composite
def raw_requests(draw: st.DrawFn, account: int, token: str) -> bytes:
    request = draw(requests(account, token))
    target = request.path + ("?" + request.query if request.query else "")
    line = f"{request.method} {target} HTTP/1.1".encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:  # now and then, a broken request line
        line = draw(st.binary(max_size=40))
    headers = [f"Host: 127.0.0.1:{0}", *(f"{name}: {value}" for name, value in request.headers.items())]
    length = draw(st.sampled_from([str(len(request.body))] * 3 + ["-1", "abc", "99", "١٢", ""]))
    headers += [f"Content-Length: {length}", "Connection: close"]
    head = b"\r\n".join([line, *(header.encode("utf-8", "surrogatepass") for header in headers)])
    return head + b"\r\n\r\n" + request.body


def _status(raw: bytes, answer: bytes) -> int:
    """The status of a raw answer (0 when a blank request line was met by closing the connection)."""
    # Blank as http.server sees it: the line decoded as ISO-8859-1 has no words by str.split(), whose
    # whitespace includes bytes such as b"\xa0" and b"\x1c" that bytes.strip() keeps.
    if not raw.split(b"\n", 1)[0].decode("iso-8859-1").split():
        assert answer == b""  # http.server closes without a word
        return 0
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1."), answer[:300]
    return int(status_line.split()[1])


def test_fuzzed_requests_get_clean_answers_over_a_socket(server: EmulatorServer, world: World) -> None:
    token = server.issue_access_token()

    @SOCKET
    @given(raw_requests(_account(world), token))
    # Found by a CI run: a request line of one b"\xa0", blank to http.server, not to bytes.strip().
    @example(b"\xa0\r\nHost: 127.0.0.1:0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    def check(raw: bytes) -> None:
        FIGURES.fuzzed("emulator request parsing (socket)")
        answer = _exchange(server, raw)
        assert _status(raw, answer) < 500, answer[:300]
        server.check()

    check()
    assert server.counters.handler_errors == 0
