"""Fault injection for reliability tests: scripted per request, or random at a seeded rate.

Kinds (``FAULT_KINDS``):

* ``"500"``: 500 ``INTERNAL_ERROR`` (JSON);
* ``"503"``: 503 ``UNDER_MAINTENANCE`` (JSON);
* ``"502"``, ``"504"``: a gateway's HTML page, not JSON;
* ``"reset"``: the connection is closed (RST) without any answer;
* ``"cut"``: the real answer with its full ``Content-Length`` but only half the body, then close;
* ``"429"``: short-window throttle; ``Retry-After`` only when the emulator has ``retry_after`` set;
* ``"429-retry-after"``: short-window throttle that always carries ``Retry-After``;
* ``"429-data"``: the 45-million-metric-values data throttle;
* ``"latency"``: the real answer after an extra ``latency_ms`` (100 ms when that is 0), the only
  real sleeping the emulator does.

Scripted faults are used first, in the order they were scripted; a script without
``path_contains`` matches API calls (``/rest``, ``/v2``) but not the OAuth endpoints. Random faults
hit API calls only, drawn from a ``random.Random(seed)`` so a run is reproducible.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing.responses import (
    DATA_THROTTLE_MESSAGE,
    SHORT_THROTTLE_MESSAGE,
    Response,
    api_error,
    gateway_html,
)

__all__ = ["FAULT_KINDS", "RANDOM_KINDS", "FaultPlan", "fault_response"]

FAULT_KINDS: tuple[str, ...] = (
    "500",
    "502",
    "503",
    "504",
    "reset",
    "cut",
    "429",
    "429-retry-after",
    "429-data",
    "latency",
)
#: Kinds drawn by random injection (the data throttle and latency only when scripted or configured).
RANDOM_KINDS: tuple[str, ...] = ("500", "502", "503", "504", "reset", "cut", "429", "429-retry-after")
_API_PREFIXES = ("/rest/", "/v2/")


@dataclass
class _Script:
    kind: str
    remaining: int
    path_contains: str | None

    def matches(self, path: str) -> bool:
        if self.path_contains is None:
            return path.startswith(_API_PREFIXES)
        return self.path_contains in path


def _check_kind(kind: str) -> str:
    if kind not in FAULT_KINDS:
        raise ConfigurationError(
            f"kind: unknown fault {kind!r}; choose from {', '.join(FAULT_KINDS)}", argument="kind"
        )
    return kind


class FaultPlan:
    """Which requests fail, and how.

    :param rate: probability (0..1) that an API call gets a random fault.
    :param seed: seed of the random draws.
    :param kinds: kinds random injection chooses from.

    .. code-block:: python

        emulator.faults.script("503", times=2, path_contains="adAnalytics")
        emulator.faults.script("reset")
    """

    def __init__(self, *, rate: float = 0.0, seed: int = 0, kinds: tuple[str, ...] = RANDOM_KINDS) -> None:
        self._lock = threading.Lock()
        self._scripts: list[_Script] = []
        self.configure(rate=rate, seed=seed, kinds=kinds)
        self._initial = (self.rate, self.seed, self.kinds)

    def configure(self, *, rate: float, seed: int, kinds: tuple[str, ...] = RANDOM_KINDS) -> None:
        """Set the random-fault rate, seed and kinds (restarting the random sequence).

        :raises ConfigurationError: for a rate outside 0..1 or an unknown kind.
        """
        if not 0.0 <= rate <= 1.0:
            raise ConfigurationError(
                f"fault_rate must be between 0 and 1, got {rate!r}", argument="fault_rate"
            )
        if not kinds:
            raise ConfigurationError("kinds: give at least one fault kind", argument="kinds")
        with self._lock:
            self.rate = rate
            self.seed = seed
            self.kinds = tuple(_check_kind(kind) for kind in kinds)
            self._random = random.Random(seed)

    def script(self, kind: str, *, times: int = 1, path_contains: str | None = None) -> None:
        """Make the next ``times`` matching requests fail with ``kind``.

        :param kind: one of :data:`FAULT_KINDS`.
        :param times: how many requests get it.
        :param path_contains: only requests whose path contains this text (default: any API call).
        :raises ConfigurationError: for an unknown kind or ``times < 1``.
        """
        if times < 1:
            raise ConfigurationError(f"times must be at least 1, got {times!r}", argument="times")
        with self._lock:
            self._scripts.append(_Script(_check_kind(kind), times, path_contains))

    @property
    def pending(self) -> list[tuple[str, int]]:
        """Scripted faults still to come, as ``(kind, remaining)``."""
        with self._lock:
            return [(script.kind, script.remaining) for script in self._scripts]

    def pick(self, path: str) -> str | None:
        """Return the fault for a request to ``path`` (consuming a script), or ``None``."""
        with self._lock:
            for script in self._scripts:
                if script.matches(path):
                    script.remaining -= 1
                    if script.remaining == 0:
                        self._scripts.remove(script)
                    return script.kind
            if self.rate and path.startswith(_API_PREFIXES) and self._random.random() < self.rate:
                return self._random.choice(self.kinds)
            return None

    def clear(self) -> None:
        """Drop scripted faults and restore the constructor's rate, seed and kinds (sequence restarted)."""
        with self._lock:
            self._scripts.clear()
        rate, seed, kinds = self._initial
        self.configure(rate=rate, seed=seed, kinds=kinds)


def fault_response(kind: str, *, retry_after: int | None) -> Response | None:
    """Return the answer for a fault that replaces the real one; ``None`` for ``cut`` and ``latency``.

    :param kind: the fault kind.
    :param retry_after: the emulator's configured ``Retry-After`` seconds, if any.
    """
    if kind in ("502", "504"):
        return _tag(gateway_html(int(kind)), kind)
    if kind == "reset":
        return Response(0, b"", action="reset", fault=kind)
    return _json_fault(kind, retry_after)


def _json_fault(kind: str, retry_after: int | None) -> Response | None:
    if kind == "500":
        message = "An unexpected server-side error occurred. Retry the request."
        return _tag(api_error(500, "INTERNAL_ERROR", message), kind)
    if kind == "503":
        message = "The service is temporarily unavailable. Retry the request after a brief delay."
        return _tag(api_error(503, "UNDER_MAINTENANCE", message), kind)
    if kind in ("429", "429-retry-after"):
        wait = retry_after if retry_after is not None or kind == "429" else 1
        headers = (("Retry-After", str(wait)),) if wait is not None else ()
        body = api_error(
            429, "TOO_MANY_REQUESTS", SHORT_THROTTLE_MESSAGE, service_error_code=101, headers=headers
        )
        return _tag(body, kind)
    if kind == "429-data":
        headers = (("Retry-After", str(retry_after)),) if retry_after is not None else ()
        return _tag(api_error(429, "TOO_MANY_REQUESTS", DATA_THROTTLE_MESSAGE, headers=headers), kind)
    return None


def _tag(response: Response, kind: str) -> Response:
    return Response(response.status, response.body, response.content_type, response.headers, fault=kind)
