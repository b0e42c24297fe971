"""
### LinkedIn Ads: audience demographics, landed once LinkedIn's numbers are final

Who saw and clicked the ads yesterday, by **job function**, **seniority** and **country**, with
readable names next to LinkedIn's URNs (`urn:li:function:1` → `Accounting`,
`urn:li:seniority:4` → `Senior`, `urn:li:geo:…` → the country's name from the Geo API).

**Why a sensor first.** LinkedIn's professional-demographic (`MEMBER_*`) values lag 12–24 hours: a
report of yesterday taken at 01:00 UTC is incomplete and is never corrected. The
`wait_for_demographics` sensor holds the reports until 24 hours after the day ended. It is
deferrable: the wait happens in the triggerer, so no worker slot is held (a triggerer must be
running). When the data is already mature (backfills, `airflow dags test` of a past day) it
succeeds at once.

**Where the files land** (JSON Lines, one row per day and demographic value):

```
<output base>/demographics/<day>/member_job_function.jsonl
<output base>/demographics/<day>/member_seniority.jsonl
<output base>/demographics/<day>/member_country_v2.jsonl
```

Each row carries `start_date`, `end_date`, the pivot URN (`member_job_function`, ...), its name
(`member_job_function_name`, ...) and the metrics. LinkedIn approximates demographic values and
drops values reached by fewer than three members, so demographic totals are lower than the
performance totals of the same day. The country pivot returns Microsoft Bing location data, subject
to the Bing Maps terms (see the README).

**Configuration** (a run's params override the Airflow Variables, which override the defaults):

| What | Param | Variable | Default |
|---|---|---|---|
| LinkedIn Ads connection | `linkedin_ads_conn_id` | `linkedin_ads_conn_id` | `linkedin_ads_default` |
| Ad accounts (ids or URNs) | `accounts` | `linkedin_ads_accounts` (JSON list) | every ACTIVE account the token sees |
| Output base URI | `output_base` | `linkedin_ads_output_base` | `file:///tmp/linkedin_ads` |

**Schedule.** `CronDataIntervalTimetable("@daily", timezone="UTC")`, so every run's data interval is
one UTC day on Airflow 2.11 and 3.x (a plain `"@daily"` string gives zero-width intervals on
Airflow 3). The run of day D starts at 00:00 UTC on D+1 and its sensor waits until 00:00 UTC on
D+2; up to three runs may be waiting at once.
"""

from __future__ import annotations

import datetime as dt

from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator
from airflow_provider_linkedin_ads.sensors.ad_analytics import LinkedInAdsMetricsMaturitySensor

try:  # Airflow 3
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:  # Airflow 2.11
    from airflow.timetables.interval import CronDataIntervalTimetable

# Run params override Airflow Variables, which override the defaults (rendered when a task runs, so
# parsing this file reads no Variable and needs no database).
CONN_ID = "{{ params.linkedin_ads_conn_id or var.value.get('linkedin_ads_conn_id', 'linkedin_ads_default') }}"
ACCOUNTS = "{{ params.accounts or var.json.get('linkedin_ads_accounts', []) }}"
OUTPUT_BASE = (
    "{{ (params.output_base or var.value.get('linkedin_ads_output_base', 'file:///tmp/linkedin_ads'))"
    ".rstrip('/') }}"
)

PIVOTS = ["MEMBER_JOB_FUNCTION", "MEMBER_SENIORITY", "MEMBER_COUNTRY_V2"]
# Metrics LinkedIn returns with demographic pivots (reach, card and conversion-value metrics are not).
METRICS = [
    "impressions",
    "clicks",
    "costInLocalCurrency",
    "landingPageClicks",
    "totalEngagements",
    "externalWebsiteConversions",
    "oneClickLeads",
    "videoViews",
]

with DAG(
    dag_id="linkedin_ads_demographics",
    description="LinkedIn Ads job function, seniority and country reports, after the 24 h demographic delay",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=3,
    render_template_as_native_obj=True,  # so the accounts template renders to a list
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    # None defaults with nullable types: Airflow 3's trigger form marks a non-null "" or [] as
    # required and disables its Trigger button; an empty field means "Variable, else default".
    params={
        "linkedin_ads_conn_id": Param(
            None, type=["null", "string"], description="Connection id (empty: Variable or default)"
        ),
        "accounts": Param(
            None, type=["null", "array"], description="Ad account ids or URNs (empty: Variable or all ACTIVE)"
        ),
        "output_base": Param(
            None, type=["null", "string"], description="Output base URI (empty: Variable or default)"
        ),
    },
    tags=["linkedin_ads", "example"],
):
    # [START howto_sensor_linkedin_ads_maturity]
    wait_for_demographics = LinkedInAdsMetricsMaturitySensor(
        task_id="wait_for_demographics",
        pivots=PIVOTS,
        metrics=METRICS,
        deferrable=True,
        poke_interval=dt.timedelta(minutes=30).total_seconds(),
        timeout=dt.timedelta(days=3).total_seconds(),
    )
    for pivot in PIVOTS:
        report = LinkedInAdsAnalyticsOperator(
            task_id=pivot.lower(),
            linkedin_ads_conn_id=CONN_ID,
            pivot=pivot,
            time_granularity="DAILY",
            metrics=METRICS,
            accounts=ACCOUNTS,
            resolve_names=True,
            output_path=f"{OUTPUT_BASE}/demographics/{{{{ report_end }}}}/{pivot.lower()}.jsonl",
        )
        wait_for_demographics >> report
    # [END howto_sensor_linkedin_ads_maturity]
