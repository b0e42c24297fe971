"""When is a report final? LinkedIn's documented delays applied to a request.

The Reporting page says performance metrics are near real-time, professional-demographic
(``MEMBER_*``) values can lag 12–24 hours, and ``videoWatchTime``/``averageVideoWatchTime`` up to
48 hours. The delays themselves live in the metric catalogue (:mod:`.metrics`); this module only
combines them, so the sensor, the trigger, the operators and user code all agree.

.. code-block:: python

    import datetime as dt
    from airflow_provider_linkedin_ads.maturity import maturity_moment

    maturity_moment(["MEMBER_JOB_TITLE"], ["impressions"], dt.date(2026, 11, 27))
    # datetime.datetime(2026, 11, 29, 0, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.metrics import DEMOGRAPHIC_DELAY_HOURS, METRICS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from airflow_provider_linkedin_ads.enums import Pivot

__all__ = ["DEFAULT_SETTLE_MARGIN", "applicable_delay", "is_mature", "maturity_moment"]

#: Wait after a day ends when no documented delay applies ("near real-time" still needs a moment).
DEFAULT_SETTLE_MARGIN = dt.timedelta(hours=2)


def applicable_delay(
    pivots: Iterable[Pivot | str],
    metrics: Iterable[str],
    *,
    settle_margin: dt.timedelta = DEFAULT_SETTLE_MARGIN,
) -> dt.timedelta:
    """Return the largest documented delay that applies, or ``settle_margin`` when none does.

    :param pivots: the report's pivots; any ``MEMBER_*`` pivot adds the demographic delay.
    :param metrics: the report's metric names; unknown names add no delay.
    :param settle_margin: the delay used when no documented delay applies.
    """
    if settle_margin < dt.timedelta(0):
        raise ConfigurationError("settle_margin must not be negative", argument="settle_margin")
    hours = [METRICS[name].delay_hours for name in metrics if name in METRICS]
    if any(str(pivot).startswith("MEMBER_") for pivot in pivots):
        hours.append(DEMOGRAPHIC_DELAY_HOURS)
    documented = max(hours, default=0)
    return dt.timedelta(hours=documented) if documented else settle_margin


def maturity_moment(
    pivots: Iterable[Pivot | str],
    metrics: Iterable[str],
    date_range_end: dt.date,
    *,
    settle_margin: dt.timedelta = DEFAULT_SETTLE_MARGIN,
    extra_delay: dt.timedelta = dt.timedelta(0),
) -> dt.datetime:
    """Return the aware UTC moment from which a report ending on ``date_range_end`` is final.

    The moment is the end of the range's last day (00:00 UTC of the next day) plus
    :func:`applicable_delay` plus ``extra_delay``.

    :param date_range_end: the last day of the report (inclusive, UTC).
    :param extra_delay: a user-set addition, e.g. for conversions revised later.
    """
    if extra_delay < dt.timedelta(0):
        raise ConfigurationError("extra_delay must not be negative", argument="extra_delay")
    day_end = dt.datetime.combine(date_range_end + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    return day_end + applicable_delay(pivots, metrics, settle_margin=settle_margin) + extra_delay


def is_mature(moment: dt.datetime, now: dt.datetime) -> bool:
    """Tell whether ``now`` (aware) has reached ``moment``."""
    if now.tzinfo is None:
        raise ConfigurationError("now must be timezone-aware", argument="now")
    return now >= moment
