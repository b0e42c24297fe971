"""Name lookups for ``pivotValues`` URNs (``linkedin-api.md`` section 13), under ``/rest`` and ``/v2``.

``organizationsLookup``, ``geo``, ``titles``, ``functions``, ``seniorities`` and ``industries`` answer
batch gets (``ids=List(1,2)`` -> ``results``/``statuses``/``errors``; an unknown id lands in
``errors`` with 404), single gets (``/v2/geo/1``) and, for the standardized-data sets, a plain
GET of everything. Keys are numeric ids; the names come from the world (``World.names``).

Shapes: organizations ``{"id", "localizedName", "vanityName"}``; geo
``{"id", "defaultLocalizedName": {"locale": {...}, "value"}}``; titles, functions, seniorities and
industries ``{"id", "name": {"localized": {"en_US": ...}}}``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.testing.paging import batch_response
from airflow_provider_linkedin_ads.testing.params import NOT_ALLOWED, Params, is_id, reject
from airflow_provider_linkedin_ads.testing.responses import Response, api_error, json_response

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing.request import Request
    from airflow_provider_linkedin_ads.testing.state import ApiState

__all__ = ["LOOKUP_RESOURCES", "lookup_collection", "lookup_entity"]

#: URL resource name -> the ``World.names`` kind behind it.
LOOKUP_RESOURCES: dict[str, str] = {
    "organizationsLookup": "organization",
    "geo": "geo",
    "titles": "title",
    "functions": "function",
    "seniorities": "seniority",
    "industries": "industry",
}
_LIST_ALL = frozenset({"titles", "functions", "seniorities", "industries"})
_LOCALE = {"country": "US", "language": "en"}
_SLUG = re.compile(r"[^a-z0-9]+")


def _entity(kind: str, key: str, name: str) -> dict[str, Any]:
    number = int(key)
    if kind == "organization":
        return {"id": number, "localizedName": name, "vanityName": _SLUG.sub("-", name.lower()).strip("-")}
    if kind == "geo":
        return {"id": number, "defaultLocalizedName": {"locale": dict(_LOCALE), "value": name}}
    return {"id": number, "name": {"localized": {"en_US": name}, "preferredLocale": dict(_LOCALE)}}


def _names(state: ApiState, kind: str) -> dict[str, str]:
    return {str(key): str(value) for key, value in state.world.names(kind).items()}


def _not_found(resource: str, key: str) -> Response:
    return api_error(404, "NOT_FOUND", f"{resource} {key!r} does not exist")


def lookup_collection(state: ApiState, request: Request, resource: str) -> Response:
    """``GET /{rest|v2}/{resource}?ids=List(...)`` (batch get) or, for standardized data, get-all.

    :param resource: a key of :data:`LOOKUP_RESOURCES`.
    """
    params = Params.of(request)
    _check_params(params, {"ids", "locale"})
    kind = LOOKUP_RESOURCES[resource]
    names = _names(state, kind)
    if "ids" not in params:
        if resource not in _LIST_ALL:
            raise reject("MISSING_FIELD", "ids", f"{resource} needs ids=List(<id>,...)")
        elements = [
            _entity(kind, key, name) for key, name in sorted(names.items(), key=lambda item: int(item[0]))
        ]
        paging = {"start": 0, "count": len(elements), "total": len(elements), "links": []}
        return json_response({"elements": elements, "paging": paging})
    ids = params.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(item, str) for item in ids):
        raise reject("INVALID_VALUE_FOR_FIELD", "ids", "ids must be a non-empty List(<numeric id>,...)")

    def fetch(key: str) -> dict[str, Any] | Response:
        if not is_id(key):
            raise reject(
                "INVALID_VALUE_FOR_FIELD", "ids", f"{resource} keys are numeric ids, not {key[:60]!r}"
            )
        name = names.get(str(int(key)))
        return _not_found(resource, key) if name is None else _entity(kind, key, name)

    return batch_response([str(item) for item in ids], fetch)


def lookup_entity(state: ApiState, request: Request, resource: str, key: str) -> Response:
    """``GET /{rest|v2}/{resource}/{id}``, e.g. the Reporting page's ``/v2/geo/1``."""
    _check_params(Params.of(request), {"locale"})
    if not is_id(key):
        raise reject("INVALID_VALUE_FOR_FIELD", "id", f"{resource} keys are numeric ids, not {key[:60]!r}")
    kind = LOOKUP_RESOURCES[resource]
    name = _names(state, kind).get(str(int(key)))
    return _not_found(resource, key) if name is None else json_response(_entity(kind, key, name))


def _check_params(params: Params, allowed: set[str]) -> None:
    for name in sorted(params.names() - allowed):
        raise reject(NOT_ALLOWED, name, f"{name!r} is not a parameter of this lookup")
