"""Rest.li collection shapes shared by the entity and lookup endpoints: cursor pages and batch gets.

* Finder pages: ``{"elements": [...], "paging": {...}, "metadata": {"nextPageToken": "..."}}``, with
  ``pageSize``/``pageToken`` cursor paging (LinkedIn's ad-entity search since 202401). The last page has
  no ``nextPageToken``.
* Index pages (the ad-entity finders before 202401): ``start``/``count`` (default 10) answer
  ``{"elements": [...], "paging": {"start": s, "count": n, "total": t, "links": []}}``; mixing them
  with ``pageSize``/``pageToken`` is a 400.
* A server-side ``limit`` caps every page below what was asked (LinkedIn may return fewer elements
  than ``pageSize``; clients must follow the token, not count elements).
* Batch gets: ``{"results": {key: {...}}, "statuses": {key: 200}, "errors": {key: {...}}}`` with keys
  reduced-encoded; a missing key lands in ``errors`` while the call itself answers 200.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads import restli
from airflow_provider_linkedin_ads.testing.params import INVALID, reject
from airflow_provider_linkedin_ads.testing.responses import Response, json_response

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from airflow_provider_linkedin_ads.testing.params import Params

__all__ = ["DEFAULT_INDEX_COUNT", "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "batch_response", "page_response"]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
#: Rest.li's default ``count`` of index paging.
DEFAULT_INDEX_COUNT = 10
_TOKEN_PREFIX = b"emulator-offset:"


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(_TOKEN_PREFIX + str(offset).encode()).decode().rstrip("=")


def _offset(params: Params) -> int:
    value = params.get("pageToken")
    if value is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(str(value) + "=" * (-len(str(value)) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    digits = raw[len(_TOKEN_PREFIX) :]
    if not raw.startswith(_TOKEN_PREFIX) or not digits.isdigit() or len(digits) > 12:
        raise reject(
            INVALID, "pageToken", "pageToken is not a token this server issued (use metadata.nextPageToken)"
        )
    return int(digits)


def page_response(
    elements: Sequence[dict[str, Any]], params: Params, *, limit: int | None = None
) -> Response:
    """Build one page of ``elements``: by cursor (``pageSize``/``pageToken``) or by index (``start``/``count``).

    :param elements: every matching element, in a stable order.
    :param params: the request's parameters.
    :param limit: most elements per page whatever was asked (``EmulatorConfig.page_size``).
    """
    if "start" in params or "count" in params:
        return _index_page(elements, params, limit)
    size = params.int_value("pageSize", default=DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE)
    size = size if limit is None else min(size, limit)
    offset = _offset(params)
    chunk = list(elements[offset : offset + size])
    metadata: dict[str, Any] = {}
    if offset + size < len(elements):
        metadata["nextPageToken"] = _token(offset + size)
    body = {"elements": chunk, "paging": {"start": 0, "count": size, "links": []}, "metadata": metadata}
    return json_response(body)


def _index_page(elements: Sequence[dict[str, Any]], params: Params, limit: int | None) -> Response:
    for name in ("pageSize", "pageToken"):
        if name in params:
            raise reject(INVALID, name, f"{name} is cursor paging; do not mix it with start/count")
    start = params.int_value("start", default=0, minimum=0, maximum=10**9)
    count = params.int_value("count", default=DEFAULT_INDEX_COUNT, minimum=1, maximum=MAX_PAGE_SIZE)
    size = count if limit is None else min(count, limit)
    chunk = list(elements[start : start + size])
    paging = {"start": start, "count": size, "total": len(elements), "links": []}
    return json_response({"elements": chunk, "paging": paging})


def batch_response(keys: Sequence[str], fetch: Callable[[str], dict[str, Any] | Response]) -> Response:
    """Build a batch-get answer: each key's entity in ``results`` or its error in ``errors``.

    :param keys: the decoded keys, in request order.
    :param fetch: key -> the entity JSON, or an error :class:`Response` (its status and body are used).
    """
    results: dict[str, Any] = {}
    statuses: dict[str, int] = {}
    errors: dict[str, Any] = {}
    for key in keys:
        wire_key = restli.reduced_encode(key)
        found = fetch(key)
        if isinstance(found, Response):
            statuses[wire_key] = found.status
            errors[wire_key] = _error_json(found)
        else:
            statuses[wire_key] = 200
            results[wire_key] = found
    return json_response({"results": results, "statuses": statuses, "errors": errors})


def _error_json(response: Response) -> Any:
    return json.loads(response.body)
