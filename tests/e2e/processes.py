"""Start, watch and stop the e2e test's processes: each in its own process group, all accounted for.

Every process is started in a new session (its own process group), so stopping it signals exactly
that group and nothing else on the machine. Airflow's task runner moves each task process into a
group of its own (so a task's subprocesses can be stopped together); those processes are found by
walking the started processes' descendants, which :meth:`Processes.snapshot` records (pid and start
time, so a reused pid is never mistaken for ours). :meth:`Processes.leaked` then names every
recorded process still alive after :meth:`Processes.stop_all`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import psutil

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Launched", "Processes", "free_port"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Launched:
    """One started process (the leader of its own process group) and its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    stop_signal: signal.Signals = signal.SIGTERM

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])


@dataclass
class Processes:
    """The processes one test started, and every descendant seen while they ran."""

    logs: Path
    started: list[Launched] = field(default_factory=list)
    seen: dict[int, tuple[float, str]] = field(default_factory=dict)  # pid -> (create time, name)

    def start(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str],
        *,
        user: int | None = None,
        group: int | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> Launched:
        """Start ``argv`` in a new session, output to ``<logs>/<name>.log``."""
        log = self.logs / f"{name}.log"
        with log.open("ab") as sink:
            popen = subprocess.Popen(
                argv,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=user,
                group=group,
                extra_groups=None if user is None else [],  # drop root's supplementary groups too
            )
        launched = Launched(name, popen, log, stop_signal)
        self.started.append(launched)
        self.snapshot()
        return launched

    def exited(self) -> list[str]:
        """The names of the started processes that have ended (a live deployment should have none)."""
        return [launched.name for launched in self.started if launched.popen.poll() is not None]

    def by_name(self, name: str) -> Launched:
        (launched,) = [item for item in self.started if item.name == name]
        return launched

    def snapshot(self) -> None:
        """Record every live process started here and all their descendants."""
        for launched in self.started:
            with contextlib.suppress(psutil.Error):
                leader = psutil.Process(launched.pid)
                for process in [leader, *leader.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        self.seen.setdefault(process.pid, (process.create_time(), launched.name))

    def tree(self, launched: Launched) -> list[psutil.Process]:
        """The live process and its descendants (including those in other process groups)."""
        try:
            leader = psutil.Process(launched.pid)
            return [leader, *leader.children(recursive=True)]
        except psutil.Error:
            return []

    def kill_tree(self, launched: Launched) -> list[int]:
        """SIGKILL the process's group and the group of every descendant, at once; return the pids.

        What ``docker kill`` does to a container: nothing of it survives to clean up.
        """
        self.snapshot()
        members = self.tree(launched)
        groups = {launched.pid}
        for process in members:
            with contextlib.suppress(psutil.Error, ProcessLookupError):
                groups.add(os.getpgid(process.pid))
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        launched.popen.wait(timeout=30)
        psutil.wait_procs(members, timeout=15)
        return [process.pid for process in members]

    def stop(self, names: list[str] | None = None, *, timeout: float = 20.0) -> None:
        """Stop the named processes (default all, newest first): signal their groups, then SIGKILL."""
        self.snapshot()
        targets = [item for item in reversed(self.started) if names is None or item.name in names]
        for launched in targets:
            if launched.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(launched.pid, launched.stop_signal)
        deadline = time.monotonic() + timeout
        for launched in targets:
            try:
                launched.popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(launched.pid, signal.SIGKILL)
                launched.popen.wait(timeout=15)
        self._kill_stragglers({launched.name for launched in targets})

    def _kill_stragglers(self, names: set[str]) -> None:
        """SIGKILL recorded descendants of ``names`` that outlived their group (own process group)."""
        stragglers = []
        for pid, (created, name) in self.seen.items():
            if name in names and (process := _alive(pid, created)) is not None:
                with contextlib.suppress(psutil.Error):
                    process.kill()
                    stragglers.append(process)
        psutil.wait_procs(stragglers, timeout=15)

    def leaked(self) -> list[str]:
        """Describe every recorded process that is still alive."""
        alive = []
        for pid, (created, name) in sorted(self.seen.items()):
            process = _alive(pid, created)
            if process is not None:
                with contextlib.suppress(psutil.Error):
                    alive.append(f"{pid} ({name}): {' '.join(process.cmdline())[:120]}")
        return alive

    def tails(self) -> str:
        return "\n".join(launched.tail() for launched in self.started)


def _alive(pid: int, created: float) -> psutil.Process | None:
    try:
        process = psutil.Process(pid)
        if process.create_time() != created or process.status() == psutil.STATUS_ZOMBIE:
            return None
    except psutil.Error:
        return None
    return process
