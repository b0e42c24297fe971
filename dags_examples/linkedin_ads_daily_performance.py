"""
### LinkedIn Ads: daily campaign and creative performance

Every day, shortly after 00:00 UTC, this DAG lands yesterday's LinkedIn Ads performance, one row per
day and campaign (`CAMPAIGN` pivot) and per day and creative (`CREATIVE` pivot), with 45 metrics:
impressions, clicks, spend in local currency and USD, engagements, website conversions, lead-gen,
video and viral metrics. LinkedIn returns at most 20 fields per call, so the provider splits the
metrics into chunks and joins them back into one row per day and entity.

**Lookback.** LinkedIn revises clicks and conversions for days afterwards, so every run re-fetches
the 7 days before its day as well (`lookback_days=7`): the file of a run holds 8 days, and the
newest file always has the latest numbers for each of them.

**Where the files land** (JSON Lines, one JSON object per row, money as exact decimal strings):

```
<output base>/daily_performance/<day>/campaign.jsonl
<output base>/daily_performance/<day>/creative.jsonl
```

`<day>` is the UTC day the run reports (the data interval's day). Each row carries `start_date`,
`end_date`, the entity URN (`campaign` / `creative`), its name (`campaign_name` / `creative_name`,
looked up in batches) and the metrics. A re-run or a backfill of a day atomically replaces its files.

**Dimension tables.** Beside the reports, every run lands a snapshot of the four entity types the
reports' URNs name, for the same accounts, replacing the previous snapshot atomically:

```
<output base>/dimensions/ad_accounts.jsonl
<output base>/dimensions/campaign_groups.jsonl
<output base>/dimensions/campaigns.jsonl
<output base>/dimensions/creatives.jsonl
```

Join a report row to its campaign on the URN: `campaign.jsonl`'s `campaign` equals
`campaigns.jsonl`'s `urn` (status, objective, cost type, budgets, schedule, group). Put `{{ ds }}` in
the path to keep one snapshot per day instead.

**Configuration** (a run's params override the Airflow Variables, which override the defaults):

| What | Param | Variable | Default |
|---|---|---|---|
| LinkedIn Ads connection | `linkedin_ads_conn_id` | `linkedin_ads_conn_id` | `linkedin_ads_default` |
| Ad accounts (ids or URNs) | `accounts` | `linkedin_ads_accounts` (JSON list) | every ACTIVE account the token sees |
| Output base URI | `output_base` | `linkedin_ads_output_base` | `file:///tmp/linkedin_ads` |

The output base may be any `ObjectStoragePath` URI: `s3://aws_default@bucket/linkedin` (connection
in the URI), `gs://...`, `file:///data/linkedin`.

**Schedule.** `CronDataIntervalTimetable("@daily", timezone="UTC")` rather than the string
`"@daily"`: Airflow 3 turns a cron string into a `CronTriggerTimetable`, whose runs have a zero-width
data interval, while this timetable gives every run the interval of exactly one UTC day on Airflow
2.11 and 3.x alike. `airflow dags test linkedin_ads_daily_performance 2026-11-17` therefore reports
2026-11-16 (plus the lookback) on both lines. Manual Airflow 3 runs without a logical date report
the day before the run.
"""

from __future__ import annotations

import datetime as dt

from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator
from airflow_provider_linkedin_ads.operators.entities import LinkedInAdsEntitiesOperator

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

# 45 additive metrics (more than twice LinkedIn's 20 fields per call). Video watch time is left out:
# it lags 48 hours, see linkedin_ads_video.
METRICS = [
    # delivery and spend
    "impressions",
    "clicks",
    "costInLocalCurrency",
    "costInUsd",
    "landingPageClicks",
    "companyPageClicks",
    "textUrlClicks",
    "actionClicks",
    "adUnitClicks",
    "cardClicks",
    "cardImpressions",
    # engagement
    "totalEngagements",
    "otherEngagements",
    "likes",
    "comments",
    "shares",
    "reactions",
    "follows",
    "opens",
    "sends",
    "fullScreenPlays",
    # conversions and leads
    "externalWebsiteConversions",
    "externalWebsitePostClickConversions",
    "externalWebsitePostViewConversions",
    "conversionValueInLocalCurrency",
    "oneClickLeads",
    "oneClickLeadFormOpens",
    "qualifiedLeads",
    "validWorkEmailLeads",
    "leadGenerationMailContactInfoShares",
    "leadGenerationMailInterestedClicks",
    "jobApplications",
    "jobApplyClicks",
    "registrations",
    # video and documents
    "videoStarts",
    "videoViews",
    "videoFirstQuartileCompletions",
    "videoMidpointCompletions",
    "videoThirdQuartileCompletions",
    "videoCompletions",
    "documentCompletions",
    # reach beyond the audience (viral)
    "viralImpressions",
    "viralClicks",
    "viralTotalEngagements",
    "viralLandingPageClicks",
]

with DAG(
    dag_id="linkedin_ads_daily_performance",
    description="Daily LinkedIn Ads CAMPAIGN and CREATIVE performance (45 metrics, 7-day lookback) and the "
    "four dimension tables as JSON Lines",
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
            None, type=["null", "array"], description="Ad account ids or URNs (empty: Variable or all ACTIVE)"
        ),
        "output_base": Param(
            None, type=["null", "string"], description="Output base URI (empty: Variable or default)"
        ),
    },
    tags=["linkedin_ads", "example"],
):
    # [START howto_operator_linkedin_ads_analytics]
    for pivot in ("CAMPAIGN", "CREATIVE"):
        LinkedInAdsAnalyticsOperator(
            task_id=f"{pivot.lower()}_performance",
            linkedin_ads_conn_id=CONN_ID,
            pivot=pivot,
            time_granularity="DAILY",
            metrics=METRICS,
            accounts=ACCOUNTS,
            lookback_days=7,
            # {{ report_end }}: the newest day the file holds (it holds report_start .. report_end, the
            # run's day and the 7 before it), rendered once the operator has resolved the range.
            output_path=f"{OUTPUT_BASE}/daily_performance/{{{{ report_end }}}}/{pivot.lower()}.jsonl",
            output_format="jsonl",
            resolve_names=True,  # adds campaign_name / creative_name next to the URN column
        )
    # [END howto_operator_linkedin_ads_analytics]

    # [START howto_operator_linkedin_ads_entities]
    for table in ("ad_accounts", "campaign_groups", "campaigns", "creatives"):
        LinkedInAdsEntitiesOperator(
            task_id=f"{table}_table",
            linkedin_ads_conn_id=CONN_ID,
            entity_type=table,
            accounts=ACCOUNTS,  # the reports' accounts, so every URN in them has its row
            output_path=f"{OUTPUT_BASE}/dimensions/{table}.jsonl",
            output_format="jsonl",
        )
    # [END howto_operator_linkedin_ads_entities]
