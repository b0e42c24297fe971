"""The figures the reliability suite measures, collected over the session and printed at its end.

One module-level :data:`FIGURES` (imported by the tests and by ``conftest.py``'s
``pytest_terminal_summary``), so a run of ``pytest`` ends with a "Reliability figures" block: faults
survived by kind, retries, calls, rows and mismatches of the seeded fault runs; bad inputs rejected
per surface; places scanned for secrets and secrets leaked.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["FIGURES", "Figures"]


@dataclass
class Figures:
    """Counters filled by the tests (thread-safe enough: the suite runs tests one at a time)."""

    fault_runs: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    calls: int = 0
    rows: int = 0
    mismatches: int = 0
    bad_inputs: dict[str, list[int]] = field(default_factory=dict)
    bad_inputs_reaching_api: int = 0
    secret_places: set[str] = field(default_factory=set)
    secrets_leaked: int = 0
    scenarios: list[str] = field(default_factory=list)
    fuzz_examples: Counter[str] = field(default_factory=Counter)
    hostile: dict[str, list[int]] = field(default_factory=dict)
    files_replaced: int = 0
    bounded: list[str] = field(default_factory=list)
    never_wrong: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fault_run(
        self, *, faults: Counter[str], retries: int, calls: int, rows: int, identical: bool
    ) -> None:
        """Record one faulted report run compared with the fault-free one."""
        with self._lock:
            self.fault_runs += 1
            self.faults.update(faults)
            self.retries += retries
            self.calls += calls
            self.rows += rows
            self.mismatches += int(not identical)

    def bad_input(self, surface: str, *, rejected: bool, reached_api: bool = False) -> None:
        """Record one bad input of ``surface`` and whether it was rejected as it must be."""
        with self._lock:
            counts = self.bad_inputs.setdefault(surface, [0, 0])
            counts[0] += int(rejected)
            counts[1] += 1
            self.bad_inputs_reaching_api += int(reached_api and rejected)

    def secrets_scanned(self, places: list[str], *, leaked: int) -> None:
        """Record the places scanned for canary secrets and how many leaks were found."""
        with self._lock:
            self.secret_places.update(places)
            self.secrets_leaked += leaked

    def scenario(self, line: str) -> None:
        """Record the outcome of one scenario (token expiry, SIGTERM, budget ...), as one line."""
        with self._lock:
            self.scenarios.append(line)

    def never_wrong_file(self, line: str) -> None:
        """Record one figure of the "never a wrong file" block (CSV, writers, paths, inputs, reconcile)."""
        with self._lock:
            self.never_wrong.append(line)

    def fuzzed(self, target: str, examples: int = 1) -> None:
        """Count fuzz examples run against ``target``."""
        with self._lock:
            self.fuzz_examples[target] += examples

    def hostile_answer(self, kind: str, *, refused: bool) -> None:
        """Record one hostile answer of ``kind`` and whether it failed with the provider's error."""
        with self._lock:
            counts = self.hostile.setdefault(kind, [0, 0])
            counts[0] += int(refused)
            counts[1] += 1

    def file_replaced(self, replaced: bool) -> None:
        """Record whether a failed run replaced the previous file (it never may)."""
        with self._lock:
            self.files_replaced += int(replaced)

    def bounded_wait(self, line: str) -> None:
        """Record one bounded-wait case as a line (what was bounded, by what, what happened)."""
        with self._lock:
            self.bounded.append(line)

    def lines(self) -> list[str]:
        """The printed block, one figure per line; empty when no reliability test ran."""
        out: list[str] = []
        if self.fault_runs:
            kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.faults.items()))
            out += [
                f"faulted report runs: {self.fault_runs} (seeded 20% fault rate), each compared byte for byte",
                f"  faults survived: {sum(self.faults.values())} ({kinds})",
                f"  calls: {self.calls}, retries: {self.retries}, rows: {self.rows}, mismatches: {self.mismatches}",
            ]
        out += [f"scenario: {line}" for line in self.scenarios]
        if self.bad_inputs:
            rejected = sum(counts[0] for counts in self.bad_inputs.values())
            total = sum(counts[1] for counts in self.bad_inputs.values())
            by_surface = ", ".join(
                f"{name} {ok}/{all_}" for name, (ok, all_) in sorted(self.bad_inputs.items())
            )
            out.append(f"bad inputs rejected: {rejected}/{total} ({by_surface})")
            out.append(
                f"  of which answered by the API with a well-formed query: {self.bad_inputs_reaching_api}"
            )
        if self.hostile:
            refused = sum(counts[0] for counts in self.hostile.values())
            total = sum(counts[1] for counts in self.hostile.values())
            kinds = ", ".join(f"{name} {ok}/{all_}" for name, (ok, all_) in sorted(self.hostile.items()))
            out.append(
                f"hostile answers: {total} cases -> {refused} failed with the provider's error ({kinds})"
            )
            out.append(f"  files replaced by a failed run: {self.files_replaced}")
        out += [f"bounded wait: {line}" for line in self.bounded]
        if self.never_wrong:
            out.append("never a wrong file (files, inputs, reconcile):")
            out += [f"  {line}" for line in self.never_wrong]
        if self.fuzz_examples:
            fuzz = ", ".join(f"{name} {count}" for name, count in sorted(self.fuzz_examples.items()))
            out.append(f"fuzz examples without a crash: {sum(self.fuzz_examples.values())} ({fuzz})")
        if self.secret_places:
            out.append(
                f"secrets leaked: {self.secrets_leaked} (places scanned: {', '.join(sorted(self.secret_places))})"
            )
        return out


FIGURES = Figures()
