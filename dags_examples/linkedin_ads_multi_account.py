"""
### LinkedIn Ads: many ad accounts, one mapped task per account, capped by a pool

An upstream task lists the ad accounts the connection's token can see (`adAccounts?q=search`,
ACTIVE only), then **dynamic task mapping** runs one campaign report per account
(`.partial(...).expand(accounts=...)`). A new account shows up in tomorrow's run without touching
the DAG, a failing account retries and fails on its own, and the Airflow UI shows one row per
account.

**Pool.** LinkedIn's rate limits are per application (and per member token), not per task, so
every mapped task runs in the Airflow pool `linkedin_ads`: its slots cap the LinkedIn reports in
flight across all workers and all DAGs that use it. Create it once before the first run:

```
airflow pools set linkedin_ads 4 "Concurrent LinkedIn Ads API tasks"
```

(`make demo` and the docker-compose stack create it.) Tasks of a missing pool are never scheduled.

**Where the files land** (JSON Lines, one row per day and campaign, with campaign names):

```
<output base>/multi_account/<day>/account=<account id>/campaign.jsonl
```

**Configuration** (a run's params override the Airflow Variables, which override the defaults):

| What | Param | Variable | Default |
|---|---|---|---|
| LinkedIn Ads connection | `linkedin_ads_conn_id` | `linkedin_ads_conn_id` | `linkedin_ads_default` |
| Ad accounts to keep (ids or URNs) | `accounts` | `linkedin_ads_accounts` (JSON list) | every ACTIVE account the token sees |
| Output base URI | `output_base` | `linkedin_ads_output_base` | `file:///tmp/linkedin_ads` |

Configured accounts that the token cannot see (or that are not ACTIVE) are skipped with a warning.

**Schedule.** `CronDataIntervalTimetable("@daily", timezone="UTC")`: every run's data interval is
one UTC day on Airflow 2.11 and 3.x (a plain `"@daily"` string gives zero-width intervals on
Airflow 3); each run re-fetches the 3 days before it as well (`lookback_days=3`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator

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
POOL = "linkedin_ads"

METRICS = [
    "impressions",
    "clicks",
    "costInLocalCurrency",
    "costInUsd",
    "landingPageClicks",
    "totalEngagements",
    "externalWebsiteConversions",
    "conversionValueInLocalCurrency",
    "oneClickLeads",
    "videoViews",
]


def _account_id(value: Any) -> str:
    """``508000000``, ``"508000000"`` or ``"urn:li:sponsoredAccount:508000000"`` -> ``"508000000"``."""
    return str(value).strip().rsplit(":", 1)[-1]


# [START howto_hook_linkedin_ads_list_accounts]
@task(pool=POOL)
def list_accounts(linkedin_ads_conn_id: str, configured: list[Any]) -> list[int]:
    """Return the ids of the ACTIVE ad accounts to report on, one mapped report task each."""
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
    # [END howto_hook_linkedin_ads_list_accounts]


with DAG(
    dag_id="linkedin_ads_multi_account",
    description="One LinkedIn Ads campaign report per ad account (dynamic task mapping, pool linkedin_ads)",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    render_template_as_native_obj=True,  # so the accounts template renders to a list
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=5)},
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
    # [START howto_operator_linkedin_ads_analytics_mapped]
    accounts = list_accounts(linkedin_ads_conn_id=CONN_ID, configured=ACCOUNTS)
    LinkedInAdsAnalyticsOperator.partial(
        task_id="campaign_performance",
        pool=POOL,
        linkedin_ads_conn_id=CONN_ID,
        pivot="CAMPAIGN",
        time_granularity="DAILY",
        metrics=METRICS,
        lookback_days=3,
        resolve_names=True,
        # task.accounts is this mapped task's account id (one per task).
        output_path=f"{OUTPUT_BASE}/multi_account/{{{{ report_end }}}}/account={{{{ task.accounts }}}}/campaign.jsonl",
        # Airflow 2.11 and 3 show this instead of the map index in the UI.
        map_index_template="account {{ task.accounts }}",
    ).expand(accounts=accounts)
    # [END howto_operator_linkedin_ads_analytics_mapped]
