"""The ad-entity endpoints around ``adAnalytics``, answered from the same synthetic world.

* ``/rest/adAccounts``: ``q=search`` (``search=(id:(values:List(..)),status:(values:List(ACTIVE)),
  type:(values:List(BUSINESS)),name:..,reference:..,test:false)``), batch get ``ids=List(1,2)``, and
  ``/rest/adAccounts/{id}``. Search lists only the accounts the token's member can see.
* ``/rest/adAccounts/{id}/adCampaignGroups`` and ``.../adCampaigns``: ``q=search`` and batch get by
  **numeric** ids (a URN key is a 400, like LinkedIn's ``NumberFormatException``), single gets.
* ``/rest/adAccounts/{id}/creatives``: ``q=criteria`` (``campaigns``, ``creatives``,
  ``intendedStatuses``) and batch get by **encoded creative URNs**, single get by encoded URN.
* The unscoped ``/rest/adCampaigns`` etc. answer 400: the account id must be in the path.

Finders page with ``pageSize``/``pageToken`` (cursor, API 202401+) or ``start``/``count`` (index
paging of older versions; see :mod:`.paging`), at most ``EmulatorConfig.page_size`` elements per page
when set. These endpoints need the ``r_ads`` scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from airflow_provider_linkedin_ads.testing.paging import batch_response, page_response
from airflow_provider_linkedin_ads.testing.params import INVALID, MISSING, NOT_ALLOWED, Params, is_id, reject
from airflow_provider_linkedin_ads.testing.responses import Rejection, Response, api_error, json_response

if TYPE_CHECKING:
    from collections.abc import Callable

    from airflow_provider_linkedin_ads.restli import Decoded
    from airflow_provider_linkedin_ads.testing.oauth import Token
    from airflow_provider_linkedin_ads.testing.request import Request
    from airflow_provider_linkedin_ads.testing.state import ApiState

__all__ = [
    "CHILD_RESOURCES",
    "account_child",
    "account_children",
    "account_entity",
    "accounts_collection",
    "unscoped",
]

#: Account-scoped child collections and the search criteria each accepts.
CHILD_RESOURCES: dict[str, frozenset[str]] = {
    "adCampaignGroups": frozenset({"id", "status", "name", "test"}),
    "adCampaigns": frozenset({"id", "status", "type", "name", "campaignGroup", "objectiveType", "test"}),
    "creatives": frozenset(),
}
_ACCOUNT_CRITERIA = frozenset({"id", "status", "type", "name", "reference", "test"})
_PAGING = frozenset({"pageSize", "pageToken", "start", "count", "sortOrder"})
_CREATIVE_CRITERIA = frozenset(
    {"campaigns", "creatives", "intendedStatuses", "isTestAccount", "isTotalIncluded"}
)
_CREATIVE_URN = "urn:li:sponsoredCreative:"

Json = dict[str, Any]


def _need_scope(token: Token) -> None:
    if "r_ads" not in token.scope.split(","):
        message = "Not enough permissions to access ad entities: the token lacks the r_ads scope"
        raise Rejection(api_error(403, "USER_NOT_AUTHORIZED", message, service_error_code=100))


def _method(request: Request, params: Params) -> str:
    """``BATCH_GET``, ``FINDER`` or ``GET``; an ``X-RestLi-Method`` header must agree."""
    if "ids" in params and "q" in params:
        raise reject(INVALID, "ids", "send either ids=List(...) (batch get) or q=... (finder), not both")
    method = "BATCH_GET" if "ids" in params else "FINDER" if "q" in params else "GET_ALL"
    header = (request.header("X-RestLi-Method") or method).upper()
    if header != method:
        raise reject(
            INVALID, "X-RestLi-Method", f"X-RestLi-Method {header} does not match this {method} request"
        )
    return method


def _numeric(value: Decoded, field: str) -> int:
    if isinstance(value, str) and is_id(value):
        return int(value)
    message = (
        f'Invalid value for key {field!r}: java.lang.NumberFormatException: For input string: "{value}" '
        "(keys of this resource are numeric ids, not URNs)"
    )
    raise reject(INVALID, field, message)


def _tail(value: str) -> str:
    return value.rsplit(":", 1)[-1]


def _visible(state: ApiState, token: Token) -> frozenset[int]:
    return state.world.accounts_for_member(token.member)


def _account(state: ApiState, token: Token, key: str) -> int:
    account_id = _numeric(unquote(key), "accountId")
    if account_id not in state.world.accounts:
        raise Rejection(api_error(404, "NOT_FOUND", f"ad account {account_id} does not exist"))
    if account_id not in _visible(state, token):
        message = f"the member has no role on ad account {account_id}"
        raise Rejection(api_error(403, "USER_NOT_AUTHORIZED", message, service_error_code=100))
    return account_id


def unscoped(resource: str) -> Response:
    """Answer the unscoped ``/rest/adCampaigns`` family: the account id belongs in the path."""
    message = (
        f"/rest/{resource} is account-scoped in the versioned API: call /rest/adAccounts/{{accountId}}/{resource} "
        "(the account id must be in the path)"
    )
    return api_error(400, "INVALID_VALUE_FOR_FIELD", message)


def accounts_collection(state: ApiState, request: Request, token: Token) -> Response:
    """``GET /rest/adAccounts`` with ``q=search`` or ``ids=List(...)``."""
    _need_scope(token)
    params = Params.of(request)
    method = _method(request, params)
    world, visible = state.world, _visible(state, token)
    if method == "BATCH_GET":
        _only(params, {"ids"})

        def fetch(key: str) -> Json | Response:
            account_id = _numeric(key, "ids")
            if account_id not in world.accounts:
                return api_error(404, "NOT_FOUND", f"ad account {account_id} does not exist")
            if account_id not in visible:
                return api_error(403, "USER_NOT_AUTHORIZED", f"no role on ad account {account_id}")
            return world.account_json(account_id)

        return batch_response(_keys(params), fetch)
    _finder(params, "search", {"q", "search", *_PAGING})
    rows = [world.account_json(account_id) for account_id in sorted(visible) if account_id in world.accounts]
    rows = _filter(rows, _criteria(params, _ACCOUNT_CRITERIA), params)
    return page_response(rows, params, limit=state.config.page_size)


def account_entity(state: ApiState, request: Request, token: Token, key: str) -> Response:
    """``GET /rest/adAccounts/{id}``."""
    _need_scope(token)
    _only(Params.of(request), set())
    return json_response(state.world.account_json(_account(state, token, key)))


def _children(state: ApiState, account_id: int, resource: str) -> dict[int, Callable[[], Json]]:
    world = state.world
    if resource == "adCampaignGroups":
        groups = world.campaign_groups
        return {
            gid: _bind(world.campaign_group_json, gid)
            for gid, g in groups.items()
            if g.account_id == account_id
        }
    if resource == "adCampaigns":
        items = world.campaigns
        return {
            cid: _bind(world.campaign_json, cid) for cid, c in items.items() if c.account_id == account_id
        }
    creatives = world.creatives
    return {
        cid: _bind(world.creative_json, cid) for cid, c in creatives.items() if c.account_id == account_id
    }


def _bind(function: Callable[[int], Json], key: int) -> Callable[[], Json]:
    return lambda: function(key)


def account_children(state: ApiState, request: Request, token: Token, key: str, resource: str) -> Response:
    """``GET /rest/adAccounts/{id}/{adCampaignGroups|adCampaigns|creatives}`` (finder or batch get)."""
    _need_scope(token)
    account_id = _account(state, token, key)
    params = Params.of(request)
    children = _children(state, account_id, resource)
    if _method(request, params) == "BATCH_GET":
        _only(params, {"ids"})
        return batch_response(_keys(params), lambda item: _child_or_error(children, resource, item))
    rows = [children[child_id]() for child_id in sorted(children)]
    if resource == "creatives":
        _finder(params, "criteria", {"q", *_CREATIVE_CRITERIA, *_PAGING})
        rows = _filter(rows, _creative_criteria(params), params)
        return page_response(rows, params, limit=state.config.page_size)
    _finder(params, "search", {"q", "search", *_PAGING})
    rows = _filter(rows, _criteria(params, CHILD_RESOURCES[resource]), params)
    return page_response(rows, params, limit=state.config.page_size)


def account_child(
    state: ApiState, request: Request, token: Token, key: str, resource: str, child: str
) -> Response:
    """``GET /rest/adAccounts/{id}/{resource}/{key}`` (creatives keyed by encoded URN)."""
    _need_scope(token)
    account_id = _account(state, token, key)
    _only(Params.of(request), set())
    found = _child_or_error(_children(state, account_id, resource), resource, unquote(child))
    return found if isinstance(found, Response) else json_response(found)


def _child_or_error(children: dict[int, Callable[[], Json]], resource: str, key: str) -> Json | Response:
    if resource == "creatives":
        if not key.startswith(_CREATIVE_URN) or not is_id(_tail(key)):
            raise reject(
                INVALID,
                "ids",
                f"creative keys are encoded URNs like urn%3Ali%3AsponsoredCreative%3A789, not {key!r}",
            )
        child_id = int(_tail(key))
    else:
        child_id = _numeric(key, "ids")
    if child_id not in children:
        return api_error(404, "NOT_FOUND", f"{key} does not exist in this ad account")
    return children[child_id]()


def _keys(params: Params) -> list[str]:
    value = params.get("ids")
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise reject(INVALID, "ids", "ids must be a non-empty List(...) of keys")
    return [str(item) for item in value]


def _only(params: Params, allowed: set[str]) -> None:
    for name in sorted(params.names() - allowed):
        raise reject(NOT_ALLOWED, name, f"{name!r} is not a parameter of this request")


def _finder(params: Params, name: str, allowed: set[str]) -> None:
    if params.get("q") != name:
        raise reject(
            MISSING if "q" not in params else INVALID,
            "q",
            f"this collection answers q={name} or ids=List(...)",
        )
    _only(params, allowed)


def _criteria(params: Params, allowed: frozenset[str]) -> dict[str, set[str]]:
    search = params.get("search")
    if search is None:
        return {}
    if not isinstance(search, dict):
        raise reject(INVALID, "search", "search must be a record, e.g. search=(status:(values:List(ACTIVE)))")
    criteria: dict[str, set[str]] = {}
    for key, value in search.items():
        if key not in allowed:
            raise reject(
                INVALID,
                f"search.{key}",
                f"unknown search criterion {key!r}; known: {', '.join(sorted(allowed))}",
            )
        if key == "test":
            criteria[key] = {str(value)}
            continue
        values = value.get("values") if isinstance(value, dict) else None
        if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
            raise reject(INVALID, f"search.{key}", f"search.{key} must be (values:List(...))")
        criteria[key] = {str(item) for item in values}
    return criteria


def _creative_criteria(params: Params) -> dict[str, set[str]]:
    criteria: dict[str, set[str]] = {}
    for name, field in (
        ("campaigns", "campaign"),
        ("creatives", "id"),
        ("intendedStatuses", "intendedStatus"),
    ):
        value = params.get(name)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise reject(INVALID, name, f"{name} must be List(...)")
        criteria[field] = {str(item) for item in value}
    return criteria


def _matches(row: Json, key: str, wanted: set[str]) -> bool:
    if key == "test":
        return str(row.get("test", row.get("isTest", False))).lower() in {item.lower() for item in wanted}
    value = row.get(key)
    if key in ("id", "campaign", "campaignGroup"):
        return _tail(str(value)) in {_tail(item) for item in wanted}
    return str(value) in wanted


def _filter(rows: list[Json], criteria: dict[str, set[str]], params: Params) -> list[Json]:
    kept = [row for row in rows if all(_matches(row, key, wanted) for key, wanted in criteria.items())]
    order = params.get("sortOrder")
    if order not in (None, "ASCENDING", "DESCENDING"):
        raise reject(INVALID, "sortOrder", "sortOrder is ASCENDING or DESCENDING")
    return kept[::-1] if order == "DESCENDING" else kept
