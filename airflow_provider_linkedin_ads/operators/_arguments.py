"""Argument checks of the report operators: at DAG parse time for literal values, at run time once rendered.

Templated arguments arrive in ``__init__`` as whatever the DAG author wrote: a literal, a Jinja
string or an ``XComArg``/mapped argument that Airflow resolves later. Only literals can be checked
at parse time (:func:`is_literal`); everything is checked again, rendered, in ``execute`` before
any call. No function here does I/O.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import logging
import pathlib
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import ObjectStoragePath

from airflow_provider_linkedin_ads.client.writers import FORMATS
from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.errors import ConfigurationError, ReportValidationError
from airflow_provider_linkedin_ads.models import ReportRequest
from airflow_provider_linkedin_ads.validation import validate_request
from airflow_provider_linkedin_ads.versions import parse_version

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

__all__ = [
    "argument_named",
    "check_api_version",
    "check_attempt_timeout",
    "check_choice",
    "check_flag",
    "check_output_format",
    "check_output_path",
    "check_static_request",
    "check_time_granularity",
    "check_whole",
    "is_literal",
    "optional_text",
    "required_pivots",
    "text_list",
]

_JINJA_MARKERS = ("{{", "{%", "{#")
#: Rules that depend only on the finder, pivots, metrics and granularity: safe to check at parse time.
_STATIC_ARGUMENTS = frozenset({"pivots", "metrics", "time_granularity"})
#: A version newer than any gate, so parse-time checks never fail on the connection's version.
_ANY_VERSION = "999912"

# Validation warnings are not wanted at parse time (the run logs them); this logger swallows them.
# (A handler and no propagation: logging.config resets ``disabled`` but leaves these alone.)
_SILENT = logging.getLogger("airflow_provider_linkedin_ads.parse_time")
_SILENT.addHandler(logging.NullHandler())
_SILENT.propagate = False


def is_literal(value: object) -> bool:
    """Tell whether ``value`` is final as written: no Jinja, no ``XComArg``, no mapped argument."""
    if isinstance(value, str):
        return not any(marker in value for marker in _JINJA_MARKERS)
    if value is None or isinstance(value, int | dt.date):
        return True
    if isinstance(value, list | tuple):
        return all(is_literal(item) for item in value)
    return False


def check_flag(value: object, *, argument: str) -> bool:
    """Return ``value`` if it is a bool.

    :raises ConfigurationError: naming ``argument`` otherwise (``"true"`` is not a flag).
    """
    if not isinstance(value, bool):
        raise ConfigurationError(f"{argument} must be True or False, got {value!r}", argument=argument)
    return value


def check_whole(value: object, *, argument: str, minimum: int) -> int:
    """Return ``value`` if it is an int (not a bool) of at least ``minimum``.

    :raises ConfigurationError: naming ``argument`` otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigurationError(
            f"{argument} must be a whole number >= {minimum}, got {value!r}", argument=argument
        )
    return value


def check_attempt_timeout(value: object) -> float | None:
    """Return ``attempt_timeout`` as seconds (``None``: the connection's or the default).

    :raises ConfigurationError: naming ``attempt_timeout`` unless a positive finite number.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < float("inf"):
        raise ConfigurationError(
            f"attempt_timeout must be a positive number of seconds, got {value!r}", argument="attempt_timeout"
        )
    return float(value)


def check_choice(value: object, choices: Collection[str], *, argument: str) -> str:
    """Return ``value`` upper-cased if it is one of ``choices`` (compared case-insensitively).

    :raises ConfigurationError: naming ``argument`` and the choices otherwise.
    """
    text = value.strip().upper() if isinstance(value, str) else None
    if text not in {choice.upper() for choice in choices}:
        raise ConfigurationError(
            f"{argument} must be one of {', '.join(choices)}, got {value!r}", argument=argument
        )
    assert text is not None
    return text


def check_output_format(value: object) -> str:
    """Return the output format in lower case: ``jsonl``, ``csv`` or ``parquet``.

    :raises ConfigurationError: naming ``output_format`` otherwise.
    """
    return check_choice(value, FORMATS, argument="output_format").lower()


def check_output_path(value: object) -> Any:
    """Return ``output_path`` as the operator keeps it: a string (templated), ``None`` or a run-time value.

    An ``ObjectStoragePath`` becomes its URI (with the connection id it carries in the userinfo,
    ``s3://aws_default@bucket/key``) and a ``pathlib`` path its absolute file name, so both are
    templated exactly like strings (``BASE / "x/{{ ds }}.jsonl"`` renders ``{{ ds }}``) on every
    Airflow line. ``XComArg`` and other values Airflow resolves at run time pass through unchanged;
    they are checked once rendered.

    :raises ConfigurationError: naming ``output_path`` for a relative ``pathlib`` path or a value of
        another type (a number, a list ...), when the DAG is parsed.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, ObjectStoragePath):
        return str(value)
    if isinstance(value, pathlib.PurePath):
        if not value.is_absolute():
            raise ConfigurationError(
                f"output_path must be an absolute path or a URI (file:///..., s3://...), got {str(value)!r}",
                argument="output_path",
            )
        return value.as_posix()
    if callable(getattr(value, "resolve", None)):
        return value  # an XComArg (what Airflow's templater resolves): checked once rendered
    raise ConfigurationError(
        "output_path must be a URI string, an ObjectStoragePath or an absolute pathlib.Path, got "
        f"{type(value).__name__}",
        argument="output_path",
    )


def check_api_version(value: object) -> str | None:
    """Return a ``LinkedIn-Version`` (``YYYYMM`` or ``YYYYMM.RR``, a real month) or ``None``.

    :raises ConfigurationError: naming ``api_version`` for anything else.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError(
            f"api_version must look like YYYYMM (e.g. 202608), got {value!r}", argument="api_version"
        )
    parse_version(value.strip())
    return value.strip()


@contextlib.contextmanager
def argument_named(argument: str, *, instead_of: str) -> Iterator[None]:
    """Re-raise configuration errors about ``instead_of`` as errors about ``argument``.

    The request model calls the pivots ``pivots``; the analytics operator's argument is ``pivot``,
    and its errors must name what the DAG author wrote. Type, rule and cause are kept.
    """
    try:
        yield
    except ConfigurationError as err:
        if err.argument != instead_of or argument == instead_of:
            raise
        message = str(err)
        if message.startswith(f"{instead_of}:"):
            message = argument + message[len(instead_of) :]
        if isinstance(err, ReportValidationError):
            raise ReportValidationError(message, argument=argument, rule=err.rule) from err
        raise ConfigurationError(message, argument=argument) from err


def required_pivots(value: Any, kwargs: dict[str, Any], *, operator: str, expected: str) -> Any:
    """Return the operator's pivot argument ``value``; refuse a missing one or the other operators' name.

    ``q=analytics`` takes exactly one pivot (``pivot=``), ``q=statistics`` and the revenue finder
    one to three (``pivots=[...]``); without this, a swapped name surfaces as Airflow's generic
    ``TypeError`` about an unexpected keyword argument.

    :raises ConfigurationError: naming the argument given and the one to use instead, or the missing one.
    """
    wrong = "pivots" if expected == "pivot" else "pivot"
    if wrong not in kwargs:
        if value is None:
            raise ConfigurationError(f"{operator}: {expected} is required", argument=expected)
        return value
    if expected == "pivot":
        advice = (
            f"{operator} runs q=analytics, which takes exactly one pivot: pivot='CAMPAIGN'. For one to "
            "three pivots in one report use LinkedInAdsStatisticsOperator(pivots=[...])"
        )
    else:
        advice = f"{operator} takes a list of pivots: pivots=[{kwargs[wrong]!r}]"
    raise ConfigurationError(f"{wrong}: unexpected argument; {advice}", argument=wrong)


def optional_text(value: object, *, argument: str) -> str | None:
    """Return a rendered string argument stripped, ``None`` for ``None``/empty/``"None"``.

    :raises ConfigurationError: naming ``argument`` for a non-string.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError(
            f"{argument} must be a string, got {type(value).__name__}", argument=argument
        )
    text = value.strip()
    return None if text in ("", "None") else text


def text_list(value: object, *, argument: str) -> list[Any]:
    """Return a rendered list argument as a list of its items (ids, URNs, names).

    Accepts a list or tuple, a single id or name, ``None``/``""`` (empty), and the strings Jinja
    makes of lists: ``"[508000000, 508000001]"``, ``"['CAMPAIGN', 'CREATIVE']"`` or ``"a, b"``.

    :raises ConfigurationError: naming ``argument`` for anything else.
    """
    if value is None:
        return []
    if isinstance(value, bool):
        raise ConfigurationError(f"{argument}: expected ids or names, got {value!r}", argument=argument)
    if isinstance(value, int):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if not (isinstance(item, str) and not item.strip())]
    if not isinstance(value, str):
        raise ConfigurationError(
            f"{argument}: expected a list of ids or names, got {type(value).__name__}", argument=argument
        )
    text = value.strip()
    if text.startswith(("[", "(")):
        return text_list(_literal_list(text, argument), argument=argument)
    return [part.strip() for part in text.split(",") if part.strip()]


def _literal_list(text: str, argument: str) -> list[Any]:
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        parsed = None
    if not isinstance(parsed, list | tuple):
        raise ConfigurationError(
            f"{argument}: {text[:60]!r} is not a list of ids or names", argument=argument
        )
    return list(parsed)


def check_static_request(
    *,
    finder: Finder,
    pivots: object,
    metrics: object,
    time_granularity: str | None,
    allow_unknown_names: bool,
    api_version: str | None,
) -> None:
    """Check the parse-time-knowable rules: pivot names and count, metric names and compatibility.

    Templated ``pivots``/``metrics`` are replaced by neutral stand-ins (``CAMPAIGN``,
    ``impressions``), so the other one is still checked. Date, facet and account rules need run-time
    values and are checked in ``execute``.

    :raises ReportValidationError: naming ``pivots``, ``metrics`` or ``time_granularity``.
    """
    literal_pivots = is_literal(pivots)
    literal_metrics = is_literal(metrics)
    if not literal_pivots and not literal_metrics:
        return
    revenue = finder is Finder.ATTRIBUTED_REVENUE
    today = dt.datetime.now(tz=dt.UTC).date()
    try:
        request = ReportRequest.build(
            finder=finder,
            pivots=text_list(pivots, argument="pivots") if literal_pivots else [Pivot.CAMPAIGN],
            # 30 complete days: valid for every finder (attributedRevenueMetrics needs 30 to 366).
            date_range=(today - dt.timedelta(days=31), today - dt.timedelta(days=2)),
            metrics=text_list(metrics, argument="metrics")
            if literal_metrics
            else ([] if revenue else ["impressions"]),
            time_granularity=None if revenue else time_granularity,
            facets={"account" if revenue else "accounts": [1]},
            allow_unknown_names=allow_unknown_names,
        )
        validate_request(request, api_version=api_version or _ANY_VERSION, today=today, logger=_SILENT)
    except ReportValidationError as err:
        if err.argument in _STATIC_ARGUMENTS:
            raise
    except ConfigurationError as err:
        if err.argument in _STATIC_ARGUMENTS:
            raise ReportValidationError(
                str(err), argument=err.argument or "pivots", rule="invalid_type"
            ) from err


def check_time_granularity(value: object) -> str:
    """Return a time granularity name (``DAILY``, ``MONTHLY``, ``YEARLY``, ``ALL``).

    :raises ConfigurationError: naming ``time_granularity`` otherwise.
    """
    return check_choice(value, list(TimeGranularity), argument="time_granularity")
