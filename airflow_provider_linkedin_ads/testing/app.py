"""Routing and the gates every API call passes, in LinkedIn's order.

1. Query tunnelling undone (``POST`` + ``X-HTTP-Method-Override: GET`` + form body -> ``GET``).
2. 414 ``REQUEST_URI_TOO_LONG`` for a query string over 4,096 characters, a URL over 8,192 or a path
   segment over 4,096 (tunnelled bodies are exempt, which is the point of tunnelling).
3. OAuth endpoints (``/oauth/v2/accessToken``, ``/oauth/v2/introspectToken``) need nothing else.
4. API calls (``/rest/...``, ``/v2/...``): bearer token (401), ``LinkedIn-Version`` on ``/rest`` (400,
   426), ``X-Restli-Protocol-Version`` (2.0, or 1.0 when absent; 400 for other values), the daily
   quota (429 ``DAY``), then the endpoint.

Endpoints are found in :data:`ROUTES`, a table of ``(method, roots, segment pattern, endpoint)`` rows
matched in order (the shape of werkzeug's ``Map([Rule(...)])``); unknown paths get a 404 whose list
of served resources is generated from the same table, so the text and the routes cannot drift.
Endpoints receive an :class:`~.state.ApiState`, never the emulator.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
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
    from collections.abc import Callable

    from airflow_provider_linkedin_ads.testing.oauth import Token
    from airflow_provider_linkedin_ads.testing.request import Request
    from airflow_provider_linkedin_ads.testing.state import ApiState

__all__ = [
    "MAX_QUERY_LENGTH",
    "MAX_SEGMENT_LENGTH",
    "MAX_URL_LENGTH",
    "ROUTES",
    "Call",
    "Route",
    "dispatch",
    "served",
    "untunnel",
]

MAX_QUERY_LENGTH = 4096
MAX_URL_LENGTH = 8192
MAX_SEGMENT_LENGTH = 4096
_FORM = "application/x-www-form-urlencoded"
_API_ROOTS = frozenset({"rest", "v2"})


@dataclass(frozen=True)
class Call:
    """What an endpoint gets: the state, the request, who calls and the path's captured segments.

    :param state: the emulator state.
    :param request: the (untunnelled) request, its protocol already read.
    :param token: the caller's access token (``None`` on the OAuth endpoints).
    :param version: ``LinkedIn-Version`` on ``/rest``; ``None`` under ``/v2`` and OAuth.
    :param args: the segments the route's pattern captured, in path order.
    """

    state: ApiState
    request: Request
    token: Token | None
    version: str | None
    args: tuple[str, ...]

    @property
    def caller(self) -> Token:
        """The token of an API call (the gates have authenticated it)."""
        assert self.token is not None, "API routes run after authentication"
        return self.token

    @property
    def rest_version(self) -> str:
        """The ``LinkedIn-Version`` of a ``/rest`` call (checked by the gates)."""
        assert self.version is not None, "only /rest routes read the version"
        return self.version


#: A pattern step: a literal segment, ``"{name}"`` (any segment, captured), or a set (one of them,
#: captured).
Step = str | frozenset[str]


@dataclass(frozen=True)
class Route:
    """One row of the route table.

    :param method: the HTTP method it answers (API routes answer GET; others get a 405 first).
    :param roots: the first path segments it lives under (``rest``, ``v2``, ``oauth``).
    :param pattern: the segments after the root.
    :param endpoint: called with the :class:`Call`.
    :param label: how the 404 text shows a set step (default: its members joined by ``|``).

    .. code-block:: python

        Route("GET", ("rest",), ("adAccounts", "{id}"), lambda call: ...)
    """

    method: str
    roots: tuple[str, ...]
    pattern: tuple[Step, ...]
    endpoint: Callable[[Call], Response]
    label: str | None = None

    def match(self, segments: tuple[str, ...]) -> tuple[str, ...] | None:
        """Return the captured segments when ``segments`` (root included) fit this route."""
        if len(segments) != len(self.pattern) + 1 or segments[0] not in self.roots:
            return None
        captured = []
        for step, segment in zip(self.pattern, segments[1:], strict=True):
            if isinstance(step, frozenset) or step.startswith("{"):
                if isinstance(step, frozenset) and segment not in step:
                    return None
                captured.append(segment)
            elif step != segment:
                return None
        return tuple(captured)

    def describe(self) -> str:
        """E.g. ``GET /rest/adAccounts/{id}`` (roots joined by ``|``)."""
        root = "|".join(self.roots)
        steps = [
            (self.label or "|".join(sorted(step))) if isinstance(step, frozenset) else step
            for step in self.pattern
        ]
        return f"{self.method} /{root}/{'/'.join(steps)}"


_LOOKUPS = frozenset(LOOKUP_RESOURCES)
_CHILDREN = frozenset(CHILD_RESOURCES)

#: OAuth endpoints: no gates (the endpoints check method, form and credentials themselves).
OAUTH_ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        ("oauth",),
        ("v2", "accessToken"),
        lambda call: token_endpoint(call.request, call.state.tokens),
    ),
    Route(
        "POST",
        ("oauth",),
        ("v2", "introspectToken"),
        lambda call: introspect(call.request, call.state.tokens),
    ),
)
#: API endpoints, after the gates; lookups are the only ones served under ``/v2`` too.
API_ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        ("rest", "v2"),
        (_LOOKUPS,),
        lambda call: lookup_collection(call.state, call.request, call.args[0]),
        "{lookup}",
    ),
    Route(
        "GET",
        ("rest", "v2"),
        (_LOOKUPS, "{id}"),
        lambda call: lookup_entity(call.state, call.request, *call.args),
        "{lookup}",
    ),
    Route(
        "GET",
        ("rest",),
        ("adAnalytics",),
        lambda call: analytics_endpoint(call.state, call.request, call.caller, call.rest_version),
    ),
    Route(
        "GET",
        ("rest",),
        ("adAccounts",),
        lambda call: accounts_collection(call.state, call.request, call.caller),
    ),
    Route(
        "GET",
        ("rest",),
        ("adAccounts", "{id}"),
        lambda call: account_entity(call.state, call.request, call.caller, *call.args),
    ),
    Route(
        "GET",
        ("rest",),
        ("adAccounts", "{id}", _CHILDREN),
        lambda call: account_children(call.state, call.request, call.caller, *call.args),
    ),
    Route(
        "GET",
        ("rest",),
        ("adAccounts", "{id}", _CHILDREN, "{key}"),
        lambda call: account_child(call.state, call.request, call.caller, *call.args),
    ),
    # the unscoped collections exist only to say that the account id belongs in the path (400)
    Route("GET", ("rest",), (_CHILDREN,), lambda call: unscoped(call.args[0])),
)
#: Every route, in matching order.
ROUTES: tuple[Route, ...] = OAUTH_ROUTES + API_ROUTES


def served() -> str:
    """Describe what the emulator serves (for the 404 text), generated from :data:`ROUTES`."""
    lookups = ", ".join(sorted(LOOKUP_RESOURCES))
    return "; ".join(route.describe() for route in ROUTES) + f" (lookup: {lookups})"


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


def dispatch(state: ApiState, request: Request) -> Response:
    """Answer an (untunnelled) request: size check, OAuth or API gates, then the routed endpoint.

    :raises Rejection: from any gate or endpoint (the caller turns it into the answer).
    """
    too_long = _too_long(request)
    if too_long is not None:
        return too_long
    segments = request.segments
    for route in OAUTH_ROUTES:
        args = route.match(segments)
        if args is not None:
            return route.endpoint(Call(state, request, None, None, args))
    if len(segments) < 2 or segments[0] not in _API_ROOTS:
        return _no_route(request)
    if request.method != "GET":
        message = f"{request.method} is not supported on {request.path}; use GET (or tunnel it: POST + X-HTTP-Method-Override: GET)"
        return api_error(405, "METHOD_NOT_ALLOWED", message)
    token = authenticate(request, state.tokens)
    rest = segments[0] == "rest"
    version = check_version(request, state.clock.today()) if rest else None
    request = dataclasses.replace(request, protocol=check_protocol(request, required=rest))
    if not state.quota.admit(endpoint_of(request.path)):
        return dataclasses.replace(
            api_error(
                429,
                "TOO_MANY_REQUESTS",
                DAY_QUOTA_MESSAGE,
                service_error_code=101,
                headers=_retry_after(state),
            ),
            throttle="day",
        )
    for route in API_ROUTES:
        args = route.match(segments)
        if args is not None:
            return route.endpoint(Call(state, request, token, version, args))
    return _no_route(request)


def _retry_after(state: ApiState) -> tuple[tuple[str, str], ...]:
    wait = state.config.retry_after
    return (("Retry-After", str(wait)),) if wait is not None else ()


def _no_route(request: Request) -> Response:
    message = f"The emulator has no resource at {request.method} {request.path[:200]}. It serves: {served()}"
    return api_error(404, "NOT_FOUND", message)
