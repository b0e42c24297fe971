"""What bounds the report engine's memory, run against the bundled emulator (behaviour, not timing).

* Answers are decoded a batch of elements at a time, never as one whole tree, and one answer at a
  time however many calls are in flight (``Fetcher.read``, ``responses.read_elements``); a worker
  parses its answer only when no other parsed answer waits for the coordinating thread
  (``answer_gate``), and a run that fails while workers wait their turn still ends.
* Rows waiting to be written share one pivot-values tuple per distinct value (``ChunkJoin``), and
  while their segment waits for other scopes they are held pickled, one ``bytes`` per part.

The rows written stay those of the world's ground truth.
"""

from __future__ import annotations

import datetime as dt
import pickle
import threading
import weakref
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client import execution, responses
from airflow_provider_linkedin_ads.client.checkpoint import MemoryCheckpoint
from airflow_provider_linkedin_ads.client.planning import FieldChunk
from airflow_provider_linkedin_ads.client.rows import ChunkJoin
from airflow_provider_linkedin_ads.models import ReportRequest
from airflow_provider_linkedin_ads.testing import EmulatorServer
from tests.integration.test_engine_emulator import _WORLD, CAP, TODAY, accounts, ground_truth, run_rows

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(world=_WORLD, max_elements=CAP) as server:
        yield server
        server.check()


def _request(server: EmulatorServer) -> ReportRequest:
    return ReportRequest.build(
        finder="analytics",
        pivots="CREATIVE",
        time_granularity="DAILY",
        date_range=(TODAY - dt.timedelta(days=60), TODAY - dt.timedelta(days=1)),
        facets={"accounts": accounts(server)},
        metrics=["impressions", "clicks", "costInUsd", "landingPageClicks"],
    )


@pytest.mark.parametrize("checkpointed", [False, True], ids=["plain", "checkpointed"])
def test_answers_are_read_in_batches_one_answer_at_a_time(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, checkpointed: bool
) -> None:
    # A deferrable task keeps a checkpoint: its answers, fresh or replayed, take the same path.
    monkeypatch.setattr(responses, "ELEMENT_BATCH", 7)
    original = ChunkJoin.read
    guard = threading.Lock()
    state = {"inside": 0, "most_inside": 0, "largest_batch": 0, "largest_answer": 0}

    def read(self: ChunkJoin, chunk: Any, batches: Any, **options: Any) -> Any:
        with guard:
            state["inside"] += 1
            state["most_inside"] = max(state["most_inside"], state["inside"])
        try:

            def counted() -> Any:
                for batch in batches:
                    state["largest_batch"] = max(state["largest_batch"], len(batch))
                    threading.Event().wait(0.001)  # let another worker in, were it allowed
                    yield batch

            answer = original(self, chunk, counted(), **options)
            state["largest_answer"] = max(state["largest_answer"], answer.elements)
            return answer
        finally:
            with guard:
                state["inside"] -= 1

    monkeypatch.setattr(ChunkJoin, "read", read)
    request = _request(emulator)
    checkpoint = MemoryCheckpoint() if checkpointed else None
    rows, summary = run_rows(emulator, request, max_concurrency=4, checkpoint=checkpoint)
    assert rows == ground_truth(emulator, request)
    assert summary.calls_made > 4  # several calls, up to four in flight
    assert state["largest_answer"] > 7  # answers larger than a batch ...
    assert state["largest_batch"] <= 7  # ... reached the parser a batch at a time
    assert state["most_inside"] == 1  # one answer decoded and parsed at a time
    if checkpoint is None:
        return
    stored = len(checkpoint)
    assert stored == summary.calls_made  # every answer kept, probes included
    state.update(largest_batch=0, largest_answer=0)
    replayed, again = run_rows(emulator, request, max_concurrency=4, checkpoint=checkpoint)
    assert replayed == rows
    assert (again.calls_made, again.calls_replayed) == (0, stored)
    assert state["largest_answer"] > 7
    assert state["largest_batch"] <= 7  # a replayed answer is read a batch at a time too
    assert state["most_inside"] == 1


def test_rows_of_every_day_share_one_pivot_values_tuple(emulator: EmulatorServer) -> None:
    request = _request(emulator)
    rows, _ = run_rows(emulator, request)
    assert rows == ground_truth(emulator, request)
    join = ChunkJoin(request)
    chunk = FieldChunk(0, request.metrics, ("dateRange", "pivotValues", *request.metrics))
    day = {"year": 2026, "month": 1, "day": 1}
    element = {"pivotValues": ["urn:li:sponsoredCreative:1"], "impressions": 1, "clicks": 0}
    first = join.parse(chunk, [{**element, "dateRange": {"start": day, "end": day}}])
    day2 = {**day, "day": 2}
    second = join.parse(chunk, [{**element, "dateRange": {"start": day2, "end": day2}}])
    assert first[0][0][2] == second[0][0][2] == ("urn:li:sponsoredCreative:1",)
    assert first[0][0][2] is second[0][0][2]


def test_rows_that_wait_for_other_scopes_are_held_as_bytes(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each account has windows of its own, so a day's rows wait until every account has passed it:
    # while they wait, a part is one pickled ``bytes``, not thousands of tuples and Decimals.
    request = _request(emulator)
    held: list[list[tuple[Any, ...]]] = []
    original = execution._Segment.rows

    def rows(self: execution._Segment) -> Any:
        held.append(list(self.waiting))
        return original(self)

    monkeypatch.setattr(execution._Segment, "rows", rows)
    written, summary = run_rows(emulator, request)
    assert written == ground_truth(emulator, request)
    parts = [part for segment in held for part in segment]
    assert parts  # some rows really waited
    assert all(type(blob) is bytes for _, blob, _ in parts)
    # The bytes decode to the parsed rows: keys and metric values, Decimals exact.
    decoded = [row for _, blob, _ in parts for row in pickle.loads(blob)]
    assert decoded
    assert all(len(values) == len(request.metrics) for _, values in decoded)
    assert summary.truncation_events == ()


def test_a_monthly_probe_is_read_in_batches_like_the_data_it_is(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A MONTHLY report's probe asks for the first field chunk, so its answer can be as large as any
    # data call's (a capped one is 15,000 rows): it takes the same batch-by-batch path, not a whole decode.
    monkeypatch.setattr(responses, "ELEMENT_BATCH", 7)
    request = ReportRequest.build(
        finder="analytics",
        pivots="CREATIVE",
        time_granularity="MONTHLY",
        date_range=(TODAY - dt.timedelta(days=200), TODAY - dt.timedelta(days=1)),
        facets={"accounts": accounts(emulator)[:1]},
        metrics=["impressions", "clicks", "costInUsd"],
    )
    original = ChunkJoin.read
    answers: list[int] = []
    batches: list[int] = []

    def read(self: ChunkJoin, chunk: Any, parts: Any, **options: Any) -> Any:
        def counted() -> Any:
            for batch in parts:
                batches.append(len(batch))
                yield batch

        answer = original(self, chunk, counted(), **options)
        answers.append(answer.elements)
        return answer

    monkeypatch.setattr(ChunkJoin, "read", read)
    rows, summary = run_rows(emulator, request)
    assert rows == ground_truth(emulator, request)
    assert (summary.calls_made, summary.probe_calls) == (1, 1)  # the probe was the whole report
    assert answers == [len(rows)]
    assert len(rows) > 7
    assert max(batches) <= 7


def test_an_answer_handled_is_not_kept_while_rows_are_written(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A finished future keeps its result: the coordinating loop must drop the futures it handled,
    # or one more answer's parsed rows stay alive while segments are written and the next call awaited.
    request = _request(emulator)
    handled: list[weakref.ref[Any]] = []
    alive_when_writing: list[int] = []
    original_handle, original_flush = execution.PlanRunner._handle, execution.PlanRunner._flush

    def handle(self: execution.PlanRunner, task: Any, outcome: Any) -> None:
        handled.append(weakref.ref(outcome))
        original_handle(self, task, outcome)

    def flush(self: execution.PlanRunner, index: int) -> Any:
        alive_when_writing.append(sum(ref() is not None for ref in handled))
        yield from original_flush(self, index)

    monkeypatch.setattr(execution.PlanRunner, "_handle", handle)
    monkeypatch.setattr(execution.PlanRunner, "_flush", flush)
    rows, summary = run_rows(emulator, request, max_concurrency=4)
    assert rows == ground_truth(emulator, request)
    assert len(handled) == summary.calls_made - summary.probe_calls > 4
    assert alive_when_writing
    assert max(alive_when_writing) == 0


def test_one_parsed_answer_waits_for_the_coordinator_at_a_time(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # While the coordinating thread is busy (merging, writing a segment, pyarrow writing a row
    # group), the other workers' answers must wait as bodies, not be parsed into rows that wait too.
    request = _request(emulator)
    guard = threading.Lock()
    state = {"unhandled": 0, "most": 0}
    second = threading.Event()  # set if a second answer is parsed while one waits
    original_read, original_handle = ChunkJoin.read, execution.PlanRunner._handle

    def read(self: ChunkJoin, chunk: Any, batches: Any, **options: Any) -> Any:
        with guard:
            state["unhandled"] += 1
            state["most"] = max(state["most"], state["unhandled"])
            if state["unhandled"] > 1:
                second.set()
        return original_read(self, chunk, batches, **options)

    def handle(self: execution.PlanRunner, task: Any, outcome: Any) -> None:
        if self.calls_done == 0:
            second.wait(1.0)  # a slow first merge: time for the other workers' answers to arrive
        original_handle(self, task, outcome)
        with guard:
            state["unhandled"] -= 1

    monkeypatch.setattr(ChunkJoin, "read", read)
    monkeypatch.setattr(execution.PlanRunner, "_handle", handle)
    rows, summary = run_rows(emulator, request, max_concurrency=4)
    assert rows == ground_truth(emulator, request)
    assert summary.calls_made - summary.probe_calls > 4  # more answers than workers
    assert state["most"] == 1
    assert not second.is_set()


def test_a_run_that_fails_while_workers_wait_their_turn_ends(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Writing fails (a full disk, say) while a parsed answer waits to be handled and other workers
    # wait for their turn to parse: that answer's turn is never given back, so the run must end the
    # gate, or its pool would wait forever for workers that wait forever.
    request = _request(emulator)
    blocked = threading.Event()
    original_take = execution.Turn.take

    def take(self: execution.Turn) -> None:
        if self._gate._free == 0:  # this worker will wait: another parsed answer holds the turn
            blocked.set()
        original_take(self)

    original_flush = execution.PlanRunner._flush

    def flush(self: execution.PlanRunner, index: int) -> Any:
        # With calls in flight, one will be parsed and wait to be handled, the next wait its turn.
        if len(self._in_flight) > 1 and blocked.wait(5.0):
            raise OSError("no space left on the device")
        yield from original_flush(self, index)

    monkeypatch.setattr(execution.Turn, "take", take)
    monkeypatch.setattr(execution.PlanRunner, "_flush", flush)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            run_rows(emulator, request, max_concurrency=4)
        except BaseException as err:
            outcome.append(err)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(30)
    assert blocked.is_set()  # a worker really waited for its turn when writing failed
    assert not runner.is_alive()
    assert [str(err) for err in outcome] == ["no space left on the device"]
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("linkedin-ads-report")]


def test_storing_an_answer_does_not_hold_up_the_other_workers(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A deferrable report's checkpoint may be remote storage: while one answer is being stored, the
    # other workers' answers must still be parsed (a parsed answer holds the gate's turn until merged).
    request = _request(emulator)
    storing, parsed_meanwhile = threading.Event(), threading.Event()
    guard = threading.Lock()
    data_puts: list[str] = []
    outcome: list[bool] = []
    original_read = ChunkJoin.read

    class SlowCheckpoint(MemoryCheckpoint):
        def put(self, key: str, body: Any) -> None:
            with guard:
                if "impressions" in key:  # a data call, not a probe
                    data_puts.append(key)
                slow = len(data_puts) == 3 and not outcome and key == data_puts[-1]
            if slow:  # by the third data answer several calls are in flight
                storing.set()
                outcome.append(parsed_meanwhile.wait(5.0))
                storing.clear()
            super().put(key, body)

    def read(self: ChunkJoin, chunk: Any, batches: Any, **options: Any) -> Any:
        answer = original_read(self, chunk, batches, **options)
        if storing.is_set():
            parsed_meanwhile.set()
        return answer

    monkeypatch.setattr(ChunkJoin, "read", read)
    checkpoint = SlowCheckpoint()
    rows, summary = run_rows(emulator, request, max_concurrency=4, checkpoint=checkpoint)
    assert rows == ground_truth(emulator, request)
    assert outcome == [True]  # another answer was parsed while the third was being stored
    assert len(checkpoint) == summary.calls_made
