"""The one retry policy of the client, built from tenacity strategies.

.. code-block:: text

    retried     TransportError, ServerError, ThrottledError, DataThrottleError
    not retried everything else: DailyQuotaExceededError, 4xx, AuthenticationError, ConfigurationError
    wait        DataThrottleError   -> max(data_throttle_wait, Retry-After capped by max_wait)
                Retry-After > 0     -> Retry-After, capped by max_wait
                Retry-After <= 0    -> the backoff ceiling min(max_wait, initial_wait * 2**(n-1)), without
                                       jitter: "retry now" must not send the attempts back to back
                otherwise           -> exponential with full jitter: uniform(0, min(max_wait, initial_wait * 2**(n-1)))
    stop        after max_attempts, or when the time spent so far (attempts and waits, on a monotonic
                clock) plus the next wait would pass max_total_wait
    defer       a wait longer than ClientConfig.defer_waits_longer_than is not slept: WaitDeferredError
                (.resume_at = now + wait, absolute) goes to the caller instead (a deferrable operator
                waits in the triggerer); a retry the policy would not make anyway re-raises the error
    at the end  the last error is re-raised unchanged (reraise=True)

Works with ``tenacity>=8.3``: the wait is a plain callable (no ``wait_exception``), and the wait and
stop strategies share one memoised plan per attempt, so the result does not depend on the order in
which a tenacity version evaluates them.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias, TypeVar

import tenacity
from tenacity.stop import stop_base

from airflow_provider_linkedin_ads.errors import (
    APIError,
    DataThrottleError,
    LinkedInAdsError,
    ServerError,
    ThrottledError,
    TransportError,
    WaitDeferredError,
)

if TYPE_CHECKING:
    import logging

    from airflow_provider_linkedin_ads.client.config import RetryPolicy

__all__ = ["RETRYABLE_ERRORS", "Jitter", "RetryRunner", "backoff_wait", "deferred_wait"]

T = TypeVar("T")

#: The transient error types; nothing else is ever retried.
RETRYABLE_ERRORS: tuple[type[LinkedInAdsError], ...] = (
    TransportError,
    ServerError,
    ThrottledError,
    DataThrottleError,
)

#: ``jitter(low, high)`` returns a number in ``[low, high]``; ``random.uniform`` by default.
Jitter: TypeAlias = Callable[[float, float], float]

# 2**64 seconds is far beyond any max_wait; the cap keeps the power from overflowing a float.
_MAX_EXPONENT = 64


def backoff_wait(
    error: BaseException | None,
    attempt: int,
    policy: RetryPolicy,
    jitter: Jitter = random.uniform,
) -> float:
    """Seconds to wait after ``attempt`` (1-based) failed with ``error``.

    :param error: the exception of the failed attempt.
    :param attempt: how many attempts have been made so far.
    :param policy: the configured :class:`~airflow_provider_linkedin_ads.client.config.RetryPolicy`.
    :param jitter: source of randomness for the exponential backoff.
    """
    retry_after = error.retry_after if isinstance(error, APIError) else None
    capped = None if retry_after is None else min(retry_after, policy.max_wait)
    if isinstance(error, DataThrottleError):
        return max(policy.data_throttle_wait, capped or 0.0)
    exponent = min(max(attempt - 1, 0), _MAX_EXPONENT)
    ceiling = min(policy.max_wait, policy.initial_wait * 2.0**exponent)
    if capped is not None:
        return capped if capped > 0 else ceiling  # 0 or negative: the floor, not back-to-back calls
    return min(ceiling, max(0.0, jitter(0.0, ceiling)))


def deferred_wait(
    wait: float, *, now: float, threshold: float, reason: str, cause: BaseException | None = None
) -> WaitDeferredError:
    """Return the error that hands a wait of ``wait`` seconds to the caller instead of sleeping it.

    :param wait: the seconds the client would sleep.
    :param now: the current POSIX time; the resume moment is absolute (``now + wait``, UTC).
    :param threshold: ``ClientConfig.defer_waits_longer_than``, for the message.
    :param reason: token-free text naming what asked for the wait.
    :param cause: the error that asked for it, when there is one.

    .. code-block:: python

        raise deferred_wait(330.0, now=time.time(), threshold=60.0, reason="data throttle", cause=err)
    """
    resume_at = dt.datetime.fromtimestamp(now + wait, tz=dt.UTC)
    return WaitDeferredError(
        f"{reason}: waiting {wait:.1f} s (longer than defer_waits_longer_than={threshold:g} s) is left "
        f"to the caller; call again from {resume_at.isoformat()}",
        resume_at=resume_at,
        wait=wait,
        cause=cause,
    )


class _WaitPlan:
    """Per-call memo: the wait of attempt *n* is computed once and shared by ``wait`` and ``stop``."""

    def __init__(self, policy: RetryPolicy, jitter: Jitter, monotonic: Callable[[], float]) -> None:
        self._policy = policy
        self._jitter = jitter
        self._monotonic = monotonic
        self._planned: dict[int, float] = {}
        self.busy = 0.0  # seconds spent inside attempts so far

    def timed(self, fn: Callable[[], T]) -> Callable[[], T]:
        """Wrap one attempt so its duration counts toward the call's total budget."""

        def attempt() -> T:
            started = self._monotonic()
            try:
                return fn()
            finally:
                self.busy += max(0.0, self._monotonic() - started)

        return attempt

    def wait(self, state: tenacity.RetryCallState) -> float:
        attempt = state.attempt_number
        if attempt not in self._planned:
            error = state.outcome.exception() if state.outcome is not None else None
            self._planned[attempt] = backoff_wait(error, attempt, self._policy, self._jitter)
        return self._planned[attempt]

    def total_wait(self, state: tenacity.RetryCallState) -> float:
        """Seconds spent in attempts and waits so far, plus the wait planned after the current attempt.

        Attempts are timed on the monotonic clock and waits counted as planned, so the budget holds
        whether ``sleep`` really sleeps or (in tests) only records.
        """
        return self.busy + state.idle_for + self.wait(state)


class _StopAfterTotalWait(stop_base):
    """Stop when the next wait would push the call's total time (attempts and waits) past ``max_total_wait``."""

    def __init__(self, plan: _WaitPlan, max_total_wait: float) -> None:
        self._plan = plan
        self._max_total_wait = max_total_wait

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return self._plan.total_wait(retry_state) > self._max_total_wait


class RetryRunner:
    """Runs a call under the retry policy; sleeping, logging and counting are injected.

    :param policy: attempts and waits.
    :param sleep: called with the seconds to wait (tests pass a recorder, so nothing sleeps).
    :param logger: receives one warning per retry, naming the reason.
    :param on_retry: called with the error type name of every retry (statistics).
    :param jitter: randomness of the exponential backoff.
    :param monotonic: clock timing the attempts for ``max_total_wait`` (tests inject a fake one).
    :param defer_longer_than: seconds; a longer wait raises
        :class:`~airflow_provider_linkedin_ads.errors.WaitDeferredError` instead of sleeping
        (``None``: every wait is slept).
    :param clock: POSIX time, for the absolute ``resume_at`` of a deferred wait.

    .. code-block:: python

        runner = RetryRunner(RetryPolicy(), sleep=time.sleep, logger=log)
        data = runner.call(lambda: fetch_page(), describe="GET adAnalytics q=analytics")
    """

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        sleep: Callable[[float], None],
        logger: logging.Logger,
        on_retry: Callable[[str], None] | None = None,
        jitter: Jitter = random.uniform,
        monotonic: Callable[[], float] = time.monotonic,
        defer_longer_than: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._policy = policy
        self._sleep = sleep
        self._log = logger
        self._on_retry = on_retry
        self._jitter = jitter
        self._monotonic = monotonic
        self._defer_longer_than = defer_longer_than
        self._clock = clock

    def call(
        self,
        fn: Callable[[], T],
        *,
        describe: str,
        on_retry: Callable[[BaseException], None] | None = None,
    ) -> T:
        """Call ``fn`` until it succeeds, fails with a non-retryable error, or the policy gives up.

        :param fn: one attempt; it raises the typed errors of ``errors.py``.
        :param describe: token-free text naming the request, used in retry log lines.
        :param on_retry: called with the failed attempt's error before each retry of this call
            (the report engine re-reserves its metric-value budget there).
        :raises WaitDeferredError: instead of a wait longer than ``defer_longer_than`` (the error
            that asked for it is ``.cause`` and ``__cause__``).
        :raises LinkedInAdsError: the last error, unchanged, when retries are exhausted.
        """
        plan = _WaitPlan(self._policy, self._jitter, self._monotonic)
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(RETRYABLE_ERRORS),
            wait=plan.wait,
            stop=(
                tenacity.stop_after_attempt(self._policy.max_attempts)
                | _StopAfterTotalWait(plan, self._policy.max_total_wait)
            ),
            sleep=self._sleep,
            before_sleep=lambda state: self._report(state, plan, describe, on_retry),
            reraise=True,
        )
        return retrying(plan.timed(fn))

    def _report(
        self,
        state: tenacity.RetryCallState,
        plan: _WaitPlan,
        describe: str,
        on_retry: Callable[[BaseException], None] | None,
    ) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        reason = type(error).__name__
        wait = plan.wait(state)
        threshold = self._defer_longer_than
        if threshold is not None and wait > threshold:
            # Raised from tenacity's before_sleep: nothing is slept, counted or renewed for a retry
            # this process will not make; the caller makes the call again after the wait.
            deferred = deferred_wait(
                wait,
                now=self._clock(),
                threshold=threshold,
                reason=f"LinkedIn Ads {describe}: {reason}",
                cause=error,
            )
            raise deferred from error
        status = error.status if isinstance(error, APIError) else None
        self._log.warning(
            "LinkedIn Ads %s failed with %s (HTTP %s), attempt %d/%d; retrying in %.1f s: %s",
            describe,
            reason,
            status if status is not None else "-",
            state.attempt_number,
            self._policy.max_attempts,
            wait,
            _short(error),
        )
        if self._on_retry is not None:
            self._on_retry(reason)
        if on_retry is not None and error is not None:
            on_retry(error)


def _short(error: BaseException | None, limit: int = 300) -> str:
    text = str(error) if error is not None else ""
    return text if len(text) <= limit else text[:limit] + "..."
