"""Small frozen value objects shared by every layer: date ranges and URNs.

Pure standard library; the emulator reuses these, so client and emulator agree on the wire forms.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["FACET_URN_TYPES", "DateRange", "normalize_urn", "urn_id"]

#: Facet parameter -> the URN type its values must have (bare ids are normalised to it).
FACET_URN_TYPES: Mapping[str, str] = {
    "accounts": "sponsoredAccount",
    "account": "sponsoredAccount",
    "campaignGroups": "sponsoredCampaignGroup",
    "campaigns": "sponsoredCampaign",
    "creatives": "sponsoredCreative",
    "companies": "organization",
    "shares": "share",
}

_URN_RE = re.compile(r"^urn:(li|lla):([A-Za-z]+):([0-9]{1,19})$")
_ID_RE = re.compile(r"^[0-9]{1,19}$")


def normalize_urn(value: object, *, urn_type: str, argument: str) -> str:
    """Return ``value`` as ``urn:li:<urn_type>:<id>``, accepting a bare numeric id or that URN.

    :param value: ``508000000``, ``"508000000"`` or ``"urn:li:sponsoredAccount:508000000"``.
    :param urn_type: the expected type, e.g. ``"sponsoredAccount"``.
    :param argument: the argument name, used in the error message.
    :raises ConfigurationError: anything else (wrong URN type, text, grammar characters, ...).

    .. code-block:: python

        normalize_urn(42, urn_type="sponsoredCampaign", argument="campaigns")
        # 'urn:li:sponsoredCampaign:42'
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigurationError(
            f"{argument}: expected a numeric id or a urn:li:{urn_type}:<id> URN, got {type(value).__name__}",
            argument=argument,
        )
    text = str(value).strip()
    if _ID_RE.match(text):
        return f"urn:li:{urn_type}:{int(text)}"
    match = _URN_RE.match(text)
    if match and match.group(2) == urn_type:
        return f"urn:{match.group(1)}:{urn_type}:{int(match.group(3))}"
    raise ConfigurationError(
        f"{argument}: {_preview(text)!r} is not a numeric id or a urn:li:{urn_type}:<id> URN",
        argument=argument,
    )


def urn_id(urn: str) -> str:
    """Return the trailing id of a URN (``urn:li:sponsoredCampaign:42`` -> ``"42"``)."""
    return urn.rsplit(":", 1)[-1]


def _preview(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True, order=True)
class DateRange:
    """An inclusive range of UTC calendar days, as LinkedIn's ``dateRange`` means it.

    .. code-block:: python

        DateRange(dt.date(2025, 1, 1), dt.date(2025, 1, 31)).days  # 31
    """

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ConfigurationError(
                f"date range end {self.end.isoformat()} is before start {self.start.isoformat()}",
                argument="date_range_end",
            )

    @property
    def days(self) -> int:
        """Number of days covered, both ends included."""
        return (self.end - self.start).days + 1

    def to_restli(self) -> dict[str, dict[str, int]]:
        """Return the ``dateRange`` record for the Rest.li encoder (start before end)."""
        return {"start": _date_record(self.start), "end": _date_record(self.end)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DateRange:
        """Parse a response row's ``dateRange`` object."""
        return cls(_date_from_record(data["start"]), _date_from_record(data["end"]))

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _date_record(day: dt.date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _date_from_record(data: Mapping[str, Any]) -> dt.date:
    return dt.date(int(data["year"]), int(data["month"]), int(data["day"]))
