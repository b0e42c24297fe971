"""A checkpoint of the ``adAnalytics`` answers a report already received, so a resumed report asks once.

When a report stops for a long wait (LinkedIn's data throttle, handed to Airflow's triggerer by a
deferrable operator) and later runs again, the engine plans it anew. The planner is deterministic
given the same answers, so the report engine consults an :class:`AnswerCheckpoint` before every
``adAnalytics`` call and fills it after every checked answer: on the resume the answers already
received are replayed, re-creating the same plan, and only the calls not made yet go to LinkedIn.

* Key: the exact request, ``adAnalytics?q=<finder>&<Rest.li-encoded query>`` (the ``fields`` list
  included), from :func:`answer_key`. A request that differs in any byte is a different answer.
* Value: the answer's ``elements`` as the client decoded them. :func:`encode_answer` writes them as
  JSON that :func:`decode_answer` reads back exactly (fractional numbers stay ``Decimal``).
* Capped answers are kept too: replaying one re-splits the call the same way, without asking again.
* An answer carries no secret (tokens travel in headers, never in the query or the body).

A missing or unreadable entry only means that call is made again, which is always correct.

.. code-block:: python

    checkpoint = MemoryCheckpoint()
    engine = ReportEngine(client, checkpoint=checkpoint)
    key = answer_key("analytics", [("pivot", "CAMPAIGN")])
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from airflow_provider_linkedin_ads.restli import build_query

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_linkedin_ads.restli import Value

__all__ = ["AnswerCheckpoint", "MemoryCheckpoint", "answer_key", "decode_answer", "encode_answer"]

#: The one resource whose answers are checkpointed.
RESOURCE = "adAnalytics"
# Tag of a fractional JSON number in the stored form; json cannot write a Decimal's digits as a number.
_DECIMAL = "$decimal"


class AnswerCheckpoint(Protocol):
    """Answers already received, by request; implementations must be thread-safe.

    The engine's worker threads call :meth:`get` before and :meth:`put` after each call.

    .. code-block:: python

        class MyCheckpoint:
            def get(self, key: str) -> list[dict[str, Any]] | None: ...
            def put(self, key: str, elements: list[dict[str, Any]]) -> None: ...
    """

    def get(self, key: str) -> list[dict[str, Any]] | None:
        """Return the elements stored under ``key``, or ``None`` (then the call is made)."""
        ...

    def put(self, key: str, elements: list[dict[str, Any]]) -> None:
        """Store a checked answer's elements under ``key``; a failure to store must not raise."""
        ...


def answer_key(finder: str, params: Sequence[tuple[str, Value | None]]) -> str:
    """Return the checkpoint key of one ``adAnalytics`` finder call: its exact encoded request.

    .. code-block:: python

        answer_key("analytics", [("pivot", "CAMPAIGN"), ("fields", ["impressions"])])
        # 'adAnalytics?q=analytics&pivot=CAMPAIGN&fields=impressions'
    """
    return f"{RESOURCE}?{build_query([('q', finder), *params])}"


def encode_answer(key: str, elements: list[dict[str, Any]]) -> bytes:
    """Return the stored form of one answer: JSON of its key and elements, ``Decimal`` kept exact."""
    return json.dumps({"key": key, "elements": _tagged(elements)}, separators=(",", ":")).encode()


def decode_answer(key: str, data: bytes) -> list[dict[str, Any]] | None:
    """Return the elements of a stored answer, or ``None`` when it is not a whole answer for ``key``.

    A file cut by a crash mid-write, or one holding another key (a hash collision), is a miss.
    """
    try:
        stored = json.loads(data, object_hook=_untag)
    except (ValueError, RecursionError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    elements = stored.get("elements")
    if not isinstance(elements, list) or not all(isinstance(item, dict) for item in elements):
        return None
    return elements


class MemoryCheckpoint:
    """An in-process :class:`AnswerCheckpoint` (tests, or a caller that retries within one process).

    .. code-block:: python

        checkpoint = MemoryCheckpoint()
        list(ReportEngine(client, checkpoint=checkpoint).run(request))  # stopped by a long wait...
        list(ReportEngine(client, checkpoint=checkpoint).run(request))  # ...resumed: answers replayed
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[str, bytes] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._answers)

    def get(self, key: str) -> list[dict[str, Any]] | None:
        """Return a fresh copy of the stored elements (the engine may not share them), or ``None``."""
        with self._lock:
            data = self._answers.get(key)
        return None if data is None else decode_answer(key, data)

    def put(self, key: str, elements: list[dict[str, Any]]) -> None:
        """Store ``elements`` under ``key`` (encoded, as a file store would)."""
        data = encode_answer(key, elements)
        with self._lock:
            self._answers[key] = data


def _tagged(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {_DECIMAL: str(value)}
    if isinstance(value, dict):
        return {key: _tagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_tagged(item) for item in value]
    return value


def _untag(value: dict[str, Any]) -> Any:
    if len(value) == 1 and isinstance(value.get(_DECIMAL), str):
        return Decimal(value[_DECIMAL])
    return value
