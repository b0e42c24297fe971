"""The route table: matching in order, captured segments, and the 404 text generated from it."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_linkedin_ads.testing.app import API_ROUTES, ROUTES, served


@pytest.mark.parametrize(
    ("path", "described", "args"),
    [
        pytest.param("/rest/adAnalytics", "GET /rest/adAnalytics", (), id="analytics"),
        pytest.param("/v2/geo/1", "GET /rest|v2/{lookup}/{id}", ("geo", "1"), id="lookup-entity"),
        pytest.param(
            "/rest/adAccounts/5/creatives/urn%3Ali%3AsponsoredCreative%3A9",
            "GET /rest/adAccounts/{id}/adCampaignGroups|adCampaigns|creatives/{key}",
            ("5", "creatives", "urn%3Ali%3AsponsoredCreative%3A9"),
            id="account-child",
        ),
        pytest.param("/rest/adCampaigns", "GET /rest/adCampaignGroups|adCampaigns|creatives", ("adCampaigns",), id="unscoped"),
    ],
)  # fmt: skip
def test_first_matching_route_captures_the_variable_segments(path: str, described: str, args: tuple) -> None:
    segments = tuple(part for part in path.split("/") if part)

    matches = [(route.describe(), route.match(segments)) for route in API_ROUTES]
    first = next((text, captured) for text, captured in matches if captured is not None)

    assert first == (described, args)


@pytest.mark.parametrize(
    "path", ["/v2/adAnalytics", "/rest/adAccounts/5/widgets", "/rest/adAccounts/5/adCampaigns/1/x"]
)
def test_paths_outside_the_table_match_no_route(path: str) -> None:
    segments = tuple(part for part in path.split("/") if part)
    assert all(route.match(segments) is None for route in API_ROUTES)


def test_the_404_lists_every_route_of_the_table(api: Any) -> None:
    reply = api.get("/rest/nothingHere")

    assert reply.error[:2] == (404, "NOT_FOUND")
    assert served() in reply.error[2]
    assert all(route.describe() in reply.error[2] for route in ROUTES)
