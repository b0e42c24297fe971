"""``LinkedInAdsHook``: an Airflow connection turned into a configured LinkedIn Ads API client.

The hook is a thin adapter (the Slack provider's model): it resolves configuration once, builds a
frozen :class:`~airflow_provider_linkedin_ads.client.config.ClientConfig`, and hands it to the
Airflow-free :class:`~airflow_provider_linkedin_ads.client.LinkedInAdsClient`, where all protocol
logic (Rest.li encoding, OAuth, tunnelling, retries, typed errors) lives.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from airflow.providers.common.compat.sdk import AirflowNotFoundException, BaseHook, mask_secret, redact

from airflow_provider_linkedin_ads.client import entities, landing
from airflow_provider_linkedin_ads.client.config import ClientConfig, RetryPolicy
from airflow_provider_linkedin_ads.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    LinkedInAdsError,
    PermissionDeniedError,
    RedirectError,
    TransportError,
    VersionNotActiveError,
)
from airflow_provider_linkedin_ads.get_provider_info import CONN_FIELDS, UI_FIELD_BEHAVIOUR
from airflow_provider_linkedin_ads.hooks._params import FinderRequest, elements_of
from airflow_provider_linkedin_ads.utils.connection import ConnectionExtras

# Imported for its side effect: the minimum-Airflow-version guard runs before the hook can be used.
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_VERSION  # noqa: F401

if TYPE_CHECKING:
    import datetime as dt
    import logging
    from collections.abc import Callable, Iterable

    from airflow_provider_linkedin_ads.client import LinkedInAdsClient
    from airflow_provider_linkedin_ads.client.checkpoint import AnswerCheckpoint
    from airflow_provider_linkedin_ads.client.destination import Destination
    from airflow_provider_linkedin_ads.client.entity_rows import EntityTable
    from airflow_provider_linkedin_ads.client.landing import (
        FileOptions,
        LandedReport,
        LandedTable,
        ReportOptions,
    )
    from airflow_provider_linkedin_ads.enums import Pivot, TimeGranularity
    from airflow_provider_linkedin_ads.models import DateRange, OpenDateRange, ReportRequest
    from airflow_provider_linkedin_ads.restli import Value
    from airflow_provider_linkedin_ads.results import ReportRow

__all__ = ["TEST_CONNECTION_POLICY", "TEST_CONNECTION_TIMEOUT", "LinkedInAdsHook", "quick_check_config"]

#: ``test_connection`` answers the UI's Test button quickly: one attempt per step, no waits.
TEST_CONNECTION_POLICY = RetryPolicy(max_attempts=1, max_total_wait=0.0, after_refresh_wait=0.0)
#: Seconds for connect, each read and each whole attempt during ``test_connection``. A test makes at
#: most four attempts (token, call, and after a 401 one more token and call): under 10 s in all.
TEST_CONNECTION_TIMEOUT = 2.0

Facet = Sequence[int | str] | int | str
_T = TypeVar("_T")

#: Failure classes of :meth:`LinkedInAdsHook.test_connection`, most specific first.
_FAILURE_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (AirflowNotFoundException, "Connection not found"),
    (ConfigurationError, "Configuration error"),
    (AuthenticationError, "Authentication failed"),
    (
        PermissionDeniedError,
        "Permission denied (the member needs the r_ads scope and access to an ad account)",
    ),
    (VersionNotActiveError, "LinkedIn-Version not active (raise api_version)"),
    (RedirectError, "Redirected: a proxy or sign-on page answered instead of LinkedIn"),
    (APIError, "LinkedIn API error"),
    (TransportError, "Could not reach the LinkedIn API"),
    (LinkedInAdsError, "LinkedIn Ads error"),
)


class LinkedInAdsHook(BaseHook):
    """Interact with the LinkedIn Marketing API (``adAnalytics`` reporting) through a connection.

    Configuration is resolved once, on first use, with the precedence explicit arguments >
    connection extras > package defaults (``None`` means "not given"). Nothing is read or sent in
    ``__init__``; the connection is read by :attr:`client_config`, the client built by
    :attr:`client`. Client secret, refresh token and access tokens (including tokens minted later)
    are registered with Airflow's secret masker as soon as they are read.

    The connection (type ``linkedin_ads``): ``login`` = OAuth client id, ``password`` = client
    secret, extras ``refresh_token``, ``access_token``, ``api_version`` (``YYYYMM``) and the optional
    ``api_base_url`` / ``oauth_url`` (the OAuth token endpoint) overrides (``http://`` only for
    loopback hosts; the extra's former name ``token_url`` is still read, with a deprecation warning,
    because Airflow masks every extra whose name contains "token"), ``attempt_timeout`` (seconds
    one attempt may take, connect to last byte; default 300) and ``max_response_bytes`` (largest
    answer read; default 64 MiB). As an environment variable:

    .. code-block:: bash

        export AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT='{"conn_type": "linkedin_ads",
            "login": "<client id>", "password": "<client secret>",
            "extra": {"refresh_token": "<refresh token>", "api_version": "202608"}}'

    .. code-block:: python

        import datetime as dt

        from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
        from airflow_provider_linkedin_ads.models import DateRange

        hook = LinkedInAdsHook(linkedin_ads_conn_id="linkedin_ads_default")
        rows = hook.analytics(
            pivot="CAMPAIGN",
            time_granularity="DAILY",
            date_range=DateRange(dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
            accounts=[508000000],
            fields=["dateRange", "pivotValues", "impressions", "clicks", "costInLocalCurrency"],
        )

    :param linkedin_ads_conn_id: the Airflow connection id.
    :param api_version: ``LinkedIn-Version`` (``YYYYMM``); overrides the connection's extra.
    :param api_base_url: API root; overrides the connection's extra.
    :param token_url: OAuth token endpoint; overrides the connection's extra.
    :param retry_policy: how transient failures are retried; default :class:`RetryPolicy`.
    :param attempt_timeout: seconds one attempt may take, connect to last byte; overrides the
        connection's extra (default 300).
    :param defer_waits_longer_than: seconds; the client raises ``WaitDeferredError`` instead of
        sleeping longer (deferrable operators set it; default ``None``: every wait is slept).
    :param kwargs: passed to Airflow's ``BaseHook`` (``logger_name``).
    """

    conn_name_attr = "linkedin_ads_conn_id"
    default_conn_name = "linkedin_ads_default"
    conn_type = "linkedin_ads"
    hook_name = "LinkedIn Ads"

    def __init__(
        self,
        linkedin_ads_conn_id: str = default_conn_name,
        *,
        api_version: str | None = None,
        api_base_url: str | None = None,
        token_url: str | None = None,
        retry_policy: RetryPolicy | None = None,
        attempt_timeout: float | None = None,
        defer_waits_longer_than: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.linkedin_ads_conn_id = linkedin_ads_conn_id
        self.api_version = api_version
        self.api_base_url = api_base_url
        self.token_url = token_url
        self.retry_policy = retry_policy
        self.attempt_timeout = attempt_timeout
        self.defer_waits_longer_than = defer_waits_longer_than

    # -- configuration and client ------------------------------------------------------------

    @cached_property
    def client_config(self) -> ClientConfig:
        """The resolved, validated client configuration (reads the connection once).

        :raises ConfigurationError: naming the field, for malformed extras, an invalid
            ``api_version``, a non-loopback ``http://`` URL or missing credentials.
        """
        conn = self.get_connection(self.linkedin_ads_conn_id)
        extras = ConnectionExtras.from_connection(conn, conn_type=self.conn_type)
        unknown = extras.unknown_keys()
        if unknown:
            self.log.warning(
                "Connection %r: ignoring unknown extra keys %s", self.linkedin_ads_conn_id, unknown
            )
        resolved: dict[str, Any] = {
            "client_id": _blank_to_none(conn.login),
            "client_secret": _masked(_blank_to_none(conn.password), "client_secret"),
            "refresh_token": _masked(extras.get_str("refresh_token"), "refresh_token"),
            "access_token": _masked(extras.get_str("access_token"), "access_token"),
            "api_version": _first(self.api_version, extras.get_str("api_version")),
            "api_base_url": _first(self.api_base_url, extras.get_str("api_base_url")),
            "token_url": _first(self.token_url, extras.get_str("oauth_url")),
            "attempt_timeout": _first(self.attempt_timeout, extras.get_number("attempt_timeout")),
            "max_response_bytes": extras.get_number("max_response_bytes", integer=True),
            "retry": self.retry_policy,
            "defer_waits_longer_than": self.defer_waits_longer_than,
        }
        # ``None`` means "not given": dropping it lets ClientConfig apply its documented defaults.
        try:
            return ClientConfig(**{key: value for key, value in resolved.items() if value is not None})
        except ConfigurationError as err:
            if err.argument != "token_url" or self.token_url is not None:
                raise
            # The client calls it token_url; the connection's extra is oauth_url: name what to fix.
            raise ConfigurationError(f"extra oauth_url: {err}", argument="oauth_url") from err

    @cached_property
    def client(self) -> LinkedInAdsClient:
        """The process's shared client of this connection and configuration (see ``client.cache``).

        Hooks (and triggers) of one process with the same connection and configuration share one
        client: one HTTP session and one access token, refreshed and masked once, not once per hook.
        """
        # Imported here, not at module level: ``requests`` (and the HTTP stack under it) would add
        # tens of milliseconds to every DAG file that imports the hook, operators or sensor.
        from airflow_provider_linkedin_ads.client.cache import CLIENTS

        return CLIENTS.get(self.linkedin_ads_conn_id, self.client_config, on_new_token=_mask_new_token)

    def get_conn(self) -> LinkedInAdsClient:
        """Return :attr:`client` (Airflow's conventional accessor)."""
        return self.client

    def close(self) -> None:
        """Let go of the client; the hook stays usable.

        The client is shared by the process (other hooks and triggers may be using it), so the
        process-wide cache owns it and keeps its session open; ``CLIENTS.clear()`` closes them all.
        """
        self.__dict__.pop("client", None)

    # -- adAnalytics finders -----------------------------------------------------------------

    def analytics(
        self,
        *,
        pivot: Pivot | str,
        time_granularity: TimeGranularity | str,
        date_range: DateRange | OpenDateRange,
        accounts: Facet = (),
        campaign_groups: Facet = (),
        campaigns: Facet = (),
        creatives: Facet = (),
        shares: Facet = (),
        companies: Facet = (),
        fields: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Run one ``q=analytics`` call (one pivot) and return its ``elements``.

        One HTTP call, no chunking: at most 20 ``fields`` and 15,000 rows, as LinkedIn allows. Facet
        values are numeric ids or URNs of the facet's type; ids are turned into URNs. Elements are
        returned as LinkedIn sent them, except that JSON numbers with a fraction are ``Decimal``.

        :param pivot: a :class:`~airflow_provider_linkedin_ads.enums.Pivot` or its name.
        :param time_granularity: ``DAILY``, ``MONTHLY``, ``YEARLY`` or ``ALL``.
        :param date_range: inclusive UTC days; an
            :class:`~airflow_provider_linkedin_ads.models.OpenDateRange` sends no ``end`` and LinkedIn
            ends the range today (UTC).
        :param accounts: sponsored account ids/URNs (likewise ``campaign_groups``, ``campaigns``,
            ``creatives``, ``shares``, ``companies``); LinkedIn needs at least one facet.
        :param fields: metric and field names; ``None`` lets LinkedIn return impressions and clicks.
        :raises ConfigurationError: for an argument of the wrong type or a malformed id/URN.
        :raises APIError: and the other errors of the client, unchanged.
        """
        request = FinderRequest.analytics(
            pivot=pivot,
            time_granularity=time_granularity,
            date_range=date_range,
            facets=_facets(accounts, campaign_groups, campaigns, creatives, shares, companies),
            fields=fields,
        )
        return self._run(request)

    def statistics(
        self,
        *,
        pivots: Sequence[Pivot | str] | Pivot | str,
        time_granularity: TimeGranularity | str,
        date_range: DateRange | OpenDateRange,
        accounts: Facet = (),
        campaign_groups: Facet = (),
        campaigns: Facet = (),
        creatives: Facet = (),
        shares: Facet = (),
        companies: Facet = (),
        fields: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Run one ``q=statistics`` call (1-3 pivots, no ``MEMBER_*``) and return its ``elements``.

        Arguments as for :meth:`analytics`, with ``pivots`` a sequence whose order is the order of
        each row's ``pivotValues``.
        """
        request = FinderRequest.statistics(
            pivots=pivots,
            time_granularity=time_granularity,
            date_range=date_range,
            facets=_facets(accounts, campaign_groups, campaigns, creatives, shares, companies),
            fields=fields,
        )
        return self._run(request)

    def attributed_revenue(
        self,
        *,
        pivots: Sequence[Pivot | str] | Pivot | str,
        date_range: DateRange | OpenDateRange,
        account: int | str,
        campaigns: Facet = (),
        campaign_groups: Facet = (),
        fields: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Run one ``q=attributedRevenueMetrics`` call and return its ``elements``.

        :param pivots: ``ACCOUNT``, ``CAMPAIGN_GROUP`` and/or ``CAMPAIGN``.
        :param date_range: 30 to 366 days, starting within the last year (checked by LinkedIn). An
            :class:`~airflow_provider_linkedin_ads.models.OpenDateRange` runs to today (UTC), the only
            ranges for which LinkedIn returns ``openOpportunities`` and ``opportunityAmountInUsd``.
        :param account: the one sponsored account id or URN (required by the finder).
        :param campaigns: optional campaign ids/URNs; likewise ``campaign_groups``.
        :param fields: e.g. ``["dateRange", "pivotValues", "revenueAttributionMetrics"]``.
        """
        request = FinderRequest.attributed_revenue(
            pivots=pivots,
            date_range=date_range,
            account=account,
            campaign_groups=campaign_groups,
            campaigns=campaigns,
            fields=fields,
        )
        return self._run(request)

    def _run(self, request: FinderRequest) -> list[dict[str, Any]]:
        response = self.client.get("adAnalytics", request.params, summary=request.summary())
        return elements_of(response, resource="adAnalytics")

    # -- generic access ------------------------------------------------------------------------

    def get(
        self, resource: str, params: Sequence[tuple[str, Value | None]] = (), **kwargs: Any
    ) -> dict[str, Any]:
        """GET any ``/rest`` resource through the client (Rest.li-encoded ``params``, in order).

        .. code-block:: python

            hook.get("adAccounts/508000000")
            hook.get("adAccounts", [("q", "search"), ("pageSize", 10)])

        :param kwargs: passed to the client (``restli_method``, ``summary``).
        """
        return self.client.get(resource, params, **kwargs)

    def finder(
        self, resource: str, finder: str, params: Sequence[tuple[str, Value | None]]
    ) -> dict[str, Any]:
        """Call a Rest.li finder (``q=<finder>``) on any ``/rest`` resource through the client."""
        return self.client.finder(resource, finder, params)

    # -- entities (paged to the end; see client/entities.py) --------------------------------------

    def list_ad_accounts(self, *, statuses: Sequence[str] | None = ("ACTIVE",)) -> list[dict[str, Any]]:
        """List the ad accounts the token can see (``adAccounts?q=search``); ``None``: any status."""
        return entities.list_ad_accounts(self.client, statuses=statuses)

    def list_campaign_groups(
        self, account: int | str, *, statuses: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """List one account's campaign groups (``account``: id or URN; ``None``: any status)."""
        return entities.list_campaign_groups(self.client, account, statuses=statuses)

    def list_campaigns(
        self, account: int | str, *, statuses: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """List one account's campaigns (``account``: id or URN; ``None``: any status)."""
        return entities.list_campaigns(self.client, account, statuses=statuses)

    def list_creatives(
        self, account: int | str, *, statuses: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """List one account's creatives (``statuses`` filter ``intendedStatus``; ``None``: any)."""
        return entities.list_creatives(self.client, account, statuses=statuses)

    def entity_rows(self, entity_type: str, accounts: Any = None, **kwargs: Any) -> EntityTable:
        """Return one dimension table's columns and typed rows (see ``client/entity_rows.py``).

        :param kwargs: ``modified_since``, ``page_size``, ``paging`` for :func:`.entity_rows`.
        """
        from airflow_provider_linkedin_ads.client.entity_rows import entity_rows  # lazy like ``client``

        return entity_rows(self.client, entity_type, accounts, **kwargs)

    # -- landing files (one path for every file; see client/landing.py) --------------------------

    def land_report(
        self,
        request: ReportRequest,
        destination: Destination,
        *,
        options: ReportOptions | None = None,
        file: FileOptions | None = None,
        should_stop: Callable[[], bool] | None = None,
        today: Callable[[], dt.date] | None = None,
        logger: logging.Logger | None = None,
        checkpoint: AnswerCheckpoint | None = None,
    ) -> LandedReport:
        """Run a whole report and land it in ``destination`` atomically: a complete file or none.

        .. code-block:: python

            from airflow_provider_linkedin_ads.utils.landing import AtomicLanding

            report = hook.land_report(request, AtomicLanding("s3://bucket/linkedin/campaigns.jsonl"))
            report.output.rows, report.summary.calls_made

        Arguments as for :func:`~airflow_provider_linkedin_ads.client.landing.land_report`
        (``options`` and ``file`` default to :class:`~.client.landing.ReportOptions` and
        :class:`~.client.landing.FileOptions` defaults).
        """
        return landing.land_report(
            self.client,
            request,
            destination,
            options=options or landing.ReportOptions(),
            file=file or landing.FileOptions(),
            should_stop=should_stop,
            today=today,
            logger=logger,
            checkpoint=checkpoint,
        )

    def collect_report(
        self,
        request: ReportRequest,
        collect: Callable[[Iterable[ReportRow]], Any],
        *,
        options: ReportOptions | None = None,
        should_stop: Callable[[], bool] | None = None,
        today: Callable[[], dt.date] | None = None,
        logger: logging.Logger | None = None,
        checkpoint: AnswerCheckpoint | None = None,
    ) -> LandedReport:
        """Run a whole report like :meth:`land_report`, handing its rows to ``collect`` (e.g. ``list``)."""
        return landing.collect_report(
            self.client,
            request,
            collect,
            options=options or landing.ReportOptions(),
            should_stop=should_stop,
            today=today,
            logger=logger,
            checkpoint=checkpoint,
        )

    def land_entities(
        self,
        entity_type: str,
        destination: Destination,
        *,
        accounts: Any = None,
        modified_since: dt.datetime | dt.date | str | None = None,
        page_size: int | None = None,
        file: FileOptions | None = None,
        should_stop: Callable[[], bool] | None = None,
        now: dt.datetime | None = None,
    ) -> LandedTable:
        """Land one snapshot of a dimension table (``campaigns`` ...) in ``destination`` atomically.

        .. code-block:: python

            table = hook.land_entities("campaigns", AtomicLanding("file:///data/linkedin/campaigns.jsonl"))
            table.output.rows

        Arguments as for :func:`~airflow_provider_linkedin_ads.client.landing.land_entities`.
        """
        return landing.land_entities(
            self.client,
            entity_type,
            destination,
            accounts=accounts,
            modified_since=modified_since,
            page_size=page_size or entities.DEFAULT_PAGE_SIZE,
            file=file or landing.FileOptions(),
            should_stop=should_stop,
            now=now,
        )

    def with_active_accounts(
        self, request: ReportRequest, *, today: dt.date | None = None, logger: logging.Logger | None = None
    ) -> ReportRequest:
        """Return ``request`` with empty facets filled with every ACTIVE account the token sees (one listing)."""
        return landing.with_active_accounts(self.client, request, today=today, logger=logger)

    # -- Airflow UI ----------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """Make one cheap authenticated call (``adAccounts?q=search&pageSize=1``); never raises.

        The UI's Test button must answer quickly, so this uses its own short policy, not the
        connection's: one attempt per step (token, call), no retries, :data:`TEST_CONNECTION_TIMEOUT`
        seconds for connect, reads and each whole attempt -- under 10 s even for an unreachable
        host. The message says so, because a transient failure here may pass in a real task.

        :return: ``(True, message)`` on success, else ``(False, message)`` naming the problem type.
        """
        from airflow_provider_linkedin_ads.client.client import LinkedInAdsClient  # lazy: see ``client``

        try:
            config = self.client_config
            with LinkedInAdsClient(quick_check_config(config), on_new_token=_mask_new_token) as client:
                client.get("adAccounts", [("q", "search"), ("pageSize", 1)])
        except Exception as err:
            return False, f"{_describe_failure(err)} {_QUICK_CHECK}"
        return (
            True,
            f"Connection successfully tested (LinkedIn-Version {config.api_version}, {config.api_base_url}).",
        )

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Legacy connection-form widgets (Airflow 2.11-3.1), built from ``CONN_FIELDS``.

        Airflow 3.2+ reads ``conn-fields`` from the provider info instead. The Flask and wtforms
        imports live inside the method because a plain Airflow 3 install has neither.
        """
        from flask_appbuilder.fieldwidgets import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
            BS3PasswordFieldWidget,
            BS3TextFieldWidget,
        )
        from flask_babel import lazy_gettext  # type: ignore[import-not-found,import-untyped,unused-ignore]
        from wtforms import PasswordField, StringField  # type: ignore[import-not-found,import-untyped,unused-ignore]
        from wtforms.validators import Optional, Regexp  # type: ignore[import-not-found,import-untyped,unused-ignore]

        widgets: dict[str, Any] = {}
        for name, spec in CONN_FIELDS.items():
            schema = spec["schema"]
            validators = [Optional(), Regexp(schema["pattern"])] if "pattern" in schema else []
            if schema.get("format") == "password":
                field_class, widget = PasswordField, BS3PasswordFieldWidget()
            else:
                field_class, widget = StringField, BS3TextFieldWidget()
            widgets[name] = field_class(
                lazy_gettext(spec["label"]),
                widget=widget,
                validators=validators,
                description=spec["description"],
            )
        return widgets

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Legacy form customisation (Airflow 2.11-3.1), the same as ``ui-field-behaviour``."""
        return {
            "hidden_fields": list(UI_FIELD_BEHAVIOUR["hidden-fields"]),
            "relabeling": dict(UI_FIELD_BEHAVIOUR["relabeling"]),
            "placeholders": dict(UI_FIELD_BEHAVIOUR["placeholders"]),
        }


_QUICK_CHECK = (
    f"(quick check: one attempt per step, no retries, {TEST_CONNECTION_TIMEOUT:g} s timeouts; tasks retry "
    "transient failures under the full policy)"
)


def quick_check_config(config: ClientConfig) -> ClientConfig:
    """``config`` with the short policy of ``test_connection`` (one attempt per step, small timeouts)."""
    return config.replace(
        retry=TEST_CONNECTION_POLICY,
        connect_timeout=min(config.connect_timeout, TEST_CONNECTION_TIMEOUT),
        read_timeout=min(config.read_timeout, TEST_CONNECTION_TIMEOUT),
        attempt_timeout=min(config.attempt_timeout, TEST_CONNECTION_TIMEOUT),
    )


def _facets(
    accounts: Facet,
    campaign_groups: Facet,
    campaigns: Facet,
    creatives: Facet,
    shares: Facet,
    companies: Facet,
) -> dict[str, Facet]:
    # Keyed by wire name, in the order they are sent.
    return {
        "accounts": accounts,
        "campaignGroups": campaign_groups,
        "campaigns": campaigns,
        "creatives": creatives,
        "shares": shares,
        "companies": companies,
    }


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


def _first(*values: _T | None) -> _T | None:
    return next((value for value in values if value is not None), None)


def _masked(secret: str | None, name: str) -> str | None:
    if secret:
        mask_secret(secret, name)
    return secret


def _mask_new_token(token: str) -> None:
    mask_secret(token, "access_token")


def _describe_failure(err: BaseException) -> str:
    label = next((text for kind, text in _FAILURE_KINDS if isinstance(err, kind)), None)
    if label is None:
        label = f"Unexpected {type(err).__name__}"
    # Our errors never hold secrets; a foreign one (connection lookup, ...) goes through the masker.
    return f"{label}: {redact(str(err))}"
