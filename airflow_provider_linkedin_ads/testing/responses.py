"""Responses of the emulator and LinkedIn's error bodies, built in one place.

Every rejection explains itself: the body names the offending parameter or header and says what
the real API expects, so a failing test reads like a diagnosis (the idea of ``responses``'
matchers returning a reason). Body shapes follow ``linkedin-api.md`` sections 9 and 10.
"""

from __future__ import annotations

import decimal
import json
from dataclasses import dataclass
from typing import Any

from airflow_provider_linkedin_ads.errors import LinkedInAdsError

__all__ = [
    "DATA_THROTTLE_MESSAGE",
    "DAY_QUOTA_MESSAGE",
    "SHORT_THROTTLE_MESSAGE",
    "Rejection",
    "Response",
    "api_error",
    "encode_json",
    "gateway_html",
    "input_error",
    "json_response",
    "oauth_error",
]

#: LinkedIn's data-throttle text (the client classifies 429s by it, so it is kept verbatim).
DATA_THROTTLE_MESSAGE = (
    "The data request limit has been exceeded. More than 45 million metric values were requested in a "
    "5-minute window. Reduce data load by specifying only required fields using the fields parameter."
)
#: The daily-quota text observed from LinkedIn; it names the ``DAY`` window.
DAY_QUOTA_MESSAGE = (
    "Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached."
)
#: A short-window throttle text (no ``DAY``, not the data throttle).
SHORT_THROTTLE_MESSAGE = (
    "Resource level throttle APPLICATION_AND_MEMBER MINUTE limit for calls to this resource is reached."
)

_BAD_REQUEST_TYPE = "com.linkedin.common.error.BadRequest"


@dataclass(frozen=True)
class Response:
    """One answer of the emulator, before it is written to the socket.

    :param status: HTTP status.
    :param body: the complete body.
    :param content_type: the ``Content-Type`` header.
    :param headers: extra headers, e.g. ``Retry-After``.
    :param metric_values: metric values served (fields x rows), for the counters.
    :param action: ``"reset"`` (close without answering) or ``"cut"`` (send half the body and close).
    :param fault: the injected fault kind, when this answer is a fault.
    :param throttle: ``"data"`` or ``"day"`` when the emulator's own throttles answered 429.
    """

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    metric_values: int = 0
    action: str | None = None
    fault: str | None = None
    throttle: str | None = None


class Rejection(LinkedInAdsError):
    """Raised inside a handler to answer early with ``response`` (validation, auth, throttling).

    It never leaves the emulator: the dispatcher turns it into the HTTP answer.

    :param response: the answer to send.
    """

    def __init__(self, response: Response) -> None:
        super().__init__(f"HTTP {response.status}")
        self.response = response


def _json_default(value: object) -> str:
    # Money stays exact: a Decimal that slipped through becomes the decimal string LinkedIn sends.
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode_json(data: object) -> bytes:
    """Serialise ``data`` compactly (Decimals as strings), as the emulator writes every JSON body."""
    return json.dumps(data, separators=(",", ":"), default=_json_default, ensure_ascii=False).encode("utf-8")


def json_response(data: object, status: int = 200, *, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    """Answer ``data`` as JSON.

    :param data: any JSON-serialisable value.
    :param status: the HTTP status.
    :param headers: extra headers.
    """
    return Response(status, encode_json(data), headers=headers)


def api_error(
    status: int,
    code: str | None,
    message: str,
    *,
    service_error_code: int | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    """Build a LinkedIn-style error body ``{"status", "serviceErrorCode", "code", "message"}``.

    :param status: HTTP status.
    :param code: LinkedIn's ``code`` (left out when ``None``).
    :param message: what went wrong and what to change.
    :param service_error_code: LinkedIn's ``serviceErrorCode`` (left out when ``None``).
    :param headers: extra headers, e.g. ``Retry-After``.
    """
    body: dict[str, Any] = {"status": status}
    if service_error_code is not None:
        body["serviceErrorCode"] = service_error_code
    if code is not None:
        body["code"] = code
    body["message"] = message
    return json_response(body, status, headers=headers)


def input_error(code: str, field_path: str, description: str, *, status: int = 400) -> Response:
    """Build a validation error with ``errorDetails.inputErrors`` naming the offending parameter.

    :param code: e.g. ``MISSING_FIELD``; also the top-level ``code``.
    :param field_path: the parameter, e.g. ``"pivot"`` or ``"dateRange.start"``.
    :param description: the reason, repeated as the top-level ``message``.
    :param status: HTTP status (400).
    """
    body = {
        "status": status,
        "code": code,
        "message": description,
        "errorDetailType": _BAD_REQUEST_TYPE,
        "errorDetails": {
            "inputErrors": [
                {"code": code, "description": description, "input": {"inputPath": {"fieldPath": field_path}}}
            ]
        },
    }
    return json_response(body, status)


def oauth_error(status: int, error: str, description: str) -> Response:
    """Build an OAuth 2.0 error body ``{"error", "error_description"}`` from the token endpoints.

    :param status: HTTP status (400 or 401).
    :param error: e.g. ``invalid_request``, ``invalid_grant``, ``invalid_client``.
    :param description: human-readable reason.
    """
    return json_response({"error": error, "error_description": description}, status)


_GATEWAY_TITLES = {502: "502 Bad Gateway", 504: "504 Gateway Time-out"}


def gateway_html(status: int) -> Response:
    """Build the HTML page a gateway sends it on 502/504 (not JSON, on purpose).

    :param status: 502 or 504.
    """
    title = _GATEWAY_TITLES.get(status, f"{status} Gateway Error")
    page = f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    return Response(status, page.encode("ascii"), content_type="text/html")
