"""Empty facets mean every ACTIVE ad account the token sees: the report operators' default.

.. code-block:: python

    request = with_active_accounts(client, request)  # facets filled, after the rest was validated
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from types import MappingProxyType
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.client.entities import list_ad_accounts
from airflow_provider_linkedin_ads.enums import Finder
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.models import normalize_urn
from airflow_provider_linkedin_ads.validation import validate_request

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.client.client import LinkedInAdsClient
    from airflow_provider_linkedin_ads.models import ReportRequest

__all__ = ["with_active_accounts"]

#: A valid account URN standing in for "every account" while the rest of a request is validated.
_PLACEHOLDER_ACCOUNT = "urn:li:sponsoredAccount:0"


def with_active_accounts(
    client: LinkedInAdsClient,
    request: ReportRequest,
    *,
    today: dt.date | None = None,
    logger: logging.Logger | None = None,
) -> ReportRequest:
    """Return ``request``, its empty facets filled with every ACTIVE account the token can see (logged).

    Everything else about the request is validated first, with a placeholder account, so a broken
    request fails before the listing call. Requests with facets, and attributed revenue (whose one
    account is required), are returned as they are.

    :param today: the current UTC date for the validation (default: the system clock's).
    :raises ConfigurationError: naming ``accounts`` when the token sees no ACTIVE account.
    """
    if request.facets or request.finder is Finder.ATTRIBUTED_REVENUE:
        return request
    log = logger or logging.getLogger(__name__)
    placeholder = dataclasses.replace(request, facets=MappingProxyType({"accounts": (_PLACEHOLDER_ACCOUNT,)}))
    validate_request(
        placeholder, api_version=client.config.api_version, today=today or dt.datetime.now(dt.UTC).date()
    )
    accounts = [
        normalize_urn(item["id"], urn_type="sponsoredAccount", argument="accounts")
        for item in list_ad_accounts(client, statuses=("ACTIVE",))
    ]
    if not accounts:
        raise ConfigurationError(
            "accounts is empty and the connection's token sees no ACTIVE ad account; set accounts "
            "(or another facet) explicitly",
            argument="accounts",
        )
    log.info(
        "accounts not set: reporting on all %d ACTIVE ad account(s) the token can see: %s",
        len(accounts),
        ", ".join(accounts),
    )
    return dataclasses.replace(request, facets=MappingProxyType({"accounts": tuple(accounts)}))
