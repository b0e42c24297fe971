"""Which pivots have a name, where the name comes from, and how to read it (``linkedin-api.md`` 13).

Pure data and parsing, no I/O: :class:`~airflow_provider_linkedin_ads.client.resolver.NameResolver`
does the calls. A :class:`Lookup` says how one kind of ``pivotValues`` URN is turned into a name:

===========================  =======================================  ======================  ==============================
pivot                        call                                     batch key               name
===========================  =======================================  ======================  ==============================
``ACCOUNT``                  ``adAccounts?ids=List(..)``              numeric id              ``name``
``CAMPAIGN_GROUP``           ``adAccounts/{a}/adCampaignGroups``      numeric id              ``name``
``CAMPAIGN``                 ``adAccounts/{a}/adCampaigns``           numeric id              ``name``
``CREATIVE``                 ``adAccounts/{a}/creatives``             encoded creative URN    ``name``, else text-ad headline
``COMPANY``,                 ``organizationsLookup``                  numeric id              ``localizedName``
``MEMBER_COMPANY``
``MEMBER_COUNTRY_V2``,       ``geo``                                  numeric id              ``defaultLocalizedName.value``
``MEMBER_REGION_V2``,
``MEMBER_COUNTY``,
``MEMBER_DESIGNATED_MARKET_AREA``
``MEMBER_JOB_TITLE``         ``titles``                               numeric id              ``name.localized.en_US``
``MEMBER_JOB_FUNCTION``      ``functions``                            numeric id              ``name.localized.en_US``
``MEMBER_SENIORITY``         ``seniorities``                          numeric id              ``name.localized.en_US``
``MEMBER_INDUSTRY``          ``industries``                           numeric id              ``name.localized.en_US``
``MEMBER_COMPANY_SIZE``      none: the static range table             --                      ``"11-50 employees"``
===========================  =======================================  ======================  ==============================

Every batch call is a ``BATCH_GET`` (``ids=List(...)``); ``{a}`` is an ad account id (campaigns,
campaign groups and creatives are account-scoped in the versioned API). Other pivots (``SHARE``,
``CONVERSION``, delivery and conversation pivots) have no lookup: their values are readable as they are,
or need APIs outside the ``r_ads`` scope.

.. code-block:: python

    lookup = NAME_LOOKUPS[Pivot.CAMPAIGN]
    lookup.key_of("urn:li:sponsoredCampaign:42")  # '42'
    lookup.name_of({"id": 42, "name": "Launch"})  # 'Launch'
    company_size_name("urn:li:staffCountRange:(11,50)")  # '11-50 employees'
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.enums import Pivot

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["NAME_LOOKUPS", "Lookup", "Scope", "company_size_name"]

_URN = re.compile(r"urn:(?:li|lla):([A-Za-z]+):(\d+)")
_DIGITS = re.compile(r"\d+")
#: ``urn:li:staffCountRange:(11,50)``, ``(11,50)``, ``SIZE_11_TO_50``, ``SIZE_10001_OR_MORE``, ``SIZE_1``.
_SIZE_RANGE = re.compile(r"(?:urn:li:staffCountRange:)?\((\d+),(\d*)\)")
_SIZE_ENUM = re.compile(r"SIZE_(\d+)(?:_TO_(\d+)|(_OR_MORE))?")
#: LinkedIn writes an open upper end as Integer.MAX_VALUE.
_OPEN_END = 2_147_483_647
_LOCALE = "en_US"


class Scope(enum.Enum):
    """Where a lookup goes: a top-level batch get, an account-scoped one, or nowhere (a static table)."""

    GLOBAL = "global"
    ACCOUNT = "account"
    STATIC = "static"


@dataclass(frozen=True)
class Lookup:
    """How the values of one kind of URN become names.

    :param kind: cache and log label, e.g. ``"campaign"``; pivots sharing a kind share names.
    :param scope: see :class:`Scope`.
    :param resource: the collection: ``"geo"``, or ``"adCampaigns"`` below ``adAccounts/{id}/``.
    :param urn_type: the URN type of the values (``"sponsoredCampaign"``); others get no name.
    :param urn_keys: the batch keys are the URNs themselves (creatives), not numeric ids.
    :param read_name: entity JSON -> its name, ``None`` when it has none.

    .. code-block:: python

        Lookup("geo", Scope.GLOBAL, "geo", "geo", read_name=_geo_name)
    """

    kind: str
    scope: Scope
    resource: str
    urn_type: str
    read_name: Callable[[Mapping[str, Any]], str | None]
    urn_keys: bool = False

    def key_of(self, value: object) -> str | None:
        """Return the batch key of a pivot value (``None``: not a value of this kind, no lookup).

        :param value: a ``pivotValues`` entry, e.g. ``"urn:li:sponsoredCampaign:42"`` (a bare
            numeric id is accepted too).
        """
        if not isinstance(value, str):
            return None
        if self.scope is Scope.STATIC:
            return value if company_size_name(value) is not None else None
        number = _number(value, self.urn_type)
        if number is None:
            return None
        return f"urn:li:{self.urn_type}:{number}" if self.urn_keys else number

    def name_of(self, entity: object) -> str | None:
        """Return the name held by an entity of a batch answer, ``None`` if it has none.

        :param entity: one value of the batch answer's ``results``.
        """
        if not isinstance(entity, dict):
            return None
        return self.read_name(entity)


def _number(value: str, urn_type: str) -> str | None:
    text = value.strip()
    if _DIGITS.fullmatch(text):
        return str(int(text))
    match = _URN.fullmatch(text)
    if match is None or match.group(1) != urn_type:
        return None
    return str(int(match.group(2)))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _plain_name(entity: Mapping[str, Any]) -> str | None:
    return _text(entity.get("name"))


def _creative_name(entity: Mapping[str, Any]) -> str | None:
    # Newer versions carry an optional ``name``; without it only a text ad has text of its own
    # (a sponsored post's text lives in the post, outside this call).
    content = entity.get("content")
    text_ad = content.get("textAd") if isinstance(content, dict) else None
    headline = text_ad.get("headline") if isinstance(text_ad, dict) else None
    return _text(entity.get("name")) or _text(headline)


def _organization_name(entity: Mapping[str, Any]) -> str | None:
    return _text(entity.get("localizedName"))


def _geo_name(entity: Mapping[str, Any]) -> str | None:
    localized = entity.get("defaultLocalizedName")
    return _text(localized.get("value")) if isinstance(localized, dict) else None


def _standardized_name(entity: Mapping[str, Any]) -> str | None:
    name = entity.get("name")
    if isinstance(name, str):
        return _text(name)
    localized = name.get("localized") if isinstance(name, dict) else None
    if not isinstance(localized, dict):
        return None
    # en_US first; otherwise whatever single locale LinkedIn chose to send.
    return _text(localized.get(_LOCALE)) or next(
        (text for text in map(_text, localized.values()) if text), None
    )


def company_size_name(value: object) -> str | None:
    """Name a ``MEMBER_COMPANY_SIZE`` value from the static range table (no call).

    :param value: ``"urn:li:staffCountRange:(11,50)"`` (also ``"(11,50)"`` or ``"SIZE_11_TO_50"``).
    :return: ``"1 employee"``, ``"2-10 employees"``, ..., ``"10001+ employees"``; ``None`` for
        anything else.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _SIZE_RANGE.fullmatch(text)
    if match is not None:
        low, high = int(match.group(1)), int(match.group(2)) if match.group(2) else None
    else:
        match = _SIZE_ENUM.fullmatch(text)
        if match is None:
            return None
        low = int(match.group(1))
        high = None if match.group(3) else int(match.group(2) or match.group(1))
    if high is None or high >= _OPEN_END:
        return f"{low}+ employees"
    if high == low:
        return "1 employee" if low == 1 else f"{low} employees"
    return f"{low}-{high} employees" if low < high else None


_ORGANIZATION = Lookup(
    "organization", Scope.GLOBAL, "organizationsLookup", "organization", _organization_name
)
_GEO = Lookup("geo", Scope.GLOBAL, "geo", "geo", _geo_name)

#: Pivot -> how its values are named; pivots missing here get no ``<pivot>_name`` column.
NAME_LOOKUPS: Mapping[Pivot, Lookup] = MappingProxyType(
    {
        Pivot.ACCOUNT: Lookup("account", Scope.GLOBAL, "adAccounts", "sponsoredAccount", _plain_name),
        Pivot.CAMPAIGN_GROUP: Lookup(
            "campaign group", Scope.ACCOUNT, "adCampaignGroups", "sponsoredCampaignGroup", _plain_name
        ),
        Pivot.CAMPAIGN: Lookup("campaign", Scope.ACCOUNT, "adCampaigns", "sponsoredCampaign", _plain_name),
        Pivot.CREATIVE: Lookup(
            "creative", Scope.ACCOUNT, "creatives", "sponsoredCreative", _creative_name, urn_keys=True
        ),
        Pivot.COMPANY: _ORGANIZATION,
        Pivot.MEMBER_COMPANY: _ORGANIZATION,
        Pivot.MEMBER_COUNTRY_V2: _GEO,
        Pivot.MEMBER_REGION_V2: _GEO,
        Pivot.MEMBER_COUNTY: _GEO,
        Pivot.MEMBER_DESIGNATED_MARKET_AREA: _GEO,
        Pivot.MEMBER_JOB_TITLE: Lookup("title", Scope.GLOBAL, "titles", "title", _standardized_name),
        Pivot.MEMBER_JOB_FUNCTION: Lookup(
            "function", Scope.GLOBAL, "functions", "function", _standardized_name
        ),
        Pivot.MEMBER_SENIORITY: Lookup(
            "seniority", Scope.GLOBAL, "seniorities", "seniority", _standardized_name
        ),
        Pivot.MEMBER_INDUSTRY: Lookup("industry", Scope.GLOBAL, "industries", "industry", _standardized_name),
        Pivot.MEMBER_COMPANY_SIZE: Lookup(
            "company size", Scope.STATIC, "", "staffCountRange", lambda _entity: None
        ),
    }
)
