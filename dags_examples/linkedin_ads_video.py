"""
### LinkedIn Ads: video creative metrics, landed after the 48-hour watch-time delay

Daily video performance per creative: starts, views, quartile completions, completions, full-screen
plays, **watch time** (`videoWatchTime`, `averageVideoWatchTime`), spend and viral video metrics.

**Why a sensor first.** LinkedIn documents that `videoWatchTime` and `averageVideoWatchTime` keep
changing for up to **48 hours** after a day ends (other performance metrics are near real-time). The
`wait_for_video_watch_time` sensor holds the report until 48 hours after the day ended. It is
deferrable: the wait happens in the triggerer, so no worker slot is held (a triggerer must be
running). When the data is already mature (backfills, `airflow dags test` of a past day) it
succeeds at once.

**Where the files land** (JSON Lines, one row per day and creative; creatives that did not deliver
that day have no row):

```
<output base>/video/<day>/creative.jsonl
```

Each row carries `start_date`, `end_date`, `creative` (URN), `creative_name` and the metrics.

**Configuration** (a run's params override the Airflow Variables, which override the defaults):

| What | Param | Variable | Default |
|---|---|---|---|
| LinkedIn Ads connection | `linkedin_ads_conn_id` | `linkedin_ads_conn_id` | `linkedin_ads_default` |
| Ad accounts (ids or URNs) | `accounts` | `linkedin_ads_accounts` (JSON list) | every ACTIVE account the token sees |
| Output base URI | `output_base` | `linkedin_ads_output_base` | `file:///tmp/linkedin_ads` |

**Schedule.** `CronDataIntervalTimetable("@daily", timezone="UTC")`, so every run's data interval is
one UTC day on Airflow 2.11 and 3.x (a plain `"@daily"` string gives zero-width intervals on
Airflow 3). The run of day D starts at 00:00 UTC on D+1 and its sensor waits until 00:00 UTC on
D+3; up to four runs may be waiting at once.
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

METRICS = [
    "impressions",
    "clicks",
    "costInLocalCurrency",
    "costInUsd",
    "videoStarts",
    "videoViews",
    "videoFirstQuartileCompletions",
    "videoMidpointCompletions",
    "videoThirdQuartileCompletions",
    "videoCompletions",
    "fullScreenPlays",
    "videoWatchTime",  # lags up to 48 h
    "averageVideoWatchTime",  # lags up to 48 h
    "viralVideoStarts",
    "viralVideoViews",
    "viralVideoCompletions",
]

with DAG(
    dag_id="linkedin_ads_video",
    description="Daily LinkedIn Ads video metrics per creative, after the 48 h videoWatchTime delay",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=4,
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
    # [START howto_sensor_linkedin_ads_maturity_video]
    wait_for_video_watch_time = LinkedInAdsMetricsMaturitySensor(
        task_id="wait_for_video_watch_time",
        pivots=["CREATIVE"],
        metrics=METRICS,
        deferrable=True,
        poke_interval=dt.timedelta(hours=1).total_seconds(),
        timeout=dt.timedelta(days=4).total_seconds(),
    )
    video_performance = LinkedInAdsAnalyticsOperator(
        task_id="video_performance",
        linkedin_ads_conn_id=CONN_ID,
        pivot="CREATIVE",
        time_granularity="DAILY",
        metrics=METRICS,
        accounts=ACCOUNTS,
        resolve_names=True,
        output_path=f"{OUTPUT_BASE}/video/{{{{ report_end }}}}/creative.jsonl",
    )
    wait_for_video_watch_time >> video_performance
    # [END howto_sensor_linkedin_ads_maturity_video]
