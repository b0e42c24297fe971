"""``LinkedIn-Version`` values: format check, known sunset dates and version gates.

LinkedIn releases a Marketing API version every month (``YYYYMM``, with an occasional revision
``YYYYMM.RR``) and supports each for about a year; a sunset version is answered with HTTP 426
``NONEXISTENT_VERSION``. This module knows the sunset dates LinkedIn has published, so a
configured version can be warned about *before* it starts failing. Standard library only.

.. code-block:: python

    import datetime as dt

    from airflow_provider_linkedin_ads.versions import check_version, is_at_least

    for warning in check_version("202601", dt.date.today()):
        log.warning(warning)
    if is_at_least("202609", "202609"):
        ...  # MEMBER_DESIGNATED_MARKET_AREA is available
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, NamedTuple

from airflow_provider_linkedin_ads.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "FIRST_VERSION",
    "KNOWN_SUNSETS",
    "SUNSET_WARNING_DAYS",
    "UNKNOWN_VERSION_WARNING_MONTHS",
    "ApiVersion",
    "check_version",
    "is_at_least",
    "parse_version",
    "sunset_date",
]

#: The first versioned Marketing release under ``/rest``.
FIRST_VERSION = "202206"
#: Warn when a known sunset is this many days away or closer.
SUNSET_WARNING_DAYS = 60
#: For versions missing from :data:`KNOWN_SUNSETS`: warn once the release is this many months old
#: (LinkedIn supports a version for about twelve months).
UNKNOWN_VERSION_WARNING_MONTHS = 11

#: Sunset dates published on LinkedIn's migrations page (``linkedin-api.md`` section 12).
KNOWN_SUNSETS: Mapping[str, dt.date] = {
    "202407": dt.date(2025, 7, 22),
    "202408": dt.date(2025, 8, 18),
    "202409": dt.date(2025, 9, 15),
    "202410": dt.date(2025, 10, 15),
    "202411": dt.date(2025, 11, 17),
    "202508": dt.date(2026, 8, 17),
    "202510": dt.date(2026, 10, 15),
    "202511": dt.date(2026, 11, 16),
    "202601": dt.date(2027, 1, 15),
    "202602": dt.date(2027, 2, 15),
    "202603": dt.date(2027, 3, 16),
}

_VERSION_RE = re.compile(r"^([0-9]{4})([0-9]{2})(?:\.([0-9]{2}))?$")


class ApiVersion(NamedTuple):
    """A parsed ``LinkedIn-Version``; tuples compare in release order.

    .. code-block:: python

        parse_version("202603.01") > parse_version("202603")  # True
    """

    year: int
    month: int
    revision: int

    @property
    def release_month(self) -> str:
        """The ``YYYYMM`` part, the key of :data:`KNOWN_SUNSETS`."""
        return f"{self.year:04d}{self.month:02d}"


def parse_version(version: str, *, argument: str = "api_version") -> ApiVersion:
    """Parse ``YYYYMM`` or ``YYYYMM.RR``.

    :param version: the value to check, e.g. ``"202603"`` or ``"202603.01"``.
    :param argument: the argument name used in the error message.
    :raises ConfigurationError: when the text is not a ``YYYYMM[.RR]`` version with month 01-12.
    """
    try:
        match = _VERSION_RE.match(version)
    except TypeError:  # not a str (e.g. a number from a JSON connection extra)
        match = None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ConfigurationError(
            f"{argument} must be a LinkedIn-Version like YYYYMM or YYYYMM.RR (e.g. 202603), got {version!r}",
            argument=argument,
        )
    return ApiVersion(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def sunset_date(version: str) -> dt.date | None:
    """Return the published sunset date of ``version``, or ``None`` when it is not known.

    :raises ConfigurationError: when ``version`` is malformed.
    """
    return KNOWN_SUNSETS.get(parse_version(version).release_month)


def is_at_least(version: str, gate: str) -> bool:
    """Tell whether ``version`` is ``gate`` or newer (revisions included).

    :param version: the configured ``LinkedIn-Version``.
    :param gate: the first version offering a feature, e.g. ``"202609"``.
    :raises ConfigurationError: when either value is malformed.
    """
    return parse_version(version) >= parse_version(gate, argument="gate")


def check_version(version: str, today: dt.date) -> list[str]:
    """Return human-readable warnings about ``version`` as of ``today`` (empty when all is well).

    A version in :data:`KNOWN_SUNSETS` is reported once its sunset is at most
    :data:`SUNSET_WARNING_DAYS` away (or past). Any other version is reported when it is
    :data:`UNKNOWN_VERSION_WARNING_MONTHS` months old or more, or when it lies in the future.

    :param version: the configured ``LinkedIn-Version``.
    :param today: the current date (UTC), injected so the check stays pure.
    :raises ConfigurationError: when ``version`` is malformed.
    """
    parsed = parse_version(version)
    sunset = KNOWN_SUNSETS.get(parsed.release_month)
    if sunset is not None:
        return _known_sunset_warnings(version, sunset, today)
    return _age_warnings(version, parsed, today)


def _known_sunset_warnings(version: str, sunset: dt.date, today: dt.date) -> list[str]:
    days_left = (sunset - today).days
    if days_left < 0:
        return [
            f"LinkedIn-Version {version} was sunset on {sunset.isoformat()}; LinkedIn answers HTTP 426. "
            "Raise api_version to a current version."
        ]
    if days_left <= SUNSET_WARNING_DAYS:
        return [
            f"LinkedIn-Version {version} is sunset on {sunset.isoformat()} (in {days_left} days); "
            "raise api_version before then."
        ]
    return []


def _age_warnings(version: str, parsed: ApiVersion, today: dt.date) -> list[str]:
    age_months = (today.year * 12 + today.month) - (parsed.year * 12 + parsed.month)
    if age_months < 0:
        return [
            f"LinkedIn-Version {version} lies in the future (today is {today.isoformat()}); "
            "LinkedIn answers HTTP 426 for versions it has not released."
        ]
    if age_months >= UNKNOWN_VERSION_WARNING_MONTHS:
        return [
            f"LinkedIn-Version {version} is {age_months} months old; LinkedIn supports a version for "
            "about 12 months, so raise api_version to a current version."
        ]
    return []
