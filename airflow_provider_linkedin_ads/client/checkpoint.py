"""A checkpoint of the ``adAnalytics`` answers a report already received, so a resumed report asks once.

When a report stops for a long wait (LinkedIn's data throttle, handed to Airflow's triggerer by a
deferrable operator) and later runs again, the engine plans it anew. The planner is deterministic
given the same answers, so the report engine consults an :class:`AnswerCheckpoint` before every
``adAnalytics`` call and fills it with every answer's body as it arrives: on the resume the answers
already received are replayed (decoded and checked like fresh ones, so a body that fails its checks
is asked for again), re-creating the same plan, and only the calls not made yet go to LinkedIn.

* Key: the exact request, ``adAnalytics?q=<finder>&<Rest.li-encoded query>`` (the ``fields`` list
  included), from :func:`answer_key`. A request that differs in any byte is a different answer.
* Value: the answer's body, byte for byte as LinkedIn sent it, kept in the pieces it arrived in. A
  replayed answer is therefore read exactly like a fresh one (a piece at a time, see
  :mod:`~.element_stream`): same numbers, same checks, and no whole decoded answer in memory, so a
  deferrable report costs no more memory than any other. :func:`encode_answer` prefixes the body
  with a one-line header naming the key and the body's size; :func:`read_answer` refuses an entry
  cut by a crash mid-write or written for another key.
* Capped answers are kept too: replaying one re-splits the call the same way, without asking again.
* An answer carries no secret (tokens travel in headers, never in the query or the body).

A missing, unreadable or unusable entry only means that call is made again, which is always correct.

.. code-block:: python

    checkpoint = MemoryCheckpoint()
    engine = ReportEngine(client, checkpoint=checkpoint)
    key = answer_key("analytics", [("pivot", "CAMPAIGN")])
"""

from __future__ import annotations

import json
import threading
from typing import IO, TYPE_CHECKING, Protocol

from airflow_provider_linkedin_ads.client.config import BODY_PIECE_BYTES
from airflow_provider_linkedin_ads.restli import build_query

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_linkedin_ads.restli import Value

__all__ = ["AnswerCheckpoint", "MemoryCheckpoint", "answer_key", "encode_answer", "read_answer"]

#: The one resource whose answers are checkpointed.
RESOURCE = "adAnalytics"
# A header longer than this is not one of ours (keys are request URLs: kilobytes at most).
_HEADER_LIMIT = 1024 * 1024


class AnswerCheckpoint(Protocol):
    """Answers already received, by request; implementations must be thread-safe.

    The engine's worker threads call :meth:`get` before and :meth:`put` after each call. Bodies are
    given and taken as pieces (at most :data:`~.config.BODY_PIECE_BYTES` each is best: a multi-MiB
    block is what fragments a worker's memory). Only a client that hands bodies over
    (:meth:`~.client.LinkedInAdsClient.read_finder`) fills a checkpoint.

    .. code-block:: python

        class MyCheckpoint:
            def get(self, key: str) -> list[bytes] | None: ...
            def put(self, key: str, body: Sequence[bytes]) -> None: ...
    """

    def get(self, key: str) -> list[bytes] | None:
        """Return the body stored under ``key`` in pieces, or ``None`` (then the call is made)."""
        ...

    def put(self, key: str, body: Sequence[bytes]) -> None:
        """Store an answer's body (its pieces, in order, as received) under ``key``; must not raise."""
        ...


def answer_key(finder: str, params: Sequence[tuple[str, Value | None]]) -> str:
    """Return the checkpoint key of one ``adAnalytics`` finder call: its exact encoded request.

    .. code-block:: python

        answer_key("analytics", [("pivot", "CAMPAIGN"), ("fields", ["impressions"])])
        # 'adAnalytics?q=analytics&pivot=CAMPAIGN&fields=impressions'
    """
    return f"{RESOURCE}?{build_query([('q', finder), *params])}"


def encode_answer(key: str, body: Sequence[bytes]) -> list[bytes]:
    """Return the stored form of one answer, as pieces: a JSON header line, then the body unchanged.

    The header (``{"key": ..., "bytes": ...}``, ASCII, one line) lets :func:`read_answer` tell a
    whole entry of this key from a cut or foreign one without decoding the body.
    """
    header = json.dumps({"key": key, "bytes": sum(map(len, body))}, separators=(",", ":"))
    return [header.encode("ascii") + b"\n", *body]


def read_answer(key: str, stream: IO[bytes], *, piece: int = BODY_PIECE_BYTES) -> list[bytes] | None:
    """Read one stored answer from ``stream``: its body in pieces, or ``None`` when it is not whole for ``key``.

    Only ``stream.read(size)`` is used (fsspec's remote files have no ``readline(limit)``). A file
    cut by a crash mid-write (fewer bytes than its header says), one holding another key (a hash
    collision) or anything else is a miss.
    """
    head = b""
    while b"\n" not in head:
        data = stream.read(piece)
        if not data or len(head) > _HEADER_LIMIT:
            return None
        head += data
    header, _, rest = head.partition(b"\n")
    try:
        stored = json.loads(header)
    except ValueError:
        return None
    size = stored.get("bytes") if isinstance(stored, dict) else None
    if not isinstance(stored, dict) or stored.get("key") != key or type(size) is not int:
        return None
    pieces = [rest] if rest else []
    read = len(rest)
    while read <= size and (data := stream.read(piece)):
        pieces.append(data)
        read += len(data)
    return pieces if read == size else None


class MemoryCheckpoint:
    """An in-process :class:`AnswerCheckpoint` (tests, or a caller that retries within one process).

    .. code-block:: python

        checkpoint = MemoryCheckpoint()
        list(ReportEngine(client, checkpoint=checkpoint).run(request))  # stopped by a long wait...
        list(ReportEngine(client, checkpoint=checkpoint).run(request))  # ...resumed: answers replayed
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[str, tuple[bytes, ...]] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._answers)

    def get(self, key: str) -> list[bytes] | None:
        """Return the stored body in pieces, or ``None``."""
        with self._lock:
            stored = self._answers.get(key)
        return None if stored is None else list(stored)

    def put(self, key: str, body: Sequence[bytes]) -> None:
        """Store the body's pieces under ``key`` (bytes are immutable: nothing is copied)."""
        with self._lock:
            self._answers[key] = tuple(body)
