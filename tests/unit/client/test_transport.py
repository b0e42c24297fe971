"""Wire form of requests: headers, byte-exact queries, tunnelling, 414 fallback, transport failures."""

from __future__ import annotations

import threading

import pytest
import requests

from airflow_provider_linkedin_ads import __version__
from airflow_provider_linkedin_ads.client import LinkedInAdsClient, RetryPolicy
from airflow_provider_linkedin_ads.client.transport import introspect_url, plan_get, should_tunnel
from airflow_provider_linkedin_ads.errors import ConfigurationError, RequestTooLongError, TransportError
from airflow_provider_linkedin_ads.restli import build_query
from tests.unit.client.conftest import FakeClock, Reply, ScriptedServer, Sleeper, make_config

ANALYTICS = "/rest/adAnalytics"
ONE_ATTEMPT = RetryPolicy(max_attempts=1)


def _client(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, **overrides: object
) -> LinkedInAdsClient:
    return LinkedInAdsClient(make_config(server, **overrides), sleep=sleeper, clock=clock)


def _campaigns(count: int) -> list[str]:
    return [f"urn:li:sponsoredCampaign:{500_000_000 + number}" for number in range(count)]


def test_every_rest_call_carries_the_linkedin_headers(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(ANALYTICS, Reply(200, {"elements": []}))
    with _client(server, clock, sleeper) as client:
        assert client.get("adAnalytics", [("q", "analytics")]) == {"elements": []}
    [seen] = server.received
    assert seen.method == "GET"
    assert seen.header("Authorization") == "Bearer static-access-token"
    assert seen.header("LinkedIn-Version") == "202603"
    assert seen.header("X-Restli-Protocol-Version") == "2.0.0"
    assert seen.header("User-Agent") == f"airflow-provider-linkedin-ads/{__version__} (+python-requests)"
    assert seen.header("X-HTTP-Method-Override") is None
    assert seen.header("X-RestLi-Method") is None


def test_restli_method_header_is_sent_when_asked(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script("/rest/adCampaigns", Reply(200, {}))
    with _client(server, clock, sleeper) as client:
        client.get("adCampaigns", [("ids", [1])], restli_method="BATCH_GET")
    assert server.received[0].header("X-RestLi-Method") == "BATCH_GET"


def test_query_is_sent_byte_for_byte(server: ScriptedServer, clock: FakeClock, sleeper: Sleeper) -> None:
    params = [
        ("q", "analytics"),
        ("pivot", "CAMPAIGN"),
        (
            "dateRange",
            {"start": {"year": 2025, "month": 1, "day": 1}, "end": {"year": 2025, "month": 1, "day": 31}},
        ),
        ("accounts", ["urn:li:sponsoredAccount:1", "urn:li:sponsoredAccount:2"]),
        ("fields", ["dateRange", "pivotValues", "impressions", "clicks"]),
        ("skipped", None),
        ("note", "a b,(c):'d'~é"),
    ]
    expected = (
        "/rest/adAnalytics?q=analytics&pivot=CAMPAIGN"
        "&dateRange=(start:(year:2025,month:1,day:1),end:(year:2025,month:1,day:31))"
        "&accounts=List(urn%3Ali%3AsponsoredAccount%3A1,urn%3Ali%3AsponsoredAccount%3A2)"
        "&fields=dateRange,pivotValues,impressions,clicks"
        "&note=a%20b%2C%28c%29%3A%27d%27~%C3%A9"
    )
    server.script(ANALYTICS, Reply(200, {}))
    with _client(server, clock, sleeper) as client:
        client.get("adAnalytics", params)
    assert server.received[0].target == expected
    assert server.received[0].query == build_query(params)


def test_encoded_path_keys_are_not_re_encoded(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    path = "/rest/adAccounts/508000000/creatives/urn%3Ali%3AsponsoredCreative%3A789"
    server.script(path, Reply(200, {"id": "urn:li:sponsoredCreative:789"}))
    with _client(server, clock, sleeper) as client:
        answer = client.get("adAccounts/508000000/creatives/urn%3Ali%3AsponsoredCreative%3A789")
    assert answer == {"id": "urn:li:sponsoredCreative:789"}
    assert server.received[0].target == path


def test_long_query_is_tunnelled(server: ScriptedServer, clock: FakeClock, sleeper: Sleeper) -> None:
    params = [("q", "analytics"), ("pivot", "CAMPAIGN"), ("campaigns", _campaigns(150))]
    query = build_query(params)
    assert len(query) > 4000
    server.script(ANALYTICS, Reply(200, {"elements": [1]}))
    with _client(server, clock, sleeper) as client:
        assert client.get("adAnalytics", params) == {"elements": [1]}
        assert client.stats.tunnelled == 1
    [seen] = server.received
    assert seen.method == "POST"
    assert seen.target == ANALYTICS
    assert seen.header("X-HTTP-Method-Override") == "GET"
    assert seen.header("Content-Type") == "application/x-www-form-urlencoded"
    assert seen.body == query.encode("ascii")
    assert seen.header("Authorization") == "Bearer static-access-token"


@pytest.mark.parametrize(
    ("margin", "method"),
    [
        pytest.param(0, "GET", id="query-exactly-at-threshold-stays-get"),
        pytest.param(-1, "POST", id="one-character-over-threshold-is-tunnelled"),
    ],
)
def test_tunnel_threshold_is_strictly_greater(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, margin: int, method: str
) -> None:
    params = [("q", "analytics"), ("campaigns", _campaigns(5))]
    threshold = len(build_query(params)) + margin
    server.script(ANALYTICS, Reply(200, {}))
    with _client(server, clock, sleeper, tunnel_threshold=threshold) as client:
        client.get("adAnalytics", params)
    assert server.received[0].method == method


def test_414_on_a_plain_get_is_retried_once_tunnelled(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    params = [("q", "analytics"), ("campaigns", _campaigns(3))]
    server.script(
        ANALYTICS, Reply(414, {"status": 414, "code": "REQUEST_URI_TOO_LONG"}), Reply(200, {"ok": 1})
    )
    with _client(server, clock, sleeper) as client:
        assert client.get("adAnalytics", params) == {"ok": 1}
        assert client.stats.calls == 2
        assert client.stats.tunnelled == 1
    first, second = server.received
    assert (first.method, first.query) == ("GET", build_query(params))
    assert (second.method, second.target, second.body) == ("POST", ANALYTICS, build_query(params).encode())
    assert sleeper.waits == []


@pytest.mark.parametrize(
    "long_query",
    [pytest.param(False, id="plain-get-then-tunnelled"), pytest.param(True, id="tunnelled-from-the-start")],
)
def test_414_after_tunnelling_raises(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, long_query: bool
) -> None:
    params = [("q", "analytics"), ("campaigns", _campaigns(150 if long_query else 2))]
    server.default(
        ANALYTICS, Reply(414, "<html>414 Request-URI Too Large</html>", {"Content-Type": "text/html"})
    )
    with _client(server, clock, sleeper) as client, pytest.raises(RequestTooLongError) as raised:
        client.get("adAnalytics", params)
    assert raised.value.status == 414
    assert raised.value.request_summary is not None
    assert raised.value.request_summary.tunnelled
    assert [item.method for item in server.received] == (["POST"] if long_query else ["GET", "POST"])


def test_connection_reset_is_a_transport_error(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(ANALYTICS, Reply(action="reset"))
    with (
        _client(server, clock, sleeper, retry=ONE_ATTEMPT) as client,
        pytest.raises(TransportError) as raised,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    assert isinstance(raised.value.__cause__, requests.ConnectionError)


def test_body_cut_mid_way_is_a_transport_error(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(ANALYTICS, Reply(200, {"elements": [{"impressions": 1}] * 50}, action="cut"))
    with (
        _client(server, clock, sleeper, retry=ONE_ATTEMPT) as client,
        pytest.raises(TransportError) as raised,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    assert isinstance(raised.value.__cause__, requests.RequestException)


def test_complete_200_that_is_not_json_is_a_transport_error(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(ANALYTICS, Reply(200, '{"elements": [{"impressions": 1'))
    with (
        _client(server, clock, sleeper, retry=ONE_ATTEMPT) as client,
        pytest.raises(TransportError) as raised,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    assert isinstance(raised.value.__cause__, ValueError)
    assert "not valid JSON" in str(raised.value)


def test_read_timeout_is_a_transport_error(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    release = threading.Event()

    def slow(_: object) -> Reply:
        release.wait(2.0)
        return Reply(200, {})

    server.script(ANALYTICS, slow)
    try:
        with (
            _client(server, clock, sleeper, retry=ONE_ATTEMPT, read_timeout=0.1) as client,
            pytest.raises(TransportError) as raised,
        ):
            client.get("adAnalytics", [("q", "analytics")])
    finally:
        release.set()
    assert isinstance(raised.value.__cause__, requests.Timeout)


def test_session_is_pooled_with_the_configured_size(server: ScriptedServer, clock: FakeClock) -> None:
    client = LinkedInAdsClient(make_config(server, pool_size=7), clock=clock)
    adapter = client._session.get_adapter("https://api.linkedin.com/rest")
    assert adapter.poolmanager.connection_pool_kw["maxsize"] == 7
    assert adapter.max_retries.total == 0
    client.close()


@pytest.mark.parametrize(
    "resource",
    [
        pytest.param("", id="empty"),
        pytest.param("adAnalytics?q=x", id="query"),
        pytest.param("a#b", id="fragment"),
    ],
)
def test_bad_resource_is_a_configuration_error(resource: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        plan_get("https://api.linkedin.com/rest", resource, "", tunnel=False)
    assert raised.value.argument == "resource"


@pytest.mark.parametrize(
    ("query", "threshold", "expected"),
    [
        pytest.param("x" * 4000, 4000, False, id="4000-stays"),
        pytest.param("x" * 4001, 4000, True, id="4001-tunnels"),
        pytest.param("", 0, False, id="empty"),
    ],
)
def test_should_tunnel(query: str, threshold: int, expected: bool) -> None:
    assert should_tunnel(query, threshold) is expected


@pytest.mark.parametrize(
    ("token_url", "expected"),
    [
        pytest.param(
            "https://www.linkedin.com/oauth/v2/accessToken",
            "https://www.linkedin.com/oauth/v2/introspectToken",
            id="linkedin",
        ),
        pytest.param(
            "http://127.0.0.1:8080/oauth/v2/accessToken?x=1",
            "http://127.0.0.1:8080/oauth/v2/introspectToken",
            id="emulator",
        ),
    ],
)
def test_introspect_url_sits_next_to_the_token_url(token_url: str, expected: str) -> None:
    assert introspect_url(token_url) == expected
