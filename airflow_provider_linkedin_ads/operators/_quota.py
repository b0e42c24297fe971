"""Long waits inside Airflow: LinkedIn's daily quota and long throttle waits, waited in the triggerer.

A 429 naming the ``DAY`` window (:class:`~airflow_provider_linkedin_ads.errors.DailyQuotaExceededError`)
cannot be retried away before 00:00 UTC, so it must not burn worker time or task retries: a
deferrable task waits for a ``DateTimeTrigger`` shortly after the reset; any other task fails at
once, without retries, with a message that says when to run it again.

The same path serves every other long wait of a deferrable task: the client of a deferrable
operator does not sleep longer than ``[linkedin_ads] defer_waits_longer_than`` seconds (LinkedIn's
data throttle, a long ``Retry-After``, the metric-value budget) and raises
:class:`~airflow_provider_linkedin_ads.errors.WaitDeferredError` instead; the task then waits for a
``DateTimeTrigger`` at the error's absolute ``resume_at``. A non-deferrable task never sees it: its
client waits in-process as before.

.. code-block:: python

    trigger, reason = deferral(err, now, deferrable=True)  # DateTimeTrigger at 00:05 UTC, or resume_at
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from airflow.providers.common.compat.sdk import AirflowFailException, conf

from airflow_provider_linkedin_ads.errors import DailyQuotaExceededError, WaitDeferredError
from airflow_provider_linkedin_ads.version_compat import datetime_trigger_class

if TYPE_CHECKING:
    from airflow.triggers.base import BaseTrigger

__all__ = [
    "DEFAULT_DEFER_WAITS_LONGER_THAN",
    "QUOTA_RESUME_MARGIN",
    "defer_waits_longer_than",
    "deferral",
    "quota_failure",
    "quota_resets_at",
    "resume_trigger",
]

#: Seconds above which a deferrable task's client hands a wait to the triggerer
#: (``[linkedin_ads] defer_waits_longer_than``); shorter waits are slept in the worker.
DEFAULT_DEFER_WAITS_LONGER_THAN = 60.0

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


def resume_trigger(resets_at: dt.datetime, *, margin: dt.timedelta = QUOTA_RESUME_MARGIN) -> BaseTrigger:
    """Return Airflow's ``DateTimeTrigger`` for ``margin`` (default :data:`QUOTA_RESUME_MARGIN`) after ``resets_at``.

    The moment is absolute, so a restarted triggerer does not wait any longer.
    """
    return datetime_trigger_class()(moment=resets_at + margin)


def deferral(
    err: DailyQuotaExceededError | WaitDeferredError, now: dt.datetime, *, deferrable: bool
) -> tuple[BaseTrigger, str]:
    """Return the trigger a task waits for, and a log line saying why; or raise what a non-deferrable task must.

    :raises AirflowFailException: a spent daily quota in a non-deferrable task (no retry can help).
    :raises WaitDeferredError: unchanged, in a non-deferrable task (its client should have slept).
    """
    if isinstance(err, WaitDeferredError):
        if not deferrable:
            raise err
        cause = "its budget" if err.cause is None else type(err.cause).__name__
        reason = f"waiting {err.wait:.0f} s for LinkedIn ({cause}) in the triggerer, until {err.resume_at.isoformat()}"
        return resume_trigger(err.resume_at, margin=dt.timedelta(0)), reason
    resets_at = quota_resets_at(err, now)
    if not deferrable:
        raise quota_failure(resets_at) from err
    return resume_trigger(
        resets_at
    ), f"LinkedIn's daily API quota is spent (it resets at {resets_at.isoformat()})"


def defer_waits_longer_than(deferrable: bool) -> float | None:
    """Return the client's ``defer_waits_longer_than`` for a task: ``None`` (always sleep) unless deferrable.

    Read from ``[linkedin_ads] defer_waits_longer_than`` (default :data:`DEFAULT_DEFER_WAITS_LONGER_THAN`).
    """
    if not deferrable:
        return None
    return conf.getfloat("linkedin_ads", "defer_waits_longer_than", fallback=DEFAULT_DEFER_WAITS_LONGER_THAN)
