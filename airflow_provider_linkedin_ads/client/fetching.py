"""One ``adAnalytics`` call as the engine makes it: budgeted, counted, its cost settled.

Every call of a report (probe, discovery, field chunk) goes through :class:`Fetcher`, which reserves
the call's estimated cost in the shared :class:`~.budget.MetricValueBudget` before sending (and again
before retrying an attempt whose answer may have been served), settles the actual cost (fields x
rows) afterwards, and counts what the summary reports. It is called from the engine's worker
threads; its counters are lock-protected.

.. code-block:: python

    fetcher = Fetcher(client, budget, finder="analytics", row_cap=15_000)
    elements = fetcher.fetch(params, fields=20, estimate_rows=9_000)
"""

from __future__ import annotations

import contextlib
import logging
import threading
from itertools import chain
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from airflow_provider_linkedin_ads.client.checkpoint import answer_key
from airflow_provider_linkedin_ads.client.responses import elements_of, read_elements
from airflow_provider_linkedin_ads.errors import LinkedInAdsError, RequestSummary, TransportError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from contextlib import AbstractContextManager

    from airflow_provider_linkedin_ads.client.budget import MetricValueBudget
    from airflow_provider_linkedin_ads.client.checkpoint import AnswerCheckpoint
    from airflow_provider_linkedin_ads.client.config import ClientConfig
    from airflow_provider_linkedin_ads.client.stats import ClientStats
    from airflow_provider_linkedin_ads.restli import Value

__all__ = ["RESOURCE", "CountedAnswer", "Fetcher", "FinderClient", "ReadingFinderClient"]

#: The reporting resource below ``/rest``.
RESOURCE = "adAnalytics"

log = logging.getLogger(__name__)


class FinderClient(Protocol):
    """What the engine needs from :class:`~.client.LinkedInAdsClient` (thread-safe finder calls).

    .. code-block:: python

        engine = ReportEngine(client)  # any FinderClient: config, stats and finder()
    """

    @property
    def config(self) -> ClientConfig: ...

    @property
    def stats(self) -> ClientStats: ...

    def finder(
        self,
        resource: str,
        finder: str,
        params: Sequence[tuple[str, Value | None]],
        *,
        summary: RequestSummary | None = None,
        on_retry: Callable[[BaseException], None] | None = None,
    ) -> dict[str, Any]: ...


class ReadingFinderClient(FinderClient, Protocol):
    """A :class:`FinderClient` that can also hand a body to the caller's reader (no whole decoded tree).

    .. code-block:: python

        answer = client.read_finder("adAnalytics", "analytics", params, read)  # read(pieces, status)
    """

    def read_finder(
        self,
        resource: str,
        finder: str,
        params: Sequence[tuple[str, Value | None]],
        read: Callable[[Sequence[bytes], int], _Answer],
        *,
        summary: RequestSummary | None = None,
        on_retry: Callable[[BaseException], None] | None = None,
    ) -> _Answer: ...


class CountedAnswer(Protocol):
    """What :meth:`Fetcher.read` needs of a reader's result: how many elements the answer held.

    .. code-block:: python

        answer.elements  # e.g. 13_120: the row cap and the budget count elements
    """

    @property
    def elements(self) -> int: ...


_Answer = TypeVar("_Answer")
_Counted = TypeVar("_Counted", bound=CountedAnswer)


def _all_elements(pieces: Sequence[bytes], status: int) -> list[dict[str, Any]]:
    """Return every element of an answer (probes, discovery), read from its pieces like a report call's."""
    return read_elements(pieces, status, _joined, resource=RESOURCE)


def _joined(batches: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return list(chain.from_iterable(batches))


def _element_count(answer: CountedAnswer) -> int:
    return answer.elements


def _storing(
    checkpoint: AnswerCheckpoint, key: str, decode: Callable[[Sequence[bytes], int], _Answer]
) -> Callable[[Sequence[bytes], int], _Answer]:
    """Wrap ``decode`` to keep the body in ``checkpoint`` as it arrived, before it is decoded.

    Before, not after: a decoded answer keeps its turn at the engine's answer gate until it has
    been merged, so a put on remote storage made after decoding held up every other worker's parse
    (W3 with a 0.3 s put took 58 s instead of 33). Nothing unchecked is ever used: a replayed body is
    decoded with every check again, and one that fails them is a miss (the call is made again); a
    retried attempt's body replaces the entry.
    """

    def read(pieces: Sequence[bytes], status: int) -> _Answer:
        checkpoint.put(key, pieces)
        return decode(pieces, status)

    return read


class Fetcher:
    """Budgeted, counted ``adAnalytics`` finder calls, shared by the engine's worker threads.

    :param client: the API client (shared session and token).
    :param budget: the metric-value budget shared by concurrent calls.
    :param finder: the ``q`` value of the report.
    :param row_cap: the response row maximum (LinkedIn: 15,000); estimates never exceed it.
    :param checkpoint: answers already received (a resumed report): a call found there is replayed,
        not sent (counted in ``replayed``); every answer's body is added to it as it arrives. It needs a
        client that hands bodies over (``read_finder``); with another client it is not used.

    .. code-block:: python

        fetcher = Fetcher(client, MetricValueBudget(), finder="analytics", row_cap=15_000)
        elements = fetcher.fetch(params, fields=20, estimate_rows=9_000)
    """

    def __init__(
        self,
        client: FinderClient,
        budget: MetricValueBudget,
        *,
        finder: str,
        row_cap: int,
        checkpoint: AnswerCheckpoint | None = None,
    ) -> None:
        self._client = client
        # The same client when it hands bodies over (answers read in pieces, checkpointed), else None.
        reader = client if hasattr(client, "read_finder") else None
        self._reader: ReadingFinderClient | None = reader  # type: ignore[assignment]  # it has read_finder
        self._budget = budget
        self._finder = finder
        self.row_cap = row_cap
        self._checkpoint = checkpoint
        self.replayed = 0
        self._lock = threading.Lock()
        # Held while an answer is decoded and parsed by read(): the calls of all workers still travel
        # at once, but only one answer's decoded text and batch are alive, not one per worker.
        self._decoding = threading.Lock()
        self.calls = 0
        self.probe_calls = 0
        self.metric_values = 0
        self.budget_waits = 0
        self.budget_wait_seconds = 0.0

    def fetch(
        self,
        params: Sequence[tuple[str, Value | None]],
        *,
        fields: int,
        estimate_rows: int,
        finder: str | None = None,
        probe: bool = False,
    ) -> list[dict[str, Any]]:
        """Send one finder call within the budget and return its ``elements``.

        :param params: the query after ``q``.
        :param fields: how many fields the call requests (its cost per row).
        :param estimate_rows: upper bound of the rows expected (capped at ``row_cap``).
        :param finder: ``q`` when it differs from the report's (entity discovery uses analytics).
        :param probe: count the call as a planning probe.
        :raises LinkedInAdsError: the client's typed errors; ``RestliError`` for a malformed answer.
        """
        name = finder or self._finder
        if self._reader is not None:
            return self._answer(
                self._reader,
                name,
                params,
                _all_elements,
                len,
                fields=fields,
                estimate_rows=estimate_rows,
                probe=probe,
            )
        summary = _summary(name, params)

        def send(renew: Callable[[BaseException], None]) -> list[dict[str, Any]]:
            answer = self._client.finder(RESOURCE, name, params, summary=summary, on_retry=renew)
            return elements_of(answer, resource=RESOURCE)  # the hook's check too: {} is no report

        return self._budgeted(send, len, fields=fields, estimate_rows=estimate_rows, probe=probe)

    def read(
        self,
        params: Sequence[tuple[str, Value | None]],
        read: Callable[[Iterable[list[dict[str, Any]]]], _Counted],
        *,
        fields: int,
        estimate_rows: int,
        probe: bool = False,
        admit: Callable[[], AbstractContextManager[object]] | None = None,
    ) -> _Counted:
        """Send one report call like :meth:`fetch` and return ``read`` of its elements, given in batches.

        The answer's elements reach ``read`` a batch at a time (:func:`~.responses.read_elements`),
        so the whole decoded answer is never held: with ``max_concurrency`` calls answering at once
        that tree, not the rows, was most of the engine's memory. A checkpointed answer is replayed
        from its stored body the same way. With a client without ``read_finder`` the elements are
        fetched whole and given as one batch. Answers are decoded one at a time (the GIL would
        serialise the decoding anyway), so the workers' calls overlap on the network while at most
        one answer's decoded text is alive. Errors, retries, budget and counters are those of
        :meth:`fetch`.

        :param read: turns the batches into the result (it must consume them all; see
            :func:`~.responses.read_elements`); its ``elements`` is the answer's element count.
        :param probe: count the call as a planning probe (a MONTHLY/YEARLY probe is data too).
        :param admit: a context manager entered once the body is there, around its decoding (again
            on a retried attempt). It is entered outside the decoding lock, so it may wait (the
            engine's :meth:`~.answer_gate.Turn.parsing`) without holding up the decoding of other answers.
        """
        let_in = admit or contextlib.nullcontext
        if self._reader is None:
            elements = self.fetch(params, fields=fields, estimate_rows=estimate_rows, probe=probe)
            with let_in():
                return read([elements])

        def decode(pieces: Sequence[bytes], status: int) -> _Counted:
            # The turn first: a worker waiting for it must not keep the others from decoding.
            with let_in(), self._decoding:  # one answer decoded at a time: the GIL serialises it anyway
                return read_elements(pieces, status, read, resource=RESOURCE)

        return self._answer(
            self._reader,
            self._finder,
            params,
            decode,
            _element_count,
            fields=fields,
            estimate_rows=estimate_rows,
            probe=probe,
        )

    def _answer(
        self,
        client: ReadingFinderClient,
        finder: str,
        params: Sequence[tuple[str, Value | None]],
        decode: Callable[[Sequence[bytes], int], _Answer],
        rows_of: Callable[[_Answer], int],
        *,
        fields: int,
        estimate_rows: int,
        probe: bool,
    ) -> _Answer:
        """Return ``decode`` of one call's body: replayed from the checkpoint, else sent (and kept there).

        :param decode: turns the body's pieces into the result, inside the client's attempt.
        :param rows_of: the rows of the result (its cost is ``fields`` x rows).
        """
        checkpoint = self._checkpoint
        if checkpoint is not None:
            key = answer_key(finder, params)
            replayed = self._replay(checkpoint.get(key), decode, probe=probe)
            if replayed is not None:
                return replayed
            decode = _storing(checkpoint, key, decode)
        summary = _summary(finder, params)

        def send(renew: Callable[[BaseException], None]) -> _Answer:
            return client.read_finder(RESOURCE, finder, params, decode, summary=summary, on_retry=renew)

        return self._budgeted(send, rows_of, fields=fields, estimate_rows=estimate_rows, probe=probe)

    def _replay(
        self, body: Sequence[bytes] | None, decode: Callable[[Sequence[bytes], int], _Answer], *, probe: bool
    ) -> _Answer | None:
        """Read an answer received before this report was resumed, or ``None`` (then the call is made).

        A stored body that no longer reads (damaged in storage), or anything but body pieces from
        a checkpoint of one's own, is a miss too: asking again is always correct.
        """
        if body is None:
            return None
        if not all(isinstance(piece, bytes) for piece in body):  # e.g. decoded elements: not a body
            log.warning("A checkpoint gave something else than body pieces; asking LinkedIn again")
            return None
        try:
            answer = decode(body, 200)
        except LinkedInAdsError as err:
            log.warning(
                "A checkpointed answer could not be read again (%s); asking LinkedIn again",
                type(err).__name__,
            )
            return None
        with self._lock:
            self.replayed += 1
            self.probe_calls += int(probe)
        return answer

    def _budgeted(
        self,
        send: Callable[[Callable[[BaseException], None]], _Answer],
        rows_of: Callable[[_Answer], int],
        *,
        fields: int,
        estimate_rows: int,
        probe: bool,
    ) -> _Answer:
        """Send one call holding its estimated cost in the budget, then settle and count the actual cost.

        :param send: makes the call; gets the reservation's renewal for the client's retries.
        :param rows_of: the rows of the result (its cost is ``fields`` x rows).
        """
        reservation = _Reservation(self._budget, fields * min(max(estimate_rows, 1), self.row_cap))
        try:
            result = send(reservation.renew)
            rows = rows_of(result)
        except BaseException:
            reservation.settle(None)  # unknown outcome, or no report: keep the reservation's cost
            raise
        cost = fields * rows
        reservation.settle(cost)
        self._count(reservation, cost, probe=probe)
        return result

    def _count(self, reservation: _Reservation, cost: int, *, probe: bool) -> None:
        with self._lock:
            self.budget_waits += reservation.waits
            self.budget_wait_seconds += reservation.wait_seconds
            self.calls += 1
            self.probe_calls += int(probe)
            self.metric_values += cost


class _Reservation:
    """One call's hold on the budget, renewed before each retry of an answer LinkedIn may have served.

    A reset or a body cut mid-way can come after LinkedIn produced (and counted) the whole answer, so
    such an attempt keeps its reserved cost and the retry reserves again, waiting if the window is
    full. Error answers (4xx, 5xx, 429) carry no rows and keep the reservation as it is.
    """

    def __init__(self, budget: MetricValueBudget, amount: int) -> None:
        self._budget = budget
        self._ticket = budget.acquire(amount)
        self.waits = int(self._ticket.waited)
        self.wait_seconds = self._ticket.wait_seconds

    def renew(self, error: BaseException) -> None:
        if not isinstance(error, TransportError):
            return
        amount = self._ticket.amount
        self._budget.settle(self._ticket, amount)
        self._ticket = self._budget.acquire(amount)
        self.waits += int(self._ticket.waited)
        self.wait_seconds += self._ticket.wait_seconds

    def settle(self, actual: int | None) -> None:
        """Settle to ``actual`` metric values, or to the reserved amount when the outcome is unknown."""
        self._budget.settle(self._ticket, self._ticket.amount if actual is None else actual)


def _summary(finder: str, params: Sequence[tuple[str, Value | None]]) -> RequestSummary:
    """Token-free description of a call for error messages (pivots, date range, facet sizes)."""
    pivots: tuple[str, ...] = ()
    span: str | None = None
    facets: dict[str, int] = {}
    for key, value in params:
        if key in ("pivot", "pivots") and value is not None:
            pivots = (str(value),) if isinstance(value, str) else tuple(str(item) for item in value)  # type: ignore[union-attr]
        elif key == "dateRange" and isinstance(value, dict):
            span = _describe_range(value)
        elif isinstance(value, list) and key != "fields":
            facets[key] = len(value)
    return RequestSummary(
        method="GET", resource=RESOURCE, finder=finder, pivots=pivots, date_range=span, facet_counts=facets
    )


def _describe_range(value: dict[str, Any]) -> str:
    def day(record: Any) -> str:
        return (
            f"{record['year']:04d}-{record['month']:02d}-{record['day']:02d}"
            if isinstance(record, dict)
            else "?"
        )

    return f"{day(value.get('start'))}..{day(value.get('end'))}"
