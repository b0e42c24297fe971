"""Provider metadata returned to Airflow through the ``apache_airflow_provider`` entry point.

Airflow calls :func:`get_provider_info` during provider discovery, for every CLI command and every
process start, so this module imports only the standard library (neither Airflow nor the rest of the package). The
connection form is declared here (``conn-fields`` and ``ui-field-behaviour``, read by Airflow 3.2+
without importing the hook); ``LinkedInAdsHook`` keeps the equivalent legacy widget methods for
Airflow 2.11-3.1, and a test checks that both definitions agree.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["CONFIG", "CONNECTION_TYPE", "CONN_FIELDS", "UI_FIELD_BEHAVIOUR", "get_provider_info"]

INTEGRATION_NAME = "LinkedIn Ads"
CONNECTION_TYPE = "linkedin_ads"
HOOK_CLASS_NAME = "airflow_provider_linkedin_ads.hooks.linkedin_ads.LinkedInAdsHook"

#: Mirrors ``client.config.DEFAULT_API_BASE_URL`` / ``DEFAULT_TOKEN_URL`` / ``DEFAULT_API_VERSION`` (tests keep them equal);
#: importing the client here would drag ``requests`` into every Airflow process start.
_DEFAULT_API_BASE_URL = "https://api.linkedin.com/rest"
_DEFAULT_TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
_DEFAULT_API_VERSION = "202608"

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["host", "port", "schema"],
    "relabeling": {"login": "Client ID", "password": "Client Secret"},
    "placeholders": {
        "login": "Client ID of your LinkedIn developer app",
        "password": "Client Secret of your LinkedIn developer app",
        "refresh_token": "programmatic refresh token (valid for one year)",
        "access_token": "static access token (only for apps without refresh tokens)",
        "api_version": "YYYYMM, e.g. 202608",
        "api_base_url": _DEFAULT_API_BASE_URL,
        "oauth_url": _DEFAULT_TOKEN_URL,
        "attempt_timeout": "300 (seconds per attempt, connect to last byte)",
        "max_response_bytes": "67108864 (64 MiB)",
    },
}

_NULLABLE_STRING = ["string", "null"]

CONN_FIELDS: dict[str, Any] = {
    "refresh_token": {
        "label": "Refresh token",
        "description": "OAuth 2.0 refresh token; used with Client ID and Client Secret to mint access tokens.",
        "schema": {"type": _NULLABLE_STRING, "format": "password"},
    },
    "access_token": {
        "label": "Access token",
        "description": "Static OAuth 2.0 access token (60 days). Optional when a refresh token is set.",
        "schema": {"type": _NULLABLE_STRING, "format": "password"},
    },
    "api_version": {
        "label": "LinkedIn-Version",
        "description": "Value of the LinkedIn-Version header, YYYYMM (or YYYYMM.RR). Empty: the provider default.",
        # Airflow 3.2+ shows "examples" as suggestions and enforces maxLength, but not "pattern":
        # a malformed value is refused by the hook (test button, task) with a message naming it.
        "schema": {
            "type": _NULLABLE_STRING,
            "pattern": r"^[0-9]{6}(\.[0-9]{2})?$",
            "maxLength": 9,
            "examples": [_DEFAULT_API_VERSION],
        },
    },
    "api_base_url": {
        "label": "API base URL",
        "description": "Override of https://api.linkedin.com/rest, e.g. the bundled emulator. "
        "http:// is accepted for loopback hosts only.",
        "schema": {"type": _NULLABLE_STRING, "examples": [_DEFAULT_API_BASE_URL]},
    },
    # Not "token_url": Airflow's secrets masker hides every field whose name contains "token".
    "oauth_url": {
        "label": "OAuth token endpoint",
        "description": "Override of https://www.linkedin.com/oauth/v2/accessToken. http:// is accepted "
        "for loopback hosts only. (Formerly the extra token_url, still read.)",
        "schema": {"type": _NULLABLE_STRING, "examples": [_DEFAULT_TOKEN_URL]},
    },
    "attempt_timeout": {
        "label": "Attempt timeout (s)",
        "description": "Longest time one API attempt may take, connect to last byte of the answer. "
        "Empty: 300 seconds.",
        "schema": {"type": _NULLABLE_STRING, "pattern": r"^[0-9]+(\.[0-9]+)?$"},
    },
    "max_response_bytes": {
        "label": "Largest answer (bytes)",
        "description": "An answer larger than this fails without being read to its end. Empty: 67108864 (64 MiB).",
        "schema": {"type": _NULLABLE_STRING, "pattern": r"^[0-9]+$"},
    },
}


#: ``[linkedin_ads]`` options, declared the way Airflow providers declare theirs, so ``airflow config
#: list`` shows them with their defaults. Mirrors ``triggers.ad_analytics.DEFAULT_API_CONCURRENCY`` and
#: ``operators._quota.DEFAULT_DEFER_WAITS_LONGER_THAN`` (tests keep them equal).
CONFIG: dict[str, Any] = {
    "linkedin_ads": {
        "description": "Settings of the LinkedIn Ads provider (airflow-provider-linkedin-ads).",
        "options": {
            "trigger_api_concurrency": {
                "description": "Threads of one triggerer process that run the LinkedIn Ads triggers' API "
                "reads (the maturity sensor's confirm_with_api totals), shared by all its triggers.\n",
                "version_added": None,
                "type": "integer",
                "example": None,
                "default": "8",
            },
            "defer_waits_longer_than": {
                "description": "Seconds. A deferrable LinkedIn Ads report operator does not wait longer "
                "than this in its worker slot (LinkedIn's data throttle, a long Retry-After, the "
                "metric-value budget): it defers to the triggerer until the wait is over and resumes "
                "the same report, replaying the answers it already received. Shorter waits are "
                "slept in the worker; non-deferrable operators always wait in the worker.\n",
                "version_added": None,
                "type": "float",
                "example": None,
                "default": "60",
            },
        },
    }
}


def _modules(role: str, *names: str) -> list[dict[str, Any]]:
    return [
        {
            "integration-name": INTEGRATION_NAME,
            "python-modules": [
                f"airflow_provider_linkedin_ads.{role}.{name}" for name in names or ("ad_analytics",)
            ],
        }
    ]


def get_provider_info() -> dict[str, Any]:
    """Return the provider metadata dictionary Airflow validates and registers.

    A fresh dictionary is built on each call so that callers may mutate it safely.

    .. code-block:: python

        info = get_provider_info()
        info["connection-types"][0]["connection-type"]  # "linkedin_ads"
    """
    return {
        "package-name": "airflow-provider-linkedin-ads",
        "name": "LinkedIn Ads",
        "description": "Land LinkedIn Ads reporting (adAnalytics) data with Apache Airflow: "
        "exact, complete and on time.",
        "integrations": [
            {
                "integration-name": INTEGRATION_NAME,
                "external-doc-url": "https://learn.microsoft.com/en-us/linkedin/marketing/integrations/ads-reporting/ads-reporting",
                "tags": ["service"],
            }
        ],
        "hooks": [
            {
                "integration-name": INTEGRATION_NAME,
                "python-modules": ["airflow_provider_linkedin_ads.hooks.linkedin_ads"],
            }
        ],
        "operators": _modules("operators", "ad_analytics", "entities"),
        # Lets Airflow (the 2.11 webserver, the 3.x API server) import the operators' extra link.
        "extra-links": ["airflow_provider_linkedin_ads.operators.links.LinkedInCampaignManagerLink"],
        "sensors": _modules("sensors"),
        "triggers": _modules("triggers"),
        "connection-types": [
            {
                "connection-type": CONNECTION_TYPE,
                "hook-class-name": HOOK_CLASS_NAME,
                "hook-name": "LinkedIn Ads",
                "ui-field-behaviour": copy.deepcopy(UI_FIELD_BEHAVIOUR),
                "conn-fields": copy.deepcopy(CONN_FIELDS),
            }
        ],
        "config": copy.deepcopy(CONFIG),
    }
