"""``LinkedInAdsMetricsMaturitySensor``: hold a report back until LinkedIn's data for it is final.

Professional-demographic (``MEMBER_*``) values lag 12–24 hours and video watch time up to 48 hours
(:mod:`airflow_provider_linkedin_ads.maturity`). The sensor resolves the report's date range exactly
as the operators do (:func:`~airflow_provider_linkedin_ads.utils.run_window.resolve_date_range`),
computes the moment its data is mature and succeeds from then on. Deferrable (recommended), it
waits in the triggerer and holds no worker slot; otherwise it pokes in ``poke`` or ``reschedule``
mode with the same logic.

The module-level :func:`utcnow` and :func:`blocking_sleep` are the time seam tests replace.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

from airflow.providers.common.compat.sdk import (
    AirflowSensorTimeout,
    BaseSensorOperator,
    PokeReturnValue,
    conf,
)

from airflow_provider_linkedin_ads.enums import Pivot
from airflow_provider_linkedin_ads.errors import ConfigurationError, LinkedInAdsError
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.maturity import DEFAULT_SETTLE_MARGIN, is_mature, maturity_moment
from airflow_provider_linkedin_ads.metrics import METRICS
from airflow_provider_linkedin_ads.models import ANALYTICS_FACETS, FACET_URN_TYPES, DateRange, normalize_urn
from airflow_provider_linkedin_ads.triggers._report_totals import read_report_totals
from airflow_provider_linkedin_ads.triggers.ad_analytics import LinkedInAdsMetricsMaturityTrigger
from airflow_provider_linkedin_ads.utils.run_window import resolve_date_range

if TYPE_CHECKING:
    from decimal import Decimal

    from airflow.providers.common.compat.sdk import Context

__all__ = ["LinkedInAdsMetricsMaturitySensor", "blocking_sleep", "utcnow"]

#: Sensor facet argument -> the wire name whose URN type its values take.
FACET_ARGUMENTS: dict[str, str] = dict(ANALYTICS_FACETS)
MAX_PIVOTS = 3


def utcnow() -> dt.datetime:
    """Return the current aware UTC time (the sensor's clock; tests replace it)."""
    return dt.datetime.now(tz=dt.UTC)


def blocking_sleep(seconds: float) -> None:
    """Sleep in the worker (the reschedule-mode totals check; tests replace it)."""
    time.sleep(seconds)


class LinkedInAdsMetricsMaturitySensor(BaseSensorOperator):
    """Wait until the data of a LinkedIn Ads report is mature (demographic and video delays).

    The moment is the end of the report's last UTC day plus the largest documented delay that
    applies (24 h for any ``MEMBER_*`` pivot, 48 h for ``videoWatchTime``/``averageVideoWatchTime``,
    else ``settle_margin``) plus ``extra_delay``. The date range is resolved like the operators'
    (explicit range, else the run's data interval, else the day before the run); the task returns
    ``{"moment", "date_range_start", "date_range_end", "confirmed_with_api"}``.

    .. code-block:: python

        wait = LinkedInAdsMetricsMaturitySensor(
            task_id="wait_for_demographics",
            pivots=["MEMBER_JOB_TITLE"],
            metrics=["impressions", "clicks", "costInLocalCurrency"],
            deferrable=True,
            timeout=dt.timedelta(days=3),
        )
        wait >> report_demographics

    :param pivots: the report's pivots (templated).
    :param pivot: shorthand for one pivot, as the analytics operator takes it (``pivot="CAMPAIGN"``
        is ``pivots=["CAMPAIGN"]``); give ``pivot`` or ``pivots``, not both.
    :param metrics: the report's metric names (templated).
    :param date_range_start: first day, ISO date (templated); see ``resolve_date_range``.
    :param date_range_end: last day, ISO date (templated).
    :param lookback_days: days before the start the report re-fetches (only widens the checked range).
    :param extra_delay: added to the moment (``timedelta`` or seconds), e.g. for late conversions.
    :param settle_margin: the wait when no documented delay applies (``timedelta`` or seconds).
    :param confirm_with_api: after the moment, also wait until two totals reads ``poke_interval``
        apart agree (needs a facet such as ``accounts``).
    :param linkedin_ads_conn_id: connection for ``confirm_with_api`` (templated).
    :param accounts: facet for the totals check (likewise ``campaign_groups``, ``campaigns``,
        ``creatives``, ``shares``, ``companies``; templated); ids or URNs.
    :param api_version: ``LinkedIn-Version`` override for the totals check.
    :param deferrable: wait in the triggerer (default ``[operators] default_deferrable``).
    :param kwargs: ``BaseSensorOperator`` arguments (``timeout``, ``poke_interval``, ``mode``,
        ``soft_fail``, ``exponential_backoff``, ...).
    """

    template_fields: Sequence[str] = (
        "date_range_start",
        "date_range_end",
        "pivots",
        "metrics",
        *FACET_ARGUMENTS,
        "linkedin_ads_conn_id",  # templated as in the report operators
    )
    ui_color = "#e8f1fb"

    def __init__(
        self,
        *,
        pivots: Sequence[Pivot | str] | str | None = None,
        metrics: Sequence[str] | str,
        pivot: Pivot | str | None = None,
        date_range_start: str | dt.date | None = None,
        date_range_end: str | dt.date | None = None,
        lookback_days: int = 0,
        extra_delay: dt.timedelta | float = dt.timedelta(0),
        settle_margin: dt.timedelta | float = DEFAULT_SETTLE_MARGIN,
        confirm_with_api: bool = False,
        linkedin_ads_conn_id: str = LinkedInAdsHook.default_conn_name,
        accounts: Sequence[int | str] | int | str = (),
        campaign_groups: Sequence[int | str] | int | str = (),
        campaigns: Sequence[int | str] | int | str = (),
        creatives: Sequence[int | str] | int | str = (),
        shares: Sequence[int | str] | int | str = (),
        companies: Sequence[int | str] | int | str = (),
        api_version: str | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # Templated: assigned verbatim, validated in execute() once rendered.
        self.pivots = _one_of_pivot_or_pivots(pivot, pivots)
        self.metrics = metrics
        self.date_range_start = date_range_start
        self.date_range_end = date_range_end
        self.accounts = accounts
        self.campaign_groups = campaign_groups
        self.campaigns = campaigns
        self.creatives = creatives
        self.shares = shares
        self.companies = companies
        # Not templated: validated now, so mistakes surface when the DAG is parsed.
        self.lookback_days = _whole_days(lookback_days)
        self.extra_delay = _duration(extra_delay, argument="extra_delay")
        self.settle_margin = _duration(settle_margin, argument="settle_margin")
        self.confirm_with_api = _flag(confirm_with_api, argument="confirm_with_api")
        self.deferrable = _flag(deferrable, argument="deferrable")
        self.linkedin_ads_conn_id = linkedin_ads_conn_id
        self.api_version = api_version
        self._previous_totals: dict[str, Decimal] | None = None

    @cached_property
    def hook(self) -> LinkedInAdsHook:
        """The hook of the totals check (built on first use, never in ``__init__``)."""
        return LinkedInAdsHook(self.linkedin_ads_conn_id, api_version=self.api_version)

    # -- maturity ------------------------------------------------------------------------------

    def report_window(self, context: Context) -> tuple[DateRange, dt.datetime]:
        """Return the resolved date range and the aware UTC moment its data is mature.

        :raises ConfigurationError: naming the argument, for invalid rendered values.
        """
        pivots, metrics = self._pivot_names(), self._metric_names()
        date_range = resolve_date_range(
            context,
            date_range_start=self.date_range_start,
            date_range_end=self.date_range_end,
            lookback_days=self.lookback_days,
            now=utcnow(),
        )
        moment = maturity_moment(
            pivots, metrics, date_range.end, settle_margin=self.settle_margin, extra_delay=self.extra_delay
        )
        return date_range, moment

    def execute(self, context: Context) -> Any:
        """Succeed at once if the data is mature, else defer (or poke) until it is."""
        if not self.deferrable:
            return super().execute(context)
        date_range, moment = self.report_window(context)
        facets = self._facets()  # validated before deferring, not in the triggerer
        now = utcnow()
        self.log.info("Report %s matures at %s (now %s)", date_range, moment.isoformat(), now.isoformat())
        if self.confirm_with_api or not is_mature(moment, now):
            self._defer(date_range, moment, facets, now)
        return _summary(date_range, moment, confirmed=False)

    def _defer(
        self, date_range: DateRange, moment: dt.datetime, facets: dict[str, list[str]], now: dt.datetime
    ) -> NoReturn:
        self.defer(
            trigger=LinkedInAdsMetricsMaturityTrigger(
                moment=moment.isoformat(),
                pivots=self._pivot_names(),
                metrics=self._metric_names(),
                date_range_start=date_range.start.isoformat(),
                date_range_end=date_range.end.isoformat(),
                facets=facets,
                linkedin_ads_conn_id=self.linkedin_ads_conn_id,
                api_version=self.api_version,
                poke_interval=self.poke_interval,
                confirm_with_api=self.confirm_with_api,
                # Absolute, so a triggerer restart does not extend the deadline.
                timeout_at=(now + dt.timedelta(seconds=self.timeout)).isoformat(),
            ),
            method_name="execute_complete",
            timeout=dt.timedelta(seconds=self.timeout),
        )
        raise AssertionError(
            "defer() returned"
        )  # pragma: no cover - defer always raises (2.11 types it as None)

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> dict[str, Any]:
        """Resume after the trigger: return the summary on success, raise otherwise.

        :raises AirflowSensorTimeout: on a ``timeout`` event (``soft_fail`` turns it into a skip).
        :raises LinkedInAdsError: on an ``error`` event or a malformed one.
        """
        if not event or "status" not in event:
            raise LinkedInAdsError(f"maturity trigger returned no usable event: {event!r}")
        status, message = event["status"], event.get("message", "")
        if status == "timeout":
            raise AirflowSensorTimeout(f"Sensor timed out: {message}")
        if status != "success":
            raise LinkedInAdsError(f"maturity check failed: {message}")
        self.log.info("%s", message)
        return {
            "moment": event["moment"],
            "date_range_start": event["date_range_start"],
            "date_range_end": event["date_range_end"],
            "confirmed_with_api": self.confirm_with_api,
        }

    def poke(self, context: Context) -> bool | PokeReturnValue:
        """Tell whether the data is mature (and, with ``confirm_with_api``, its totals settled)."""
        date_range, moment = self.report_window(context)
        facets = self._facets()
        if not is_mature(moment, utcnow()):
            self.log.info("Report %s is not mature before %s", date_range, moment.isoformat())
            return False
        if self.confirm_with_api and not self._totals_settled(date_range, facets):
            return False
        return PokeReturnValue(True, _summary(date_range, moment, confirmed=self.confirm_with_api))

    def _totals_settled(self, date_range: DateRange, facets: dict[str, list[str]]) -> bool:
        current = self._read_totals(date_range, facets)
        previous, self._previous_totals = self._previous_totals, current
        if previous is None and self.reschedule:
            # A rescheduled poke starts in a fresh process with no memory: take both reads now.
            blocking_sleep(self.poke_interval)
            previous, current = current, self._read_totals(date_range, facets)
            self._previous_totals = current
        settled = previous is not None and previous == current
        self.log.info("Totals for %s %s", date_range, "are stable" if settled else "are still settling")
        return settled

    def _read_totals(self, date_range: DateRange, facets: dict[str, list[str]]) -> dict[str, Decimal]:
        return read_report_totals(
            self.hook,
            pivots=self._pivot_names(),
            metrics=self._metric_names(),
            date_range=date_range,
            facets=facets,
        )

    # -- rendered-argument validation ----------------------------------------------------------

    def _pivot_names(self) -> list[str]:
        names = _names(self.pivots, argument="pivots")
        if not 1 <= len(names) <= MAX_PIVOTS:
            raise ConfigurationError(
                f"pivots: give 1 to {MAX_PIVOTS} pivots, got {len(names)}", argument="pivots"
            )
        for name in names:
            if name not in Pivot.__members__:
                raise ConfigurationError(f"pivots: {name!r} is not a LinkedIn pivot", argument="pivots")
        return names

    def _metric_names(self) -> list[str]:
        names = _names(self.metrics, argument="metrics")
        if not names:
            raise ConfigurationError("metrics: give at least one metric name", argument="metrics")
        unknown = [name for name in names if name not in METRICS]
        if unknown:
            raise ConfigurationError(f"metrics: unknown metric name(s) {unknown}", argument="metrics")
        return names

    def _facets(self) -> dict[str, list[str]]:
        facets: dict[str, list[str]] = {}
        for argument, wire_name in FACET_ARGUMENTS.items():
            values = getattr(self, argument)
            values = [values] if isinstance(values, int | str) else list(values or ())
            urn_type = FACET_URN_TYPES[wire_name]
            if values:
                facets[argument] = [
                    normalize_urn(value, urn_type=urn_type, argument=argument) for value in values
                ]
        if self.confirm_with_api and not facets:
            raise ConfigurationError(
                "accounts: confirm_with_api reads report totals, which LinkedIn only returns for a facet; "
                "give accounts, campaign_groups, campaigns, creatives, shares or companies",
                argument="accounts",
            )
        return facets


def _summary(date_range: DateRange, moment: dt.datetime, *, confirmed: bool) -> dict[str, Any]:
    return {
        "moment": moment.isoformat(),
        "date_range_start": date_range.start.isoformat(),
        "date_range_end": date_range.end.isoformat(),
        "confirmed_with_api": confirmed,
    }


def _names(value: object, *, argument: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not all(isinstance(item, str) for item in items):
        raise ConfigurationError(f"{argument}: expected a list of names, got {value!r}", argument=argument)
    return [str(item).strip() for item in items]


def _duration(value: dt.timedelta | float, *, argument: str) -> dt.timedelta:
    if isinstance(value, bool) or not isinstance(value, dt.timedelta | int | float):
        raise ConfigurationError(
            f"{argument}: expected a timedelta or seconds, got {value!r}", argument=argument
        )
    duration = value if isinstance(value, dt.timedelta) else dt.timedelta(seconds=value)
    if duration < dt.timedelta(0):
        raise ConfigurationError(f"{argument} must not be negative, got {duration}", argument=argument)
    return duration


def _whole_days(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(
            f"lookback_days must be a whole number >= 0, got {value!r}", argument="lookback_days"
        )
    return value


def _flag(value: bool, *, argument: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"{argument} must be True or False, got {value!r}", argument=argument)
    return value


def _one_of_pivot_or_pivots(pivot: Pivot | str | None, pivots: Any) -> Any:
    # The analytics operator takes ``pivot=``, the others ``pivots=``: the sensor watches any of them.
    if pivot is None and pivots is None:
        raise ConfigurationError("pivots is required (or pivot=, for one pivot)", argument="pivots")
    if pivot is not None and pivots is not None:
        raise ConfigurationError("give pivot= or pivots=, not both", argument="pivots")
    return [pivot] if pivot is not None else pivots
