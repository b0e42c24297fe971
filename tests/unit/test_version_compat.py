"""The installed-Airflow flags, the minimum-version guard and the 2-vs-3 choices."""

from __future__ import annotations

import warnings

import pytest
from airflow import __version__ as airflow_version
from packaging.version import Version

from airflow_provider_linkedin_ads import version_compat
from airflow_provider_linkedin_ads.version_compat import (
    AIRFLOW_V_3_0_PLUS,
    AIRFLOW_V_3_1_PLUS,
    AIRFLOW_V_3_2_PLUS,
    AIRFLOW_V_3_3_PLUS,
    AIRFLOW_VERSION,
    DECLARATIVE_CONNECTION_FORM,
    MIN_AIRFLOW_VERSION,
    check_airflow_version,
    datetime_trigger_class,
)


def test_version_tuple_is_the_installed_airflow():
    installed = Version(airflow_version)
    assert (installed.major, installed.minor, installed.micro) == AIRFLOW_VERSION
    assert version_compat.get_base_airflow_version_tuple() == AIRFLOW_VERSION


def test_flags_follow_the_version():
    assert (AIRFLOW_VERSION >= (3, 0, 0)) == AIRFLOW_V_3_0_PLUS
    assert (AIRFLOW_VERSION >= (3, 1, 0)) == AIRFLOW_V_3_1_PLUS
    assert (AIRFLOW_VERSION >= (3, 2, 0)) == AIRFLOW_V_3_2_PLUS
    assert (AIRFLOW_VERSION >= (3, 3, 0)) == AIRFLOW_V_3_3_PLUS
    assert DECLARATIVE_CONNECTION_FORM is AIRFLOW_V_3_2_PLUS
    # Monotone: a newer flag never holds without the older ones.
    assert sorted(
        [AIRFLOW_V_3_0_PLUS, AIRFLOW_V_3_1_PLUS, AIRFLOW_V_3_2_PLUS, AIRFLOW_V_3_3_PLUS], reverse=True
    ) == [AIRFLOW_V_3_0_PLUS, AIRFLOW_V_3_1_PLUS, AIRFLOW_V_3_2_PLUS, AIRFLOW_V_3_3_PLUS]


@pytest.mark.parametrize(
    "version",
    [
        pytest.param((2, 11, 0), id="floor"),
        pytest.param((2, 11, 2), id="2.11.2"),
        pytest.param((3, 0, 0), id="3.0"),
        pytest.param((3, 3, 2), id="3.3.2"),
    ],
)
def test_guard_accepts_supported_versions(version):
    check_airflow_version(version)


@pytest.mark.parametrize(
    "version",
    [pytest.param((2, 10, 5), id="2.10.5"), pytest.param((1, 10, 15), id="1.10")],
)
def test_guard_refuses_older_airflow(version):
    with pytest.raises(RuntimeError, match=r"2\.11\.0\+"):
        check_airflow_version(version)
    assert version < MIN_AIRFLOW_VERSION


def test_datetime_trigger_class_imports_without_deprecation_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trigger_class = datetime_trigger_class()
    assert trigger_class.__name__ == "DateTimeTrigger"
    expected_module = (
        "airflow.providers.standard.triggers.temporal" if AIRFLOW_V_3_0_PLUS else "airflow.triggers.temporal"
    )
    assert trigger_class.__module__ == expected_module
