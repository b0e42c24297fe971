"""``LinkedInAdsEntitiesOperator``: land one dimension table per task run, beside the reports.

The tables are ad accounts, campaign groups, campaigns and creatives: the entities the reports'
URNs name.

Each run lands one complete snapshot of one entity type for the given ad accounts (empty: every
ACTIVE account the token sees, as the report operators do): every page of LinkedIn's listing,
typed by the table's stable schema
(:mod:`~airflow_provider_linkedin_ads.entity_tables`), written atomically through the same client
call as the reports (:func:`~airflow_provider_linkedin_ads.client.landing.land_entities`). A
broken page, a repeated cursor or a mistyped field fails the task and lands nothing.

Join a report to a table on the URN: a ``CAMPAIGN`` report's ``campaign`` column equals the
``campaigns`` table's ``urn``.

Choices where the issue is silent: ``output_path`` is required (a dimension table is a file; it has
no XCom mode); ``modified_since`` is compared with each entity's last-modified time after the full
listing (no entity finder offers that criterion), so it narrows the file, not the calls; the daily
quota is handled as in the report operators (``deferrable``: wait for the reset in the triggerer).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from airflow.providers.common.compat.sdk import conf

from airflow_provider_linkedin_ads.client.entities import DEFAULT_PAGE_SIZE, account_id, check_page_size
from airflow_provider_linkedin_ads.client.entity_rows import parse_modified_since
from airflow_provider_linkedin_ads.entity_tables import EntityType, entity_type as parse_entity_type
from airflow_provider_linkedin_ads.errors import ConfigurationError, DailyQuotaExceededError
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.operators import _base
from airflow_provider_linkedin_ads.operators._arguments import (
    check_api_version,
    check_attempt_timeout,
    check_flag,
    is_literal,
    optional_text,
    text_list,
)
from airflow_provider_linkedin_ads.operators._output import LinkedInAdsFileOperator
from airflow_provider_linkedin_ads.operators._quota import deferral
from airflow_provider_linkedin_ads.operators._results import Lineage
from airflow_provider_linkedin_ads.utils.landing import public_uri

if TYPE_CHECKING:
    import os

    from airflow.providers.common.compat.sdk import Context, ObjectStoragePath

    from airflow_provider_linkedin_ads.client.config import RetryPolicy
    from airflow_provider_linkedin_ads.client.landing import LandedTable

__all__ = ["ENTITY_SOURCES", "LinkedInAdsEntitiesOperator"]

Ids = Sequence[int | str] | int | str

#: The LinkedIn collection and finder each table is listed from (OpenLineage input, logs).
ENTITY_SOURCES: dict[EntityType, tuple[str, str]] = {
    EntityType.AD_ACCOUNTS: ("adAccounts", "search"),
    EntityType.CAMPAIGN_GROUPS: ("adCampaignGroups", "search"),
    EntityType.CAMPAIGNS: ("adCampaigns", "search"),
    EntityType.CREATIVES: ("creatives", "criteria"),
}


class LinkedInAdsEntitiesOperator(LinkedInAdsFileOperator):
    """Land one snapshot of one LinkedIn Ads entity type per run: a dimension table in ``output_path``.

    .. code-block:: python

        LinkedInAdsEntitiesOperator(
            task_id="campaigns_table",
            entity_type="campaigns",
            accounts=[508000000],
            output_path="file:///data/linkedin/entities/{{ ds }}/campaigns.parquet",
            output_format="parquet",
        )

    Returns (XCom) the run's summary: ``entity_type``, ``accounts`` (how many were asked for; 0 =
    every ACTIVE one), ``modified_since``, ``output_path``, ``output_format``, ``bytes_written``,
    ``columns``, ``rows_written``, ``calls_made``, ``calls_retried``.

    :param entity_type: ``ad_accounts``, ``campaign_groups``, ``campaigns`` or ``creatives``
        (checked when the DAG is parsed). The columns of each are listed in the README's
        "Dimension tables" section and :mod:`~airflow_provider_linkedin_ads.entity_tables`.
    :param accounts: ad account ids or URNs (templated; XCom lists and ``.expand()`` work); empty
        (default): every ACTIVE account the token can see. For ``ad_accounts`` explicit accounts are
        looked up in any status; one the token cannot see fails the task.
    :param modified_since: land only entities changed at or after this instant (templated): an ISO
        date or time (``{{ prev_data_interval_start_success }}``), a ``datetime`` or a ``date``
        (midnight UTC); naive times are UTC. ``None`` (default): the full snapshot. A time in the
        future is refused.
    :param output_path: file URI (``file://``, ``s3://``, ``gs://`` ...), written atomically (templated);
        required.
    :param output_format: ``jsonl`` (default), ``csv`` or ``parquet`` (needs the ``[parquet]`` extra).
    :param output_conn_id: connection of the output filesystem (templated).
    :param linkedin_ads_conn_id: the LinkedIn Ads connection (templated).
    :param page_size: entities per listing call (default 100, at most 1,000).
    :param api_version: ``LinkedIn-Version`` override.
    :param api_retry_policy: the API client's retry policy (not Airflow's task ``retry_policy``).
    :param attempt_timeout: seconds one API attempt may take (default: the connection's, else 300).
    :param deferrable: on a spent daily quota, wait in the triggerer until shortly after 00:00 UTC
        (default ``[operators] default_deferrable``); otherwise fail saying when it resets. Other waits
        (throttling, ``Retry-After``) are slept in the worker, whatever ``deferrable`` says.
    :param csv_escape_formulas: CSV only: prefix formula-like text cells (``= + - @``, tab, CR)
        with ``'`` (default ``True``; numbers never change).
    :param kwargs: ``BaseOperator`` arguments.
    """

    template_fields: Sequence[str] = (
        "linkedin_ads_conn_id",
        "accounts",
        "modified_since",
        "output_path",
        "output_conn_id",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"accounts": "py"}
    ui_color = "#e3eef9"

    def __init__(
        self,
        *,
        entity_type: EntityType | str,
        output_path: str | ObjectStoragePath | os.PathLike[str],
        accounts: Ids = (),
        modified_since: str | dt.datetime | dt.date | None = None,
        output_format: str = "jsonl",
        output_conn_id: str | None = None,
        linkedin_ads_conn_id: str = LinkedInAdsHook.default_conn_name,
        page_size: int = DEFAULT_PAGE_SIZE,
        api_version: str | None = None,
        api_retry_policy: RetryPolicy | None = None,
        attempt_timeout: float | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        csv_escape_formulas: bool = True,
        **kwargs: Any,
    ) -> None:
        if output_path is None:
            raise ConfigurationError(
                "output_path is required: a dimension table lands as a file "
                "(e.g. file:///data/linkedin/{{ ds }}/campaigns.jsonl or s3://bucket/...)",
                argument="output_path",
            )
        super().__init__(
            output_path=output_path,
            output_format=output_format,
            output_conn_id=output_conn_id,
            csv_escape_formulas=csv_escape_formulas,
            **kwargs,
        )
        # Templated: assigned verbatim; literal values are checked now, rendered ones in execute.
        self.linkedin_ads_conn_id = linkedin_ads_conn_id
        self.accounts = accounts
        self.modified_since = modified_since
        # Not templated: checked now, so a broken DAG fails when it is parsed.
        self.entity_type = parse_entity_type(entity_type)
        check_page_size(page_size)
        self.page_size = page_size
        self.api_version = check_api_version(api_version)
        self.api_retry_policy = api_retry_policy
        self.attempt_timeout = check_attempt_timeout(attempt_timeout)
        self.deferrable = check_flag(deferrable, argument="deferrable")
        if is_literal(accounts):
            _account_urns(accounts)
        if is_literal(modified_since):
            _modified_since(modified_since)

    @cached_property
    def hook(self) -> LinkedInAdsHook:
        """The LinkedIn Ads hook, built on first use (never in ``__init__``).

        Its own, not the report base's: a table has no checkpoint to resume from, so its client
        waits out throttling in-process; only the DAY quota defers (:meth:`_wait_for_quota`).
        """
        return LinkedInAdsHook(
            self.linkedin_ads_conn_id,
            api_version=self.api_version,
            retry_policy=self.api_retry_policy,
            attempt_timeout=self.attempt_timeout,
        )

    def execute(self, context: Context) -> dict[str, Any]:
        """Check the rendered arguments, land the table with one hook call, return its summary."""
        accounts = _account_urns(self.accounts)
        since = _modified_since(self.modified_since)
        output_path = self._output_uri()
        if output_path is None:
            raise ConfigurationError(
                "output_path rendered empty; a dimension table needs a file", argument="output_path"
            )
        self.log.info(
            "LinkedIn Ads %s table for %s -> %s",
            self.entity_type.value,
            f"{len(accounts)} account(s)" if accounts else "every ACTIVE account the token sees",
            public_uri(output_path),
        )
        try:
            table = self.hook.land_entities(
                self.entity_type.value,
                self._destination(output_path),
                accounts=accounts,
                modified_since=since,
                page_size=self.page_size,
                file=self.file_options,
                should_stop=lambda: self._killed,
                now=_base.utcnow(),
            )
        except DailyQuotaExceededError as err:
            self._wait_for_quota(err)
        finally:
            self.hook.close()
        summary = self._summarise(table, accounts, since)
        self._record_asset_event(context, summary)
        return summary

    def execute_complete(self, context: Context, event: Any = None) -> dict[str, Any]:
        """Resume after the daily quota reset: land the same table again (a fresh snapshot)."""
        self.log.info("Resuming after LinkedIn's daily quota reset (trigger event %s)", event)
        return self.execute(context)

    def _summarise(
        self, table: LandedTable, accounts: list[str], since: dt.datetime | None
    ) -> dict[str, Any]:
        output = table.output
        summary = {
            "entity_type": table.entity_type,
            "accounts": len(accounts),
            "modified_since": None if since is None else since.isoformat(),
            "output_path": output.uri,
            "output_format": output.output_format,
            "bytes_written": output.size,
            "columns": [column.name for column in table.columns],
            "rows_written": output.rows,
            "calls_made": table.calls_made,
            "calls_retried": table.calls_retried,
        }
        self.log.info("LinkedIn Ads %s table summary: %s", table.entity_type, json.dumps(summary))
        resource, finder = ENTITY_SOURCES[self.entity_type]
        self._lineage = Lineage(
            api_base_url=self.hook.client_config.api_base_url,
            finder=finder,
            uri=output.uri,
            columns=table.columns,
            rows=output.rows,
            size=output.size,
            resource=resource,
        )
        return summary

    def _asset_extra(self, summary: dict[str, Any]) -> dict[str, Any]:
        # What a downstream DAG needs to pick the table: which one, since when, where, how many rows.
        return {
            "entity_type": summary["entity_type"],
            "modified_since": summary["modified_since"],
            "rows_written": summary["rows_written"],
            "output_path": summary["output_path"],
        }

    def _wait_for_quota(self, err: DailyQuotaExceededError) -> NoReturn:
        # The report operators' one path: a spent DAY quota cannot be retried away before 00:00 UTC.
        trigger, reason = deferral(err, _base.utcnow(), deferrable=self.deferrable)
        self.log.warning("%s; deferring", reason)
        self.defer(trigger=trigger, method_name="execute_complete")
        raise AssertionError("defer() returned")  # pragma: no cover - defer always raises


def _account_urns(value: object) -> list[str]:
    """Return the rendered ``accounts`` as sponsored-account URNs, sorted and without repeats.

    :raises ConfigurationError: naming ``accounts`` for anything but ids and account URNs.
    """
    ids = {account_id(item, argument="accounts") for item in text_list(value, argument="accounts")}
    return [f"urn:li:sponsoredAccount:{item}" for item in sorted(ids, key=int)]


def _modified_since(value: object) -> dt.datetime | None:
    """Return the rendered ``modified_since`` as an aware UTC instant, ``None`` when empty.

    :raises ConfigurationError: naming ``modified_since`` for text that is not ISO-8601 or a time
        later than now.
    """
    if isinstance(value, str):
        value = optional_text(value, argument="modified_since")
    if value is not None and not isinstance(value, str | dt.date):
        raise ConfigurationError(
            f"modified_since must be an ISO-8601 date or time, a datetime or a date, got {type(value).__name__}",
            argument="modified_since",
        )
    return parse_modified_since(value, now=_base.utcnow())
