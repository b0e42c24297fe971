"""The installed Airflow version, and the one place that decides every Airflow 2-vs-3 difference.

Only the Airflow adapters (``hooks``, ``operators``, ``sensors``, ``triggers``, ``utils``) import this
module. Symbols that exist on both lines under different paths (``BaseHook``, ``BaseOperator``,
``BaseSensorOperator``, ``conf``, ``mask_secret``, ``ObjectStoragePath``, ``Asset``, ``Context``, the
task exceptions ...) are imported from ``airflow.providers.common.compat.sdk``, which resolves them
lazily to ``airflow.sdk`` on Airflow 3 and to the old core paths on 2.11, without touching the paths
that emit ``DeprecatedImportWarning`` on 3.3. Choices that compat layer does not make are made here.

Like the official providers, this package carries its own copy instead of importing another
provider's ``version_compat``.

.. code-block:: python

    from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

    if AIRFLOW_V_3_0_PLUS:
        ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from packaging.version import Version

if TYPE_CHECKING:
    from airflow.triggers.base import BaseTrigger

__all__ = [
    "AIRFLOW_VERSION",
    "AIRFLOW_V_3_0_PLUS",
    "AIRFLOW_V_3_1_PLUS",
    "AIRFLOW_V_3_2_PLUS",
    "AIRFLOW_V_3_3_PLUS",
    "DECLARATIVE_CONNECTION_FORM",
    "MIN_AIRFLOW_VERSION",
    "check_airflow_version",
    "datetime_trigger_class",
    "get_base_airflow_version_tuple",
]

#: The oldest Airflow this provider supports (the floor of ``apache-airflow>=2.11.0``).
MIN_AIRFLOW_VERSION: tuple[int, int, int] = (2, 11, 0)


def get_base_airflow_version_tuple() -> tuple[int, int, int]:
    """Return the installed Airflow version as ``(major, minor, micro)``, pre-release tags dropped.

    ``3.4.0.dev0`` and ``3.4.0rc1`` count as ``(3, 4, 0)``, so flags light up for release candidates.
    """
    from airflow import __version__

    version = Version(__version__)
    return version.major, version.minor, version.micro


def check_airflow_version(version: tuple[int, int, int]) -> None:
    """Refuse to run on an Airflow older than :data:`MIN_AIRFLOW_VERSION`.

    :param version: the installed version as ``(major, minor, micro)``.
    :raises RuntimeError: below the minimum, naming both versions (what the official providers raise).
    """
    if version < MIN_AIRFLOW_VERSION:
        found = ".".join(map(str, version))
        needed = ".".join(map(str, MIN_AIRFLOW_VERSION))
        raise RuntimeError(
            f"The package airflow-provider-linkedin-ads needs Apache Airflow {needed}+ (found {found})."
        )


AIRFLOW_VERSION: tuple[int, int, int] = get_base_airflow_version_tuple()
check_airflow_version(AIRFLOW_VERSION)

AIRFLOW_V_3_0_PLUS: bool = AIRFLOW_VERSION >= (3, 0, 0)
AIRFLOW_V_3_1_PLUS: bool = AIRFLOW_VERSION >= (3, 1, 0)
AIRFLOW_V_3_2_PLUS: bool = AIRFLOW_VERSION >= (3, 2, 0)
AIRFLOW_V_3_3_PLUS: bool = AIRFLOW_VERSION >= (3, 3, 0)

#: Airflow 3.2+ builds the connection form from ``conn-fields``/``ui-field-behaviour`` in the provider
#: info without importing the hook; older versions call the hook's legacy widget classmethods.
DECLARATIVE_CONNECTION_FORM: bool = AIRFLOW_V_3_2_PLUS


def datetime_trigger_class() -> type[BaseTrigger]:
    """Return Airflow's ``DateTimeTrigger`` for the installed line, imported on first use.

    Airflow 3 ships it in the standard provider; 2.11 in core (whose 3.x shim warns). common-compat
    maps only ``TimeDeltaTrigger``, so the choice for ``DateTimeTrigger`` is made here.
    """
    if AIRFLOW_V_3_0_PLUS:
        from airflow.providers.standard.triggers.temporal import (  # type: ignore[import-not-found,unused-ignore]
            DateTimeTrigger,
        )
    else:
        from airflow.triggers.temporal import DateTimeTrigger  # type: ignore[no-redef,import-not-found,unused-ignore]
    return cast("type[BaseTrigger]", DateTimeTrigger)
