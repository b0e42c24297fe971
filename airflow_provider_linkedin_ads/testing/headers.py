"""Header checks of the versioned API: ``LinkedIn-Version`` and ``X-Restli-Protocol-Version``.

``X-Restli-Protocol-Version`` only selects the query syntax (``2.0.0``; absent or ``1.0.0`` means
Rest.li protocol 1.0, see :mod:`.restli1`).

A version is active from its release month until its sunset: the date LinkedIn published (known
table in :mod:`airflow_provider_linkedin_ads.versions`) or, for other versions, the 15th of the same
month a year later. Sunset and not-yet-released versions get HTTP 426 ``NONEXISTENT_VERSION`` with
the message shape LinkedIn uses (``Requested version 20240401 is not active``). Both are judged
against the emulator's clock, so a test can walk a version into its sunset.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing.params import PROTOCOL_1, PROTOCOL_2
from airflow_provider_linkedin_ads.testing.responses import Rejection, api_error
from airflow_provider_linkedin_ads.testing.restli1 import looks_like_protocol_1
from airflow_provider_linkedin_ads.versions import KNOWN_SUNSETS, ApiVersion, parse_version

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing.request import Request

__all__ = ["check_protocol", "check_version", "is_active", "latest_version"]


def _sunset(version: ApiVersion) -> dt.date:
    known = KNOWN_SUNSETS.get(version.release_month)
    return known if known is not None else dt.date(version.year + 1, version.month, 15)


def is_active(version: str, today: dt.date) -> bool:
    """Tell whether ``version`` (``YYYYMM[.RR]``) is served on ``today``.

    :raises ConfigurationError: when ``version`` is malformed.
    """
    parsed = parse_version(version, argument="LinkedIn-Version")
    released = dt.date(parsed.year, parsed.month, 1)
    return released <= today < _sunset(parsed)


def latest_version(today: dt.date) -> str:
    """Return the newest version active on ``today`` (this month's release), as ``YYYYMM``."""
    return f"{today.year:04d}{today.month:02d}"


def check_version(request: Request, today: dt.date) -> str:
    """Return the request's ``LinkedIn-Version`` or reject it.

    :raises Rejection: 400 when missing or malformed, 426 ``NONEXISTENT_VERSION`` when not active.
    """
    version = (request.header("LinkedIn-Version") or "").strip()
    if not version:
        message = (
            "A version must be present. Please specify a version by adding the LinkedIn-Version header "
            "(YYYYMM, e.g. 202608)."
        )
        raise Rejection(api_error(400, "VERSION_MISSING", message))
    try:
        active = is_active(version, today)
    except ConfigurationError:
        message = f"Invalid LinkedIn-Version header {version[:40]!r}: expected YYYYMM or YYYYMM.RR"
        raise Rejection(api_error(400, "INVALID_VERSION", message)) from None
    if not active:
        stamp = version.split(".")[0] + "01"
        message = f"Requested version {stamp} is not active"
        raise Rejection(api_error(426, "NONEXISTENT_VERSION", message))
    return version


def check_protocol(request: Request, *, required: bool) -> str:
    """Return the Rest.li protocol the request's query is written in, or reject the header.

    A Rest.li server reads a request without ``X-Restli-Protocol-Version`` as protocol 1.0 (the
    baseline), ``1.0.0`` likewise, and ``2.0.0`` as 2.0; any other value is refused.

    :param required: ``True`` on ``/rest`` (no header means protocol 1.0, as on LinkedIn); ``False``
        on the legacy ``/v2`` lookups, where a missing header means 1.0 only when the query uses
        1.0-only names (``locale.language=en``) and otherwise keeps the 2.0 syntax their documented
        samples use (``ids=List(1,2)``; a deliberate leniency).
    :raises Rejection: 400 ``INVALID_PROTOCOL_VERSION`` naming the header and the accepted values.
    """
    value = request.header("X-Restli-Protocol-Version")
    if value is None:
        return PROTOCOL_1 if required or looks_like_protocol_1(request.query) else PROTOCOL_2
    if value.strip() in (PROTOCOL_1, PROTOCOL_2):
        return value.strip()
    message = (
        f"X-Restli-Protocol-Version {value[:40]!r} is not supported: send {PROTOCOL_2} (Rest.li 2.0 "
        f"syntax), or {PROTOCOL_1} / no header for protocol 1.0"
    )
    raise Rejection(api_error(400, "INVALID_PROTOCOL_VERSION", message))
