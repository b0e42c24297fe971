"""The gates every API call passes: bearer tokens (401), scopes (403), entities (404), access
(empty 200), ``LinkedIn-Version`` (400/426), ``X-Restli-Protocol-Version`` (400) and URL length (414).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing import EmulatorServer, World

RANGE = "dateRange=(start:(year:2026,month:11,day:1),end:(year:2026,month:11,day:7))"
FACET = "accounts=List(urn%3Ali%3AsponsoredAccount%3A{account})"
BASE = f"q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&{RANGE}&{FACET}"


# -- authentication, access, versions, protocol --------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "service_code", "code", "fragment"),
    [
        pytest.param(None, 401, "EMPTY_ACCESS_TOKEN", "Empty oauth2_access_token", id="missing"),
        pytest.param("Bearer ", 401, "EMPTY_ACCESS_TOKEN", "Empty oauth2_access_token", id="empty"),
        pytest.param(
            "Bearer not-a-token", 65600, "INVALID_ACCESS_TOKEN", "Invalid access token", id="invalid"
        ),
        pytest.param(
            "Basic dXNlcjpwYXNz", 65600, "INVALID_ACCESS_TOKEN", "Invalid access token", id="not-bearer"
        ),
        pytest.param(
            "Bearer emulator-refresh-token",
            65600,
            "INVALID_ACCESS_TOKEN",
            "Invalid access token",
            id="refresh-token-as-bearer",
        ),
    ],
)
def test_bad_bearer_tokens_get_linkedins_401_bodies(
    api: Any, accounts: dict[str, int], authorization: str | None, service_code: int, code: str, fragment: str
) -> None:
    reply = api.analytics(BASE.format(account=accounts["visible"]), Authorization=authorization)

    assert reply.error == (401, code, reply.json["message"])
    assert reply.json["serviceErrorCode"] == service_code
    assert fragment in reply.json["message"]


@pytest.mark.parametrize(
    ("spoil", "service_code", "code", "fragment"),
    [
        pytest.param("revoke", 65601, "REVOKED_ACCESS_TOKEN", "revoked", id="revoked"),
        pytest.param("expire", 65602, "EXPIRED_ACCESS_TOKEN", "expired", id="expired"),
        pytest.param("clock", 65602, "EXPIRED_ACCESS_TOKEN", "expired", id="expired-by-clock"),
    ],
)
def test_revoked_and_expired_tokens(
    server: EmulatorServer,
    make_api: Any,
    accounts: dict[str, int],
    spoil: str,
    service_code: int,
    code: str,
    fragment: str,
) -> None:
    token = server.issue_access_token(expires_in=3600)
    api = make_api(server, token)
    query = BASE.format(account=accounts["visible"])
    assert api.analytics(query).status == 200
    if spoil == "clock":
        server.clock.advance(dt.timedelta(hours=1))
    else:
        getattr(server, spoil)(token)

    reply = api.analytics(query)

    assert (reply.status, reply.json["serviceErrorCode"], reply.json["code"]) == (401, service_code, code)
    assert fragment in reply.json["message"]


def test_token_without_reporting_scope_is_403(
    server: EmulatorServer, make_api: Any, accounts: dict[str, int]
) -> None:
    api = make_api(server, server.issue_access_token(scope="r_ads"))

    status, code, message = api.analytics(BASE.format(account=accounts["visible"])).error

    assert (status, code) == (403, "USER_NOT_AUTHORIZED")
    assert "r_ads_reporting" in message


def test_unknown_entity_urn_is_404(api: Any, accounts: dict[str, int]) -> None:
    query = BASE.format(account=accounts["visible"]).replace(
        FACET.format(account=accounts["visible"]), "campaigns=List(urn%3Ali%3AsponsoredCampaign%3A1)"
    )

    status, code, message = api.analytics(query).error

    assert (status, code) == (404, "NOT_FOUND")
    assert "urn:li:sponsoredCampaign:1" in message


def test_account_without_access_gives_an_empty_200(api: Any, accounts: dict[str, int]) -> None:
    visible = api.analytics(BASE.format(account=accounts["visible"]))
    hidden = api.analytics(BASE.format(account=accounts["hidden"]))

    assert visible.json["elements"]
    assert (hidden.status, hidden.json) == (
        200,
        {"elements": [], "paging": {"start": 0, "count": 10, "links": []}},
    )


@pytest.mark.parametrize(
    ("header", "value", "status", "code", "fragment"),
    [
        pytest.param(
            "LinkedIn-Version", None, 400, "VERSION_MISSING", "LinkedIn-Version header", id="version-missing"
        ),
        pytest.param("LinkedIn-Version", "2026-08", 400, "INVALID_VERSION", "YYYYMM", id="version-malformed"),
        pytest.param("LinkedIn-Version", "202413", 400, "INVALID_VERSION", "YYYYMM", id="version-month-13"),
        pytest.param(
            "LinkedIn-Version",
            "202404",
            426,
            "NONEXISTENT_VERSION",
            "Requested version 20240401 is not active",
            id="version-sunset",
        ),
        pytest.param(
            "LinkedIn-Version",
            "202511",
            426,
            "NONEXISTENT_VERSION",
            "Requested version 20251101 is not active",
            id="version-sunset-by-table",
        ),
        pytest.param(
            "LinkedIn-Version",
            "202701",
            426,
            "NONEXISTENT_VERSION",
            "Requested version 20270101 is not active",
            id="version-future",
        ),
        # Without the header (or with 1.0.0) the query is read as protocol 1.0, where List(...) and
        # (a:b) are plain strings: the 2.0 query is refused, naming the header it lacks.
        pytest.param(
            "X-Restli-Protocol-Version",
            None,
            400,
            "INVALID_VALUE_FOR_FIELD",
            "X-Restli-Protocol-Version: 2.0.0",
            id="protocol-missing-with-2.0-syntax",
        ),
        pytest.param(
            "X-Restli-Protocol-Version",
            "1.0.0",
            400,
            "INVALID_VALUE_FOR_FIELD",
            "X-Restli-Protocol-Version: 2.0.0",
            id="protocol-1.0-with-2.0-syntax",
        ),
        pytest.param(
            "X-Restli-Protocol-Version",
            "3.0.0",
            400,
            "INVALID_PROTOCOL_VERSION",
            "2.0.0",
            id="protocol-unknown",
        ),
    ],
)
def test_header_checks(
    api: Any, accounts: dict[str, int], header: str, value: str | None, status: int, code: str, fragment: str
) -> None:
    reply = api.analytics(BASE.format(account=accounts["visible"]), **{header.replace("-", "_"): value})

    assert reply.error[:2] == (status, code)
    assert fragment in reply.error[2]


def test_active_versions_pass_and_a_version_walks_into_its_sunset(
    server: EmulatorServer, make_api: Any, accounts: dict[str, int]
) -> None:
    api = make_api(server, version="202608")
    query = BASE.format(account=accounts["visible"])
    assert api.analytics(query).status == 200
    assert api.analytics(query, LinkedIn_Version="202608.01").status == 200

    server.clock.set(dt.datetime(2027, 8, 16, tzinfo=dt.UTC))
    api.token = server.issue_access_token()  # the first one expired after 60 days

    assert api.analytics(query).error[:2] == (426, "NONEXISTENT_VERSION")


# -- URL length: 414 unless tunnelled ------------------------------------------------------------


def long_query(world: World, account: int) -> str:
    campaigns = [cid for cid, campaign in world.campaigns.items() if campaign.account_id == account]
    urns = ",".join(f"urn%3Ali%3AsponsoredCampaign%3A{cid}" for cid in campaigns * 6)
    return f"q=analytics&pivot=CAMPAIGN&timeGranularity=ALL&{RANGE}&campaigns=List({urns})&fields=pivotValues,impressions"


def test_query_over_4096_characters_is_414_and_works_tunnelled(
    server: EmulatorServer, api: Any, accounts: dict[str, int]
) -> None:
    query = long_query(server.world, accounts["visible"])
    assert len(query) > 4096

    plain = api.analytics(query)
    tunnelled = api.tunnel("/rest/adAnalytics", query)

    status, code, message = plain.error
    assert (status, code) == (414, "REQUEST_URI_TOO_LONG")
    assert "tunneling" in message
    assert tunnelled.status == 200
    assert tunnelled.json["elements"]
    assert server.counters.tunnelled == 1


def test_url_over_8192_characters_is_414(api: Any) -> None:
    reply = api.get("/rest/adAnalytics/" + "x" * 4000 + "/" + "y" * 4300)

    assert reply.error[:2] == (414, "REQUEST_URI_TOO_LONG")
