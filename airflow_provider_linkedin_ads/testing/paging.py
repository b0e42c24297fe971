"""Rest.li collection shapes shared by the entity and lookup endpoints: cursor pages and batch gets.

* Finder pages: ``{"elements": [...], "paging": {...}, "metadata": {"nextPageToken": "..."}}``, with
  ``pageSize``/``pageToken`` cursor paging (LinkedIn's ad-entity search since 2024). The last page has
  no ``nextPageToken``.
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

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "batch_response", "page_response"]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
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


def page_response(elements: Sequence[dict[str, Any]], params: Params) -> Response:
    """Build one cursor page of ``elements`` as selected by ``pageSize`` and ``pageToken``.

    :param elements: every matching element, in a stable order.
    :param params: the request's parameters.
    """
    size = params.int_value("pageSize", default=DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE)
    offset = _offset(params)
    chunk = list(elements[offset : offset + size])
    metadata: dict[str, Any] = {}
    if offset + size < len(elements):
        metadata["nextPageToken"] = _token(offset + size)
    body = {"elements": chunk, "paging": {"start": 0, "count": size, "links": []}, "metadata": metadata}
    return json_response(body)


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
