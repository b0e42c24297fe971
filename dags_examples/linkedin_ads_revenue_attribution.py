"""
### LinkedIn Ads: monthly CRM-attributed revenue per campaign group and campaign

On the 1st of every month this DAG lands LinkedIn's revenue attribution
(`adAnalytics?q=attributedRevenueMetrics`): revenue won, closed-won opportunities, return on ad
spend, win rate, average deal size and days to close, per campaign group and campaign
(statistics-style `pivots=["CAMPAIGN_GROUP", "CAMPAIGN"]`), with their names.

**Window.** LinkedIn answers this finder only for ranges of **30 to 366 days** that start within
the last year, and CRM deals keep closing after the clicks that led to them. Each run therefore
reports the month that just ended **plus the 60 days before it** (`lookback_days=60`, about a
quarter: 88 to 92 days), so every month is re-attributed three times as its deals close.

**Accounts.** LinkedIn's finder takes exactly one ad account, so an upstream task lists the ACTIVE
accounts the token can see and one mapped task runs per account
(`.partial(...).expand(account=...)`). Only accounts whose Business Manager has a CRM connected
(Salesforce, HubSpot, Microsoft Dynamics 365, ...) return rows; the others land an empty file.
Data can take up to 72 hours to appear after a CRM is connected.

**Where the files land** (JSON Lines, one row per campaign group and campaign, revenue as exact
decimal strings):

```
<output base>/revenue_attribution/<first day of the month>/account=<account id>/campaign.jsonl
```

**Configuration** (a run's params override the Airflow Variables, which override the defaults):

| What | Param | Variable | Default |
|---|---|---|---|
| LinkedIn Ads connection | `linkedin_ads_conn_id` | `linkedin_ads_conn_id` | `linkedin_ads_default` |
| Ad accounts to keep (ids or URNs) | `accounts` | `linkedin_ads_accounts` (JSON list) | every ACTIVE account the token sees |
| Output base URI | `output_base` | `linkedin_ads_output_base` | `file:///tmp/linkedin_ads` |

**Schedule.** `CronDataIntervalTimetable("@monthly", timezone="UTC")`: every run's data interval is
one calendar month (UTC) on Airflow 2.11 and 3.x, so `airflow dags test
linkedin_ads_revenue_attribution 2026-11-01` reports 2026-10-01 to 2026-10-31 plus the lookback. (A
plain `"@monthly"` string gives zero-width intervals on Airflow 3.) The run of a month may only
start once the month is over, and `openOpportunities`/`opportunityAmountInUsd` are only returned by
LinkedIn when a range ends today, so they are absent from these files.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAttributedRevenueOperator

try:  # Airflow 3
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:  # Airflow 2.11
    from airflow.timetables.interval import CronDataIntervalTimetable

log = logging.getLogger(__name__)

# Run params override Airflow Variables, which override the defaults (rendered when a task runs, so
# parsing this file reads no Variable and needs no database).
CONN_ID = "{{ params.linkedin_ads_conn_id or var.value.get('linkedin_ads_conn_id', 'linkedin_ads_default') }}"
ACCOUNTS = "{{ params.accounts or var.json.get('linkedin_ads_accounts', []) }}"
OUTPUT_BASE = (
    "{{ (params.output_base or var.value.get('linkedin_ads_output_base', 'file:///tmp/linkedin_ads'))"
    ".rstrip('/') }}"
)
# The first UTC day a run reports before the lookback, for the folder name: the data interval's
# first day, or the day before run_after for a manual Airflow 3 run without a logical date.
REPORT_DAY = (
    "{{ dag_run.data_interval_start | ds if dag_run.data_interval_start "
    "else macros.ds_add(dag_run.run_after | ds, -1) }}"
)


def _account_id(value: Any) -> str:
    """``508000000``, ``"508000000"`` or ``"urn:li:sponsoredAccount:508000000"`` -> ``"508000000"``."""
    return str(value).strip().rsplit(":", 1)[-1]


@task
def list_accounts(linkedin_ads_conn_id: str, configured: list[Any]) -> list[int]:
    """Return the ids of the ACTIVE ad accounts to report on, one mapped revenue task each."""
    hook = LinkedInAdsHook(linkedin_ads_conn_id=linkedin_ads_conn_id)
    visible = [int(account["id"]) for account in hook.list_ad_accounts(statuses=("ACTIVE",))]
    if not configured:
        log.info("Reporting on all %d ACTIVE ad account(s) the token can see: %s", len(visible), visible)
        return visible
    wanted = {_account_id(item) for item in configured}
    missing = sorted(wanted - {str(account) for account in visible})
    if missing:
        log.warning("Skipping configured account(s) the token cannot see or that are not ACTIVE: %s", missing)
    return [account for account in visible if str(account) in wanted]


with DAG(
    dag_id="linkedin_ads_revenue_attribution",
    description="Monthly LinkedIn Ads CRM-attributed revenue per campaign group and campaign, one task per account",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("@monthly", timezone="UTC"),
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    render_template_as_native_obj=True,  # so the accounts template renders to a list
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=15)},
    # None defaults with nullable types: Airflow 3's trigger form marks a non-null "" or [] as
    # required and disables its Trigger button; an empty field means "Variable, else default".
    params={
        "linkedin_ads_conn_id": Param(
            None, type=["null", "string"], description="Connection id (empty: Variable or default)"
        ),
        "accounts": Param(
            None, type=["null", "array"], description="Ad account ids or URNs to keep (empty: all ACTIVE)"
        ),
        "output_base": Param(
            None, type=["null", "string"], description="Output base URI (empty: Variable or default)"
        ),
    },
    tags=["linkedin_ads", "example"],
):
    # [START howto_operator_linkedin_ads_attributed_revenue]
    accounts = list_accounts(linkedin_ads_conn_id=CONN_ID, configured=ACCOUNTS)
    LinkedInAdsAttributedRevenueOperator.partial(
        task_id="attributed_revenue",
        linkedin_ads_conn_id=CONN_ID,
        pivots=["CAMPAIGN_GROUP", "CAMPAIGN"],
        lookback_days=60,
        resolve_names=True,
        # task.account is this mapped task's account id (one per task).
        output_path=f"{OUTPUT_BASE}/revenue_attribution/{REPORT_DAY}/account={{{{ task.account }}}}/campaign.jsonl",
        map_index_template="account {{ task.account }}",
    ).expand(account=accounts)
    # [END howto_operator_linkedin_ads_attributed_revenue]
