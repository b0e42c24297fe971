"""Airflow cluster policy of the e2e stack (on every process's ``PYTHONPATH``).

The multi-account example retries twice after 5 minutes, which is right in production and too slow
for a test that kills a worker on purpose: one retry after 2 seconds instead. The example DAG file
itself runs unchanged; a cluster policy is how a deployment changes such defaults centrally.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def task_policy(task: Any) -> None:
    if task.dag_id == "linkedin_ads_multi_account":
        task.retries = 1
        task.retry_delay = dt.timedelta(seconds=2)
