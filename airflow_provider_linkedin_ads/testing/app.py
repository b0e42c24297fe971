"""Routing and the gates every API call passes, in LinkedIn's order.

1. Query tunnelling undone (``POST`` + ``X-HTTP-Method-Override: GET`` + form body -> ``GET``).
2. 414 ``REQUEST_URI_TOO_LONG`` for a query string over 4,096 characters, a URL over 8,192 or a path
   segment over 4,096 (tunnelled bodies are exempt, which is the point of tunnelling).
3. OAuth endpoints (``/oauth/v2/accessToken``, ``/oauth/v2/introspectToken``) need nothing else.
4. API calls (``/rest/...``, ``/v2/...``): bearer token (401), ``LinkedIn-Version`` on ``/rest`` (400,
   426), ``X-Restli-Protocol-Version`` (2.0, or 1.0 when absent; 400 for other values), the daily
   quota (429 ``DAY``), then the endpoint.

Unknown paths get a 404 that lists what the emulator serves.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.testing.analytics import analytics_endpoint
from airflow_provider_linkedin_ads.testing.entity_api import (
    CHILD_RESOURCES,
    account_child,
    account_children,
    account_entity,
    accounts_collection,
    unscoped,
)
from airflow_provider_linkedin_ads.testing.headers import check_protocol, check_version
from airflow_provider_linkedin_ads.testing.log import endpoint_of
from airflow_provider_linkedin_ads.testing.lookup_api import (
    LOOKUP_RESOURCES,
    lookup_collection,
    lookup_entity,
)
from airflow_provider_linkedin_ads.testing.oauth import authenticate, introspect, token_endpoint
from airflow_provider_linkedin_ads.testing.responses import DAY_QUOTA_MESSAGE, Rejection, Response, api_error

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing.emulator import Emulator
    from airflow_provider_linkedin_ads.testing.oauth import Token
    from airflow_provider_linkedin_ads.testing.request import Request

__all__ = ["MAX_QUERY_LENGTH", "MAX_SEGMENT_LENGTH", "MAX_URL_LENGTH", "dispatch", "untunnel"]

MAX_QUERY_LENGTH = 4096
MAX_URL_LENGTH = 8192
MAX_SEGMENT_LENGTH = 4096
_FORM = "application/x-www-form-urlencoded"
_SERVED = (
    "POST /oauth/v2/accessToken, POST /oauth/v2/introspectToken, GET /rest/adAnalytics, "
    "/rest/adAccounts[/{id}[/adCampaignGroups|adCampaigns|creatives[/{key}]]], and the lookups "
    "organizationsLookup, geo, titles, functions, seniorities, industries under /rest and /v2"
)


def untunnel(request: Request) -> Request:
    """Turn a tunnelled ``POST`` back into the ``GET`` it stands for; other requests pass unchanged.

    :raises Rejection: 400 when the override is not ``GET``, the body is not form-encoded, or the URL
        also carries a query string.
    """
    override = request.header("X-HTTP-Method-Override")
    if override is None:
        return request
    if request.method != "POST" or override.strip().upper() != "GET":
        message = (
            f"X-HTTP-Method-Override: {override[:20]} is only supported as POST + X-HTTP-Method-Override: GET"
        )
        raise Rejection(api_error(400, "INVALID_VALUE_FOR_FIELD", message))
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != _FORM:
        message = f"a tunnelled query needs Content-Type: {_FORM} (got {content_type or 'none'})"
        raise Rejection(api_error(400, "INVALID_VALUE_FOR_FIELD", message))
    if request.query:
        message = (
            "a tunnelled request carries its query in the body only; remove the query string from the URL"
        )
        raise Rejection(api_error(400, "INVALID_VALUE_FOR_FIELD", message))
    query = request.body.decode("utf-8", errors="replace")
    return dataclasses.replace(request, method="GET", query=query, tunnelled=True)


def _too_long(request: Request) -> Response | None:
    if request.tunnelled:
        return None
    longest = max((len(part) for part in request.path.split("/")), default=0)
    if (
        len(request.query) > MAX_QUERY_LENGTH
        or request.url_length > MAX_URL_LENGTH
        or longest > MAX_SEGMENT_LENGTH
    ):
        message = (
            f"The request URL exceeds the maximum allowed length (query string {len(request.query)} of "
            f"{MAX_QUERY_LENGTH} characters, URL {request.url_length} of {MAX_URL_LENGTH}). "
            "Use query tunneling: POST with X-HTTP-Method-Override: GET and the query in the body."
        )
        return api_error(414, "REQUEST_URI_TOO_LONG", message)
    return None


def dispatch(emulator: Emulator, request: Request) -> Response:
    """Answer an (untunnelled) request: size check, OAuth or API gates, then the endpoint.

    :raises Rejection: from any gate or endpoint (the caller turns it into the answer).
    """
    too_long = _too_long(request)
    if too_long is not None:
        return too_long
    segments = request.segments
    if segments[:2] == ("oauth", "v2") and len(segments) == 3:
        if segments[2] == "accessToken":
            return token_endpoint(request, emulator.tokens)
        if segments[2] == "introspectToken":
            return introspect(request, emulator.tokens)
    if len(segments) < 2 or segments[0] not in ("rest", "v2"):
        return _no_route(request)
    if request.method != "GET":
        message = f"{request.method} is not supported on {request.path}; use GET (or tunnel it: POST + X-HTTP-Method-Override: GET)"
        return api_error(405, "METHOD_NOT_ALLOWED", message)
    token = authenticate(request, emulator.tokens)
    rest = segments[0] == "rest"
    version = check_version(request, emulator.clock.today()) if rest else None
    request = dataclasses.replace(request, protocol=check_protocol(request, required=rest))
    if not emulator.quota.admit(endpoint_of(request.path)):
        return dataclasses.replace(
            api_error(
                429,
                "TOO_MANY_REQUESTS",
                DAY_QUOTA_MESSAGE,
                service_error_code=101,
                headers=_retry_after(emulator),
            ),
            throttle="day",
        )
    return _route(emulator, request, token, version, segments[1:])


def _retry_after(emulator: Emulator) -> tuple[tuple[str, str], ...]:
    wait = emulator.config.retry_after
    return (("Retry-After", str(wait)),) if wait is not None else ()


def _route(
    emulator: Emulator, request: Request, token: Token, version: str | None, parts: tuple[str, ...]
) -> Response:
    resource = parts[0]
    if resource in LOOKUP_RESOURCES and len(parts) <= 2:
        if len(parts) == 1:
            return lookup_collection(emulator, request, resource)
        return lookup_entity(emulator, request, resource, parts[1])
    if version is None:  # only lookups are served under /v2
        return _no_route(request)
    if parts == ("adAnalytics",):
        return analytics_endpoint(emulator, request, token, version)
    if resource == "adAccounts":
        return _accounts(emulator, request, token, parts)
    if resource in CHILD_RESOURCES and len(parts) == 1:
        return unscoped(resource)
    return _no_route(request)


def _accounts(emulator: Emulator, request: Request, token: Token, parts: tuple[str, ...]) -> Response:
    if len(parts) == 1:
        return accounts_collection(emulator, request, token)
    if len(parts) == 2:
        return account_entity(emulator, request, token, parts[1])
    if parts[2] not in CHILD_RESOURCES or len(parts) > 4:
        return _no_route(request)
    if len(parts) == 3:
        return account_children(emulator, request, token, parts[1], parts[2])
    return account_child(emulator, request, token, parts[1], parts[2], parts[3])


def _no_route(request: Request) -> Response:
    message = f"The emulator has no resource at {request.method} {request.path[:200]}. It serves: {_SERVED}"
    return api_error(404, "NOT_FOUND", message)
