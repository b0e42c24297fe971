"""Every bad input is refused with the project's own error naming the argument, before any call.

The corpus (:mod:`tests.reliability.bad_inputs_operators`, :mod:`tests.reliability.bad_inputs_access`)
enters through operators (constructor and ``execute`` with rendered templates), the sensor, the hook
(methods and configuration) and the connection. For each input:

* the error is a :class:`~airflow_provider_linkedin_ads.errors.LinkedInAdsError` (never a library's);
* it names the offending argument: ``.argument`` when the type has one, and in the message;
* nothing is sent when the input is static (the emulator's request log stays empty); inputs that
  only LinkedIn can judge reach it with a query that still parses, and come back as ``APIError``;
* it never hangs (a per-case time limit), and the message stays readable (bounded length).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from airflow_provider_linkedin_ads.errors import APIError, LinkedInAdsError
from airflow_provider_linkedin_ads.restli import parse_query
from airflow_provider_linkedin_ads.testing import EmulatorServer
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.pytest_plugin import connection_json
from tests.reliability.bad_inputs import BadInput, Probe, bounded
from tests.reliability.bad_inputs_access import ACCESS_CASES
from tests.reliability.bad_inputs_operators import OPERATOR_CASES
from tests.reliability.figures import FIGURES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from airflow_provider_linkedin_ads.testing import World

pytestmark = [
    # Airflow 2.11 warns (RemovedInAirflow3Warning) when it loads a connection whose extra is not a
    # JSON object; the warnings are Airflow's, and such extras are exactly what these cases feed it.
    pytest.mark.filterwarnings("ignore:Encountered non-JSON in `extra` field"),
    pytest.mark.filterwarnings(
        "ignore:Encountered JSON value in `extra` which does not parse as a dictionary"
    ),
]

CORPUS: list[BadInput] = [*OPERATOR_CASES, *ACCESS_CASES]
#: Seconds a case may take; every one needs well under a second.
TIME_LIMIT = 30.0
#: A message longer than this echoes the input instead of explaining it.
MESSAGE_LIMIT = 2_000


def test_the_corpus_is_large_and_covers_every_surface() -> None:
    assert len(CORPUS) >= 150
    assert len({case.id for case in CORPUS}) == len(CORPUS)
    assert {case.surface for case in CORPUS} == {
        "operator",
        "operator-execute",
        "sensor",
        "hook",
        "hook-config",
        "connection",
    }


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[EmulatorServer]:
    with EmulatorServer(world=world) as emulator:
        yield emulator


@pytest.fixture
def probe(server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Probe]:
    from airflow_provider_linkedin_ads.operators import _base

    server.reset()
    monkeypatch.setenv("AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT", connection_json(server))
    monkeypatch.setattr(_base, "utcnow", server.clock.now)
    account = min(server.world.accounts_for_member(DEFAULT_MEMBER))
    yield Probe(server, account, tmp_path / "out", monkeypatch)
    server.check()


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_bad_input_is_refused_naming_the_argument(case: BadInput, probe: Probe) -> None:
    rejected = False
    try:
        check(case, probe)
        rejected = True
    finally:
        FIGURES.bad_input(case.surface, rejected=rejected, reached_api=case.reaches_api)


def check(case: BadInput, probe: Probe) -> None:
    finished, error = bounded(lambda: case.action(probe), TIME_LIMIT)
    assert finished, f"hung for {TIME_LIMIT} s"
    assert error is not None, "accepted"
    if not isinstance(error, LinkedInAdsError):
        raise AssertionError(
            f"not the project's error: {type(error).__module__}.{type(error).__name__}"
        ) from error
    message = str(error)
    assert case.argument in message, message
    assert case.mentions in message, message
    if hasattr(error, "argument"):
        assert error.argument == case.argument, message
    assert len(message) <= MESSAGE_LIMIT, f"{len(message)} characters"
    sent = probe.server.requests
    if not case.reaches_api:
        assert sent == [], f"{len(sent)} request(s) sent for a static input: {sent[0].path}"
        return
    assert isinstance(error, APIError), message
    api_calls = [record for record in sent if record.path.startswith("/rest/")]
    assert api_calls
    for record in api_calls:
        parse_query(record.query)  # the query LinkedIn got is well-formed Rest.li
    assert not list(probe.out.glob("*")) if probe.out.exists() else True
