"""The answer gate: how many parsed answers may wait for the engine's coordinating thread."""

from __future__ import annotations

import threading

import pytest

from airflow_provider_linkedin_ads.client.answer_gate import AnswerGate

# Generous bound for a thread to reach a point it is not blocked from (never waited out on success).
_REACH = 10.0
# How long a worker that should wait is watched not getting in.
_WATCH = 0.2


def _worker(gate: AnswerGate) -> threading.Event:
    """Start a thread that takes a new turn; the returned event is set once it got in."""
    got_in = threading.Event()

    def run() -> None:
        gate.turn().take()
        got_in.set()

    threading.Thread(target=run, daemon=True).start()
    return got_in


def _waits(gate: AnswerGate) -> bool:
    """Tell whether a new worker has to wait at ``gate``; the gate is opened afterwards, so it ends."""
    got_in = _worker(gate)
    waited = not got_in.wait(_WATCH)
    gate.open()
    assert got_in.wait(_REACH)
    return waited


def test_a_second_turn_waits_until_the_first_is_given_back() -> None:
    gate = AnswerGate(limit=1)
    first = gate.turn()
    first.take()
    got_in = _worker(gate)
    assert not got_in.wait(_WATCH)  # it cannot get in while the first turn is out
    first.release()
    assert got_in.wait(_REACH)


def test_the_limit_is_the_number_of_turns_out_at_once() -> None:
    gate = AnswerGate(limit=2)
    gate.turn().take()
    gate.turn().take()  # the second is within the limit: no wait
    assert _waits(gate)


def test_opening_lets_every_waiting_and_later_worker_through() -> None:
    # The run ended with a turn that nobody will give back: the workers must still finish.
    gate = AnswerGate(limit=1)
    gate.turn().take()
    workers = [_worker(gate) for _ in range(3)]
    assert not any(got_in.wait(_WATCH / 2) for got_in in workers)
    gate.open()
    assert all(got_in.wait(_REACH) for got_in in workers)
    gate.turn().take()  # no wait


def test_a_turn_is_taken_once_and_given_back_once() -> None:
    # A retried attempt takes the turn it holds again; the worker and the coordinating thread may
    # both give it back. Neither may count twice.
    gate = AnswerGate(limit=1)
    turn = gate.turn()
    turn.take()
    turn.take()  # held already: no deadlock on itself
    turn.release()
    turn.release()  # given back already: the limit stays 1
    gate.turn().take()
    assert _waits(gate)  # had the double release counted, this worker would have got in


def test_a_turn_never_taken_gives_nothing_back() -> None:
    gate = AnswerGate(limit=1)
    gate.turn().release()  # e.g. a call that failed before its body arrived
    gate.turn().take()
    assert _waits(gate)


def test_a_parsed_answer_keeps_its_turn_until_it_is_handled() -> None:
    gate = AnswerGate(limit=1)
    turn = gate.turn()
    with turn.parsing():
        pass
    assert _waits(gate)  # still held: the coordinating thread has not handled the answer yet


def test_a_failed_parse_gives_the_turn_back_at_once() -> None:
    # A body cut mid-way is retried: its backoff and new request must not keep the other workers
    # from parsing, and a call that fails for good hands nothing to the coordinating thread.
    gate = AnswerGate(limit=1)
    turn = gate.turn()
    with pytest.raises(ValueError, match="cut"), turn.parsing():
        raise ValueError("body cut mid-way")
    # The next worker gets in (waited for generously: on a loaded machine a thread may take longer
    # than _WATCH just to start, which must not read as waiting). Had the turn been kept, never.
    assert _worker(gate).wait(_REACH)
