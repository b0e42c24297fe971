"""How many answers may be parsed before the report's coordinating thread has taken them up.

The engine's workers send their calls at once and keep each body as the pieces it arrived in
(compact: about 3.4 MiB for a 15,000-row W3 answer). Parsed, the same answer is Python rows of about
twice that size, and they live until the coordinating thread merges them. That thread also writes
the output, so while it writes a segment (or pyarrow a row group) every worker whose body had
arrived used to parse it and wait with its rows: up to ``max_concurrency`` parsed answers at once.
The gate lets a worker parse only when fewer than ``limit`` parsed answers are waiting; its body
waits instead. Parsing holds the GIL, so it never ran in parallel, and W3 was not measurably slower
(see the README's "Performance" section).
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


class AnswerGate:
    """At most ``limit`` parsed answers waiting for the coordinating thread; workers take turns.

    A worker takes a :class:`Turn` before it parses an answer (waiting while ``limit`` turns are
    out), and the coordinating thread gives it back once the answer's rows are merged. When the run
    ends (finished or failed) :meth:`open` lets every waiting and later worker through at once: a
    turn held by an answer nobody will handle again is never given back, and the workers must still
    finish (a deferrable report's checkpoint keeps the answers of the calls in flight, so a resumed
    run does not ask for them twice) for the thread pool to shut down.

    :param limit: parsed answers that may wait at once (at least 1).

    .. code-block:: python

        gate = AnswerGate(limit=1)
        turn = gate.turn()
        turn.take()  # worker, before parsing: blocks while another parsed answer waits
        ...  # the coordinating thread merges the rows
        turn.release()  # coordinating thread (or the worker, if it failed)
        gate.open()  # the run ended: nobody waits any more
    """

    def __init__(self, limit: int = 1) -> None:
        self._free = max(1, limit)
        self._changed = threading.Condition()
        self._open = False

    def turn(self) -> Turn:
        """Return a new turn, not taken yet (one per answer)."""
        return Turn(self)

    def open(self) -> None:
        """End the limit: every worker waiting, and every later :meth:`Turn.take`, goes through at once."""
        with self._changed:
            self._open = True
            self._changed.notify_all()

    def _enter(self) -> None:
        with self._changed:
            while self._free <= 0 and not self._open:
                self._changed.wait()
            self._free -= 1  # may go below 0 once open; nobody waits on it then

    def _leave(self) -> None:
        with self._changed:
            self._free += 1
            self._changed.notify()


class Turn:
    """One answer's turn at an :class:`AnswerGate`: held or not, never counted twice.

    Both ends are idempotent: taking a turn already held does not wait, and giving back one not held
    gives nothing (the worker gives the turn back itself when its call fails, and the coordinating
    thread gives back the turn of every answer it handled). One thread at a time has the turn in
    hand: the worker until it returns its answer, then the coordinating thread; so it needs no lock.

    .. code-block:: python

        turn = AnswerGate().turn()
        with turn.parsing():  # taken; given back at once if parsing fails
            rows = parse(body)
        ...  # handed over with the rows: the coordinating thread calls turn.release()
    """

    def __init__(self, gate: AnswerGate) -> None:
        self._gate = gate
        self._held = False

    def take(self) -> None:
        """Wait for the gate, unless this turn is already held."""
        if not self._held:
            self._gate._enter()
            self._held = True

    @contextlib.contextmanager
    def parsing(self) -> Iterator[None]:
        """Hold the turn while an answer is parsed; give it back if parsing fails.

        A failed parse is retried (a body cut mid-way) or ends the call: either way, no parsed
        answer waits, and a retry's backoff and new request must not keep the other workers waiting.
        On success the turn stays held until the coordinating thread has handled the answer.
        """
        self.take()
        try:
            yield
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        """Give the turn back, if it is held."""
        if self._held:
            self._held = False
            self._gate._leave()
