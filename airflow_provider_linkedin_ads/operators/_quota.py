"""LinkedIn's daily quota inside Airflow: wait for the reset in the triggerer, or fail saying when.

A 429 naming the ``DAY`` window (:class:`~airflow_provider_linkedin_ads.errors.DailyQuotaExceededError`)
cannot be retried away before 00:00 UTC, so it must not burn worker time or task retries: a
deferrable task waits for a ``DateTimeTrigger`` shortly after the reset; any other task fails at
once, without retries, with a message that says when to run it again.

.. code-block:: python

    resets_at = quota_resets_at(err, now)
    trigger = resume_trigger(resets_at)  # fires at 00:05 UTC
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_linkedin_ads.version_compat import datetime_trigger_class

if TYPE_CHECKING:
    from airflow.triggers.base import BaseTrigger

    from airflow_provider_linkedin_ads.errors import DailyQuotaExceededError

__all__ = ["QUOTA_RESUME_MARGIN", "quota_failure", "quota_resets_at", "resume_trigger"]

#: How long after 00:00 UTC a task that hit the daily quota resumes (the reset is not instant).
QUOTA_RESUME_MARGIN = dt.timedelta(minutes=5)


def quota_resets_at(err: DailyQuotaExceededError, now: dt.datetime) -> dt.datetime:
    """Return when the spent quota resets: the error's ``resets_at``, else the next 00:00 UTC."""
    if err.resets_at is not None:
        return err.resets_at
    return dt.datetime.combine(now.astimezone(dt.UTC).date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def quota_failure(resets_at: dt.datetime) -> AirflowFailException:
    """Return the failure of a non-deferrable task: no retry can help before the reset."""
    return AirflowFailException(
        f"LinkedIn's daily API quota is spent; it resets at {resets_at.isoformat()} (00:00 UTC). "
        "Clear this task after that time, or set deferrable=True to wait for the reset in the "
        "triggerer without holding a worker slot."
    )


def resume_trigger(resets_at: dt.datetime) -> BaseTrigger:
    """Return Airflow's ``DateTimeTrigger`` for :data:`QUOTA_RESUME_MARGIN` after the reset.

    The moment is absolute, so a restarted triggerer does not wait any longer.
    """
    return datetime_trigger_class()(moment=resets_at + QUOTA_RESUME_MARGIN)
