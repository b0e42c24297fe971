"""Turn LinkedIn's answers into JSON or into the typed errors of ``errors.py``.

This is the only place that reads LinkedIn's error bodies, and :func:`classify_429` is the only
place in the package that reads message *text*: LinkedIn tells its three kinds of 429 apart only
there (``linkedin-api.md`` 10.2). Everything downstream branches on the exception types.

.. code-block:: text

    2xx, JSON object (or empty)     -> dict; a finder's answer must then hold an ``elements`` list
                                       (elements_of), else RestliError: {} or 204 is no report
    2xx, JSON cut at the end        -> TransportError (a body cut mid-way; retried)
    2xx, any other non-object JSON  -> RestliError (malformed or absurdly nested; not retried)
    3xx (any body)                  -> RedirectError (.location_host; never followed, not retried)
    401 (any body, HTML too)        -> UnauthorizedError (.status, .code, .service_error_code)
    non-JSON error body             -> ServerError (gateway HTML), except 414 and 429
    400 / 403 / 404 / 414           -> BadRequestError / PermissionDeniedError / NotFoundError / RequestTooLongError
    426                             -> VersionNotActiveError (.requested_version)
    429                             -> classify_429(): DataThrottleError / DailyQuotaExceededError / ThrottledError
    5xx                             -> ServerError
    any other status                -> APIError

The report engine reads a 2xx answer with :func:`read_elements`: its ``elements`` a batch at a time,
never the whole decoded tree, with the outcome (value or error) of ``decode_json`` + ``elements_of``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import math
import re
import urllib.parse
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_linkedin_ads.client.config import DEFAULT_API_VERSION
from airflow_provider_linkedin_ads.client.element_stream import IrregularAnswer, element_batches
from airflow_provider_linkedin_ads.errors import (
    APIError,
    BadRequestError,
    DailyQuotaExceededError,
    DataThrottleError,
    InputError,
    LinkedInAdsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RedirectError,
    RequestTooLongError,
    RestliError,
    ServerError,
    ThrottledError,
    TransportError,
    UnauthorizedError,
    VersionNotActiveError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import requests

    from airflow_provider_linkedin_ads.errors import RequestSummary

__all__ = [
    "classify_429",
    "decode_json",
    "elements_of",
    "error_from_answer",
    "error_from_response",
    "next_utc_midnight",
    "parse_retry_after",
    "preview",
    "read_elements",
]

T = TypeVar("T")

#: Elements decoded at a time by :func:`read_elements`: small next to an answer (15,000 at most),
#: large enough that the per-batch work is negligible.
ELEMENT_BATCH = 500

#: Characters of a non-JSON body kept in an error message.
PREVIEW_CHARS = 300

_BY_STATUS: Mapping[int, type[APIError]] = {
    400: BadRequestError,
    403: PermissionDeniedError,
    404: NotFoundError,
    414: RequestTooLongError,
}
# Statuses whose meaning does not depend on the body: LinkedIn's edge may answer them in plain text.
_STATUS_WINS_OVER_BODY = frozenset({414, 429})
# What a body cut inside a value leaves at the point where decoding failed.
_JSON_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")
_NUMBER_FRAGMENT = re.compile(r"-?[0-9.eE+-]{0,40}")
_DATA_THROTTLE_MARKERS = ("45 million", "data request limit")
# "APPLICATION_AND_MEMBER DAY limit", "APPLICATION DAY limit", "MEMBER_DAY": DAY not inside a word.
_DAY_WINDOW = re.compile(r"(?<![A-Za-z])DAY(?![A-Za-z])")


def classify_429(
    status: int, body: Mapping[str, Any] | str | None, headers: Mapping[str, str] | None = None
) -> type[RateLimitError]:
    """Tell which kind of 429 LinkedIn sent: data throttle, daily quota, or short-window throttle.

    All three share status 429 and code ``TOO_MANY_REQUESTS``; only the message differs, so this
    function is the single place allowed to read it. Order matters: the data-throttle wording first,
    then a ``DAY`` window token, else a short-window throttle.

    :param status: the HTTP status (kept for symmetry; anything but 429 still classifies by body).
    :param body: the decoded JSON error body, or the raw text when it was not JSON.
    :param headers: the answer's headers (LinkedIn sends no window header today; accepted so a
        future one can be read here without changing callers).
    """
    text = _message_text(body)
    lowered = text.lower()
    if any(marker in lowered for marker in _DATA_THROTTLE_MARKERS):
        return DataThrottleError
    if _DAY_WINDOW.search(text):
        return DailyQuotaExceededError
    return ThrottledError


def _message_text(body: Mapping[str, Any] | str | None) -> str:
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    return " ".join(str(body.get(key) or "") for key in ("message", "code", "error_description"))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Parse ``Retry-After`` (delta seconds or an HTTP date) into non-negative seconds.

    :param value: the header value, or ``None`` when absent.
    :param now: the current POSIX time, for HTTP dates.
    :returns: seconds to wait, or ``None`` when absent or unreadable.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until_http_date(text, now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _seconds_until_http_date(text: str, now: float) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; obsolete forms may lack the zone
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)


def next_utc_midnight(now: float) -> dt.datetime:
    """Return the next 00:00 UTC after ``now`` (when LinkedIn's daily quotas reset)."""
    today = dt.datetime.fromtimestamp(now, tz=dt.UTC).date()
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def preview(text: str) -> str:
    """Return the first :data:`PREVIEW_CHARS` characters of ``text`` with whitespace collapsed."""
    collapsed = " ".join(text.split())
    return collapsed if len(collapsed) <= PREVIEW_CHARS else collapsed[:PREVIEW_CHARS] + "..."


def decode_json(content: bytes, status: int) -> dict[str, Any]:
    """Decode a successful answer; an empty body is ``{}`` (a finder's caller then refuses it).

    JSON numbers with a fraction become :class:`~decimal.Decimal`, never ``float``: LinkedIn's
    BigDecimal metrics normally arrive as strings, but if one arrives as a number its digits must
    survive. The report engine converts ``double`` metrics to ``float`` by their catalogue type.

    Retry semantics follow where decoding failed: a body that breaks off at its end was cut in
    transit and is worth asking for again; a complete body that is malformed, nested beyond
    Python's recursion limit, or not a JSON object would come back the same, so it is not retried.

    :raises TransportError: when the JSON ends early (typically cut mid-body).
    :raises RestliError: for any other undecodable body.
    """
    if not content.strip():
        return {}
    try:
        data = json.loads(content, parse_float=Decimal)
    except RecursionError:
        raise RestliError(f"HTTP {status} answer is JSON nested too deeply to decode") from None
    except UnicodeDecodeError as err:
        if err.end >= len(content) - 3:  # a multi-byte character cut at the end
            raise TransportError(
                f"HTTP {status} answer ends inside a UTF-8 character (cut mid-body?)"
            ) from err
        raise RestliError(f"HTTP {status} answer is not UTF-8 text") from None
    except json.JSONDecodeError as err:
        if _ends_early(err):
            raise TransportError(
                f"HTTP {status} answer is not valid JSON (cut mid-body?): {preview(err.doc)}"
            ) from err
        raise RestliError(
            f"HTTP {status} answer is not valid JSON ({err.msg} at character {err.pos}): {preview(err.doc)}",
            position=err.pos,
        ) from None
    except ValueError as err:  # a number too long to convert, and the like
        raise RestliError(f"HTTP {status} answer cannot be decoded ({type(err).__name__})") from None
    if not isinstance(data, dict):
        raise RestliError(f"HTTP {status} answer is JSON but not an object: {type(data).__name__}")
    return data


def _ends_early(err: json.JSONDecodeError) -> bool:
    """Tell whether decoding failed only because the text stops: in a string, literal or number, or at the end."""
    rest = err.doc[err.pos :].rstrip()
    return (
        err.msg.startswith("Unterminated string")
        or any(literal.startswith(rest) for literal in _JSON_LITERALS)
        or _NUMBER_FRAGMENT.fullmatch(rest) is not None
    )


def elements_of(response: Mapping[str, Any], *, resource: str) -> list[dict[str, Any]]:
    """Return the ``elements`` list of a finder's answer: the one check shared by hook and engine.

    An empty body, ``{}`` or a 204 decodes to a mapping without ``elements``: reading that as
    "no activity" would land an empty report for an answer that was never one.

    :param response: the decoded answer.
    :param resource: the resource, for the message (``"adAnalytics"``).
    :raises RestliError: when ``elements`` is missing or not a list of objects.
    """
    elements = response.get("elements") if isinstance(response, Mapping) else None
    if not isinstance(elements, list):
        found = "no 'elements'" if elements is None else f"'elements' of type {type(elements).__name__}"
        raise RestliError(f"{resource} answered without an 'elements' list ({found}): not a report")
    if not all(isinstance(item, dict) for item in elements):
        raise RestliError(f"{resource} answered with an 'elements' list holding a non-object")
    return elements


def read_elements(
    content: bytes | Sequence[bytes],
    status: int,
    read: Callable[[Iterable[list[dict[str, Any]]]], T],
    *,
    resource: str,
    batch: int | None = None,
) -> T:
    """Hand a finder answer's ``elements`` to ``read`` in batches, never decoding the whole answer at once.

    A report answer is one large ``elements`` list (15,000 rows: a ~4 MiB body, a ~15 MiB tree of
    dicts once decoded); ``read`` gets its elements ``batch`` at a time, each decoded exactly as
    :func:`decode_json` decodes it, so only a batch and what ``read`` keeps of it are alive. The
    body may be given in the pieces it arrived in: they are decoded as they come
    (:mod:`~.element_stream`), so no whole text and no contiguous copy of the body is made.
    ``read`` must consume every batch (the body is checked to its end while the batches come) and
    may be called twice: when the body is not a regular answer (cut, malformed, nested too deeply,
    not an object, no ``elements`` list of objects, two ``elements`` keys, another encoding than
    UTF-8), the batches stop, and the body is decoded whole by :func:`decode_json` and
    :func:`elements_of`, which raise their documented errors (a cut body: ``TransportError``,
    retried), or, when they accept it, ``read`` is called again with all the elements as one batch.
    The outcome, value or error, is therefore the one of
    ``read(elements_of(decode_json(content, status)))``.

    :param content: the body of a 2xx answer, whole or as its pieces in order.
    :param status: its HTTP status, for messages.
    :param read: consumes the batches and returns the result (it must let unknown exceptions pass).
    :param resource: the resource, for the message of :func:`elements_of`.
    :param batch: elements per batch (default :data:`ELEMENT_BATCH`).

    .. code-block:: python

        rows = read_elements(body, 200, lambda batches: sum(map(len, batches)), resource="adAnalytics")
    """
    pieces = (content,) if isinstance(content, bytes) else content
    try:
        return read(element_batches(pieces, max(1, ELEMENT_BATCH if batch is None else batch)))
    except IrregularAnswer:
        pass
    return read([elements_of(decode_json(b"".join(pieces), status), resource=resource)])


def error_from_response(
    response: requests.Response, *, requested_version: str, summary: RequestSummary | None, now: float
) -> LinkedInAdsError:
    """Build the typed error for an unsuccessful ``requests`` response (see :func:`error_from_answer`)."""
    return error_from_answer(
        response.status_code,
        response.content,
        response.headers,
        reason=response.reason or "",
        requested_version=requested_version,
        summary=summary,
        now=now,
    )


def error_from_answer(
    status: int,
    content: bytes,
    headers: Mapping[str, str],
    *,
    reason: str = "",
    requested_version: str,
    summary: RequestSummary | None,
    now: float,
) -> LinkedInAdsError:
    """Build the typed error for an error answer (the table in the module docstring).

    :param status: the HTTP status (>= 300).
    :param content: the raw body.
    :param headers: the answer's headers (``Retry-After`` is read case-insensitively).
    :param reason: the HTTP reason phrase, used when the body has no message.
    :param requested_version: the ``LinkedIn-Version`` the request sent (named by a 426).
    :param summary: token-free description of the request, attached to :class:`APIError`.
    :param now: current POSIX time, for ``Retry-After`` dates and a daily quota's reset.
    """
    if 300 <= status < 400:
        return _redirect(status, headers, reason, summary)
    body, text = _parse_body(content)
    retry_after = parse_retry_after(_header(headers, "Retry-After"), now)
    if status == 401:  # whatever the body (JSON or an edge's HTML page): the token was refused
        return UnauthorizedError(
            _message(body, text, reason, status),
            status=status,
            request_summary=summary,
            **_body_fields(body or {}),
        )
    if body is None and status not in _STATUS_WINS_OVER_BODY:
        message = f"non-JSON answer: {preview(text)}"
        return ServerError(message, status=status, request_summary=summary, retry_after=retry_after)
    fields = _body_fields(body or {})
    message = _message(body, text, reason, status)
    common: dict[str, Any] = {"status": status, "request_summary": summary, "retry_after": retry_after}
    common.update(fields, input_errors=_input_errors(body or {}))
    if status == 426:
        return VersionNotActiveError(
            _version_message(requested_version, message), requested_version=requested_version, **common
        )
    if status == 429:
        kind = classify_429(status, body if body is not None else text, headers)
        if kind is DailyQuotaExceededError:
            return DailyQuotaExceededError(message, resets_at=next_utc_midnight(now), **common)
        return kind(message, **common)
    kind_by_status = ServerError if status >= 500 else _BY_STATUS.get(status, APIError)
    return kind_by_status(message, **common)


def _redirect(
    status: int, headers: Mapping[str, str], reason: str, summary: RequestSummary | None
) -> RedirectError:
    """Build the error of a 3xx, naming the ``Location`` host only (path and query may hold a ticket)."""
    location = _header(headers, "Location")
    try:
        host = urllib.parse.urlsplit(location).hostname if location else None
    except ValueError:  # a malformed Location (bad IPv6 literal) names no host
        host = None
    where = f"to host {host}" if host else "without a usable Location"
    return RedirectError(
        f"redirect {where} ({reason or 'no reason given'}): LinkedIn does not redirect API calls, so a proxy "
        "or single-sign-on page answered instead; check the network path and api_base_url",
        status=status,
        request_summary=summary,
        location_host=host,
    )


def _parse_body(content: bytes) -> tuple[Mapping[str, Any] | None, str]:
    """Return (JSON object or ``None`` when the body is not one, body text); empty is ``{}``."""
    text = content.decode("utf-8", errors="replace")
    if not text.strip():
        return {}, ""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # an absurdly nested error body is just not JSON to us
        return None, text
    return (data if isinstance(data, Mapping) else None), text


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    return next((item for key, item in headers.items() if key.lower() == lowered), None)


def _body_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    code = body.get("code")
    return {
        "code": None if code is None else str(code),
        "service_error_code": _int_or_none(body.get("serviceErrorCode")),
    }


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _input_errors(body: Mapping[str, Any]) -> list[InputError]:
    details = body.get("errorDetails")
    items = details.get("inputErrors") if isinstance(details, Mapping) else None
    if not isinstance(items, list):
        return []
    return [InputError.from_json(item) for item in items if isinstance(item, Mapping)]


def _message(body: Mapping[str, Any] | None, text: str, reason: str, status: int) -> str:
    if body is not None:
        found = body.get("message")
        if found:
            return str(found)
        return reason or f"HTTP {status}"
    return preview(text) or reason or f"HTTP {status}"


def _version_message(requested_version: str, linkedin_message: str) -> str:
    return (
        f"LinkedIn-Version {requested_version} is no longer active; set api_version (connection extra or "
        f"operator argument) to a current version such as {DEFAULT_API_VERSION} "
        f"(LinkedIn said: {linkedin_message})"
    )
