"""The bad-input corpus: its case type, the harness every case runs in, and the shared helpers.

A :class:`BadInput` names the surface it enters through (operator constructor, operator ``execute``
with rendered templates, sensor, hook method, hook configuration, connection), what to do, and the
argument the error must name. The cases themselves live in :mod:`tests.reliability.bad_inputs_operators`
and :mod:`tests.reliability.bad_inputs_access`; :data:`CORPUS` gathers them.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import pytest

    from airflow_provider_linkedin_ads.testing import EmulatorServer

__all__ = ["BAD_CONN_ID", "BadInput", "Probe", "bounded"]

#: The connection id the connection cases write their bad connection under.
BAD_CONN_ID = "linkedin_ads_bad"
#: A run's logical date inside the emulator's world (its clock reads 2026-11-28 12:00 UTC).
LOGICAL_DATE = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


@dataclass(frozen=True)
class BadInput:
    """One bad input and what must come of it.

    :param surface: where it enters: ``operator``, ``operator-execute``, ``sensor``, ``hook``,
        ``hook-config`` or ``connection``.
    :param name: a short id.
    :param action: does the thing; it must raise.
    :param argument: the argument (or connection field, or LinkedIn parameter) the error must name.
    :param reaches_api: the input is well-formed but LinkedIn refuses it: the call goes out, with a
        query that must still parse, and the answer is the typed API error.
    :param mentions: more text the message must contain (the missing field, say).
    """

    surface: str
    name: str
    action: Callable[[Probe], object] = field(repr=False)
    argument: str
    reaches_api: bool = False
    mentions: str = ""

    @property
    def id(self) -> str:
        return f"{self.surface}-{self.name}"


@dataclass
class Probe:
    """What a case runs against: the emulator (its connection is the default one) and a folder."""

    server: EmulatorServer
    account: int
    out: Path
    monkeypatch: pytest.MonkeyPatch

    def context(self, **params: Any) -> dict[str, Any]:
        """A task context of a run with logical date 2026-11-27 and these ``params``."""
        return {
            "params": params,
            "ds": LOGICAL_DATE.date().isoformat(),
            "logical_date": LOGICAL_DATE,
            "data_interval_start": LOGICAL_DATE,
            "data_interval_end": LOGICAL_DATE + dt.timedelta(days=1),
        }

    def bad_connection(self, *, extra: object = None, **fields: Any) -> str:
        """Store a ``linkedin_ads`` connection under :data:`BAD_CONN_ID` and return that id.

        :param extra: the extra as stored (a dict is stored as JSON text, a str as it is).
        :param fields: ``login``/``password``; by default the emulator's client id and secret.
        """
        config = self.server.config
        connection = {
            "conn_type": "linkedin_ads",
            "login": fields.get("login", config.client_id),
            "password": fields.get("password", config.client_secret),
            "extra": json.dumps(extra) if isinstance(extra, dict | list) else extra,
        }
        self.monkeypatch.setenv(f"AIRFLOW_CONN_{BAD_CONN_ID.upper()}", json.dumps(connection))
        return BAD_CONN_ID

    def good_extra(self, **changes: Any) -> dict[str, Any]:
        """The extras of a working connection to the emulator, with ``changes`` applied."""
        extra = {
            "refresh_token": self.server.config.refresh_token,
            "api_version": "202609",
            "api_base_url": self.server.api_base_url,
            "oauth_url": self.server.token_url,
        }
        extra.update(changes)
        return {key: value for key, value in extra.items() if value is not None}


class _Hang(BaseException):
    """Raised into a case that runs past its time limit (a BaseException: nothing may swallow it)."""


def bounded(action: Callable[[], object], seconds: float) -> tuple[bool, BaseException | None]:
    """Run ``action`` in this (the main) thread, interrupting it after ``seconds`` with a timer signal.

    The main thread, not a helper thread: operators must run where Airflow runs them (Airflow 2's
    executor safeguard keeps per-thread state).

    :returns: ``(finished, error)``: ``finished`` is False when it hung; ``error`` is what it raised.
    """

    def interrupt(signum: int, frame: object) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        action()
    except _Hang:
        return False, None
    except BaseException as err:  # what it raises is the point of the test
        return True, err
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return True, None
