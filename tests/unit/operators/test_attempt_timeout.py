"""``attempt_timeout`` on the report operators: validated at parse time, handed to the hook."""

from __future__ import annotations

import pytest

from airflow_provider_linkedin_ads.errors import ConfigurationError
from tests.unit.operators.test_ad_analytics import analytics, revenue, statistics


@pytest.mark.parametrize("build", [analytics, statistics, revenue])
def test_attempt_timeout_reaches_the_hook(build):
    op = build(attempt_timeout=45)
    assert op.attempt_timeout == 45.0
    assert op.hook.attempt_timeout == 45.0


def test_attempt_timeout_defaults_to_the_connection():
    assert analytics().hook.attempt_timeout is None


@pytest.mark.parametrize("bad", [0, -1, "60", True, float("inf")])
def test_a_bad_attempt_timeout_fails_at_parse_time(bad):
    with pytest.raises(ConfigurationError) as raised:
        analytics(attempt_timeout=bad)
    assert raised.value.argument == "attempt_timeout"
