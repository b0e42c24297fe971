"""Every error the provider raises, as one documented tree.

Code in this package (and in your DAGs) branches on the *type* and *attributes* of these
exceptions, never on their message text.

.. code-block:: text

    LinkedInAdsError                     base; everything the package raises derives from it
    ├── ConfigurationError               bad or missing connection fields / arguments (.argument)
    │   └── ReportValidationError        request breaks a LinkedIn rule, caught before sending (.rule)
    ├── RestliError                      value cannot be encoded, or text cannot be decoded (.position);
    │   │                                also a 2xx answer that is no report (no elements list, bad rows)
    │   ├── AnswerTooLargeError          answer body above ClientConfig.max_response_bytes (.limit)
    │   ├── EntityPageError              an entity listing broke paging (.resource, .page, .reason)
    │   └── EntityFieldError             an entity field of the wrong type (.entity_type, .entity_id, .field)
    ├── AuthenticationError              token exchange failed (OAuth error, header-unsafe token)
    │   └── UnauthorizedError            a 401 answer persisting after one refresh; also an APIError
    ├── TransportError                   connection reset, timeout, TLS EOF, cut body (cause kept)
    ├── TruncatedReportError             one day x one entity still returns 15,000 rows
    ├── ReconciliationError              landed totals differ from LinkedIn's (.metric, .expected, .landed)
    ├── WaitDeferredError                a wait longer than ClientConfig.defer_waits_longer_than: not slept
    │                                    in-process, handed to the caller (.resume_at, .wait, .cause)
    └── APIError                         .status, .code, .service_error_code, .input_errors, .request_summary
        ├── BadRequestError              400 (MISSING_FIELD, INVALID_VALUE_FOR_FIELD, DATE_TOO_EARLY, ...)
        ├── PermissionDeniedError        403 USER_NOT_AUTHORIZED
        ├── NotFoundError                404 NOT_FOUND
        ├── RequestTooLongError          414 REQUEST_URI_TOO_LONG
        ├── VersionNotActiveError        426 NONEXISTENT_VERSION (.requested_version)
        ├── RedirectError                3xx: a proxy or SSO redirect; never followed (.location_host)
        ├── RateLimitError               429 TOO_MANY_REQUESTS (.retry_after)
        │   ├── ThrottledError           short window: retried with backoff
        │   ├── DataThrottleError        45 M metric values / 5 min: retried after >= 330 s
        │   └── DailyQuotaExceededError  DAY window: never retried in-process (.resets_at)
        └── ServerError                  5xx, including non-JSON gateway bodies

A 401 answer raises :class:`UnauthorizedError`, which is both an ``AuthenticationError`` and an
``APIError`` (so ``except APIError`` catches it), with ``.status`` 401, ``.code`` and
``.service_error_code``. ``AuthenticationError`` itself is a failed token exchange. No exception
message or ``repr`` ever contains a token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "APIError",
    "AnswerTooLargeError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "DailyQuotaExceededError",
    "DataThrottleError",
    "EntityFieldError",
    "EntityPageError",
    "InputError",
    "LinkedInAdsError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReconciliationError",
    "RedirectError",
    "ReportValidationError",
    "RequestSummary",
    "RequestTooLongError",
    "RestliError",
    "ServerError",
    "ThrottledError",
    "TransportError",
    "TruncatedReportError",
    "UnauthorizedError",
    "VersionNotActiveError",
    "WaitDeferredError",
]


class LinkedInAdsError(Exception):
    """Base class of every error raised by ``airflow_provider_linkedin_ads``.

    .. code-block:: python

        try:
            hook.analytics(pivot="CAMPAIGN", ...)
        except LinkedInAdsError as err:
            log.error("LinkedIn Ads failed: %s", err)
    """


class ConfigurationError(LinkedInAdsError, ValueError):
    """A connection field or an argument is missing or invalid; never retried.

    :param message: what is wrong and how to fix it; it names the argument.
    :param argument: the offending argument or connection field, e.g. ``"api_version"``.
    """

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


class ReportValidationError(ConfigurationError):
    """A report request breaks a LinkedIn rule; raised before any HTTP call.

    :param rule: a stable identifier of the rule, e.g. ``"unknown_metric"``, for code to branch on.
    """

    def __init__(self, message: str, *, argument: str, rule: str) -> None:
        super().__init__(message, argument=argument)
        self.rule = rule


class RestliError(LinkedInAdsError, ValueError):
    """A value cannot be Rest.li-encoded, or text is not valid Rest.li 2.0.

    :param position: character offset of the problem in the decoded text, when decoding.
    """

    def __init__(self, message: str, *, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class AnswerTooLargeError(RestliError):
    """An answer's body is larger than ``ClientConfig.max_response_bytes``; reading stopped there.

    Not retried: the same request would send the same body again.

    :param limit: the cap in bytes that was exceeded.
    """

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class EntityPageError(RestliError):
    """A page of an entity listing broke LinkedIn's paging contract; nothing of the listing is kept.

    Not retried: the same request would page the same way again.

    :param resource: the listed collection, e.g. ``"adAccounts/508000001/adCampaigns"``.
    :param page: the 1-based number of the offending page.
    :param reason: a stable identifier to branch on: ``no_elements``, ``bad_token``, ``missing_id``,
        ``duplicate_id``, ``repeated_token``, ``bad_paging``, ``not_advancing``, ``total_mismatch``,
        ``too_many_pages``.

    .. code-block:: python

        try:
            table = entity_rows(client, "campaigns", [508000001])
        except EntityPageError as err:
            log.error("%s page %d: %s", err.resource, err.page, err.reason)
    """

    def __init__(self, message: str, *, resource: str, page: int, reason: str) -> None:
        super().__init__(message)
        self.resource = resource
        self.page = page
        self.reason = reason


class EntityFieldError(RestliError):
    """An entity field LinkedIn sent has the wrong type for its table column (never silently null).

    :param entity_type: ``ad_accounts``, ``campaign_groups``, ``campaigns`` or ``creatives``.
    :param entity_id: the entity's id as sent (``None`` when the id itself is unusable).
    :param field: the dotted source field, e.g. ``"dailyBudget.amount"``.

    .. code-block:: python

        except EntityFieldError as err:
            log.error("%s %s: bad %s", err.entity_type, err.entity_id, err.field)
    """

    def __init__(self, message: str, *, entity_type: str, entity_id: object, field: str) -> None:
        super().__init__(message)
        self.entity_type = entity_type
        self.entity_id = entity_id
        self.field = field


class TransportError(LinkedInAdsError):
    """The request did not get a complete answer: reset, timeout, TLS EOF, cut body.

    The original exception is kept as ``__cause__``.
    """


class TruncatedReportError(LinkedInAdsError):
    """A single day for a single entity still returns LinkedIn's 15,000-row maximum.

    :param day: the ISO date that could not be split further.
    :param entity: the facet URN that could not be split further.
    """

    def __init__(self, message: str, *, day: str, entity: str) -> None:
        super().__init__(message)
        self.day = day
        self.entity = entity


class ReconciliationError(LinkedInAdsError):
    """The landed rows do not add up to LinkedIn's own totals (``reconcile=True``).

    :param metric: the first metric that differs.
    :param expected: LinkedIn's ``timeGranularity=ALL`` total, as exact text.
    :param landed: the sum of the landed rows, as exact text.
    :param mismatches: every differing metric -> ``(expected, landed)``.
    """

    def __init__(
        self,
        message: str,
        *,
        metric: str,
        expected: str,
        landed: str,
        mismatches: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.metric = metric
        self.expected = expected
        self.landed = landed
        self.mismatches = dict(mismatches or {metric: (expected, landed)})


class WaitDeferredError(LinkedInAdsError):
    """The client would wait longer than ``ClientConfig.defer_waits_longer_than``; it did not sleep.

    Raised instead of a long in-process wait (LinkedIn's data throttle, a long ``Retry-After``, the
    client-side metric-value budget) when the caller asked to wait elsewhere: a deferrable operator
    hands the wait to Airflow's triggerer and resumes the same report at :attr:`resume_at`. Nothing
    is lost by it: the call that would have waited is made again after the wait.

    :param resume_at: the aware UTC moment from which the call may be made again (absolute, so a
        restarted triggerer does not wait longer).
    :param wait: the seconds the client would have slept.
    :param cause: the error that asked for the wait (e.g. a :class:`DataThrottleError`), or ``None``
        for the client's own budget pacing.

    .. code-block:: python

        try:
            rows = list(engine.run(request))
        except WaitDeferredError as err:
            schedule_again(at=err.resume_at)
    """

    def __init__(
        self, message: str, *, resume_at: dt.datetime, wait: float, cause: BaseException | None = None
    ) -> None:
        super().__init__(message)
        self.resume_at = resume_at
        self.wait = wait
        self.cause = cause


@dataclass(frozen=True)
class InputError:
    """One entry of LinkedIn's ``errorDetails.inputErrors`` list."""

    code: str | None
    field_path: str | None
    description: str | None

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> InputError:
        """Build from one ``inputErrors`` JSON object, tolerating missing keys."""
        input_part = item.get("input") or {}
        path = (
            (input_part.get("inputPath") or {}).get("fieldPath") if isinstance(input_part, Mapping) else None
        )
        return cls(
            code=_opt_str(item.get("code")),
            field_path=_opt_str(path),
            description=_opt_str(item.get("description")),
        )

    def __str__(self) -> str:
        return f"{self.code or '?'} at {self.field_path or '?'}: {self.description or ''}".rstrip(": ")


@dataclass(frozen=True)
class RequestSummary:
    """A token-free description of the request that failed, for messages and logs."""

    method: str = "GET"
    resource: str = ""
    finder: str | None = None
    pivots: tuple[str, ...] = ()
    date_range: str | None = None
    facet_counts: Mapping[str, int] = field(default_factory=dict)
    tunnelled: bool = False

    def __str__(self) -> str:
        parts = [f"{self.method} {self.resource}"]
        if self.finder:
            parts.append(f"q={self.finder}")
        if self.pivots:
            parts.append("pivots=" + ",".join(self.pivots))
        if self.date_range:
            parts.append(f"dateRange={self.date_range}")
        parts.extend(f"{name}={count} value(s)" for name, count in sorted(self.facet_counts.items()))
        if self.tunnelled:
            parts.append("tunnelled")
        return " ".join(parts)


class AuthenticationError(LinkedInAdsError):
    """Credentials were refused: the token exchange failed (a 401 answer is :class:`UnauthorizedError`).

    :param status: HTTP status of the refusing answer, when there was one.
    :param code: LinkedIn ``code`` or OAuth ``error`` value.
    :param service_error_code: LinkedIn ``serviceErrorCode`` (65600 invalid, 65601 revoked, 65602 expired).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        service_error_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.service_error_code = service_error_code


class APIError(LinkedInAdsError):
    """LinkedIn answered with an error status.

    .. code-block:: python

        try:
            client.get("adAnalytics", params)
        except BadRequestError as err:
            for item in err.input_errors:
                print(item.code, item.field_path)
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        service_error_code: int | None = None,
        input_errors: Sequence[InputError] = (),
        request_summary: RequestSummary | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.service_error_code = service_error_code
        self.message = message
        self.input_errors = tuple(input_errors)
        self.request_summary = request_summary
        self.retry_after = retry_after

    def __str__(self) -> str:
        text = f"HTTP {self.status}"
        if self.code:
            text += f" {self.code}"
        if self.service_error_code is not None:
            text += f" (serviceErrorCode {self.service_error_code})"
        text += f": {self.message}"
        if self.input_errors:
            text += " [" + "; ".join(str(item) for item in self.input_errors) + "]"
        if self.request_summary is not None:
            text += f" -- request: {self.request_summary}"
        return text


class BadRequestError(APIError):
    """HTTP 400: a parameter is missing or invalid (see ``.code`` and ``.input_errors``)."""


class PermissionDeniedError(APIError):
    """HTTP 403 ``USER_NOT_AUTHORIZED``: the member lacks access or ``r_ads_reporting``."""


class NotFoundError(APIError):
    """HTTP 404 ``NOT_FOUND``: an account, campaign or creative URN does not exist."""


class RequestTooLongError(APIError):
    """HTTP 414 ``REQUEST_URI_TOO_LONG``; the client retries once tunnelled before raising."""


class VersionNotActiveError(APIError):
    """HTTP 426 ``NONEXISTENT_VERSION``: the ``LinkedIn-Version`` is sunset or unknown.

    :param requested_version: the version the request sent.
    """

    def __init__(self, message: str, *, requested_version: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.requested_version = requested_version


class RateLimitError(APIError):
    """HTTP 429 ``TOO_MANY_REQUESTS``; ``.retry_after`` holds the ``Retry-After`` seconds if sent."""


class ThrottledError(RateLimitError):
    """Short-window throttle (``SECOND``/``MINUTE`` or unspecified); retried with backoff."""


class DataThrottleError(RateLimitError):
    """More than 45 million metric values in 5 minutes; retried after at least 330 seconds."""


class DailyQuotaExceededError(RateLimitError):
    """The daily application or member quota is spent; it resets at 00:00 UTC.

    :param resets_at: the aware UTC datetime at which the quota resets.
    """

    def __init__(self, message: str, *, resets_at: dt.datetime | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.resets_at = resets_at


class RedirectError(APIError):
    """HTTP 3xx: LinkedIn never redirects API calls, so a proxy or SSO page answered; never followed.

    The message names the ``Location`` host (never its path or query, which may carry a ticket).
    Not retried: a redirect does not go away by asking again.

    :param location_host: the host of the ``Location`` header, or ``None`` when there was none.
    """

    def __init__(self, message: str, *, location_host: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location_host = location_host


class ServerError(APIError):
    """HTTP 5xx, or an error body that is not JSON (gateway HTML); retried."""


class UnauthorizedError(AuthenticationError, APIError):  # type: ignore[misc]  # .status: always an int
    """HTTP 401: LinkedIn refused the access token (after the one refresh the client allows).

    Both an :class:`AuthenticationError` and an :class:`APIError`: ``except APIError`` catches it,
    and ``.status`` is always 401.

    .. code-block:: python

        try:
            hook.analytics(pivot="CAMPAIGN", ...)
        except UnauthorizedError as err:
            print(err.status, err.service_error_code)  # 401 65601 (revoked)
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 401,
        code: str | None = None,
        service_error_code: int | None = None,
        **kwargs: Any,
    ) -> None:
        APIError.__init__(
            self, message, status=status, code=code, service_error_code=service_error_code, **kwargs
        )


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)
