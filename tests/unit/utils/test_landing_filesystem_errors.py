"""The output_path error tells a universal-pathlib version mismatch apart from a missing filesystem.

Installed without Airflow's constraints, Airflow 3.0.6 gets a universal-pathlib it was not released
with, and ``ObjectStoragePath`` then fails inside upath even for ``file://``. Asking the user to
install ``s3fs`` for that would send them the wrong way, so the two causes get different messages.
The upath failure is raised from code whose module is ``upath.core`` (where upath raises it), not
by faking message text: the provider decides by where an error came from, never by what it says.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.utils.landing import AtomicLanding, _no_filesystem


def _raised_in(module: str, source: str) -> Exception:
    """Run ``source`` (which must raise) as if it were code of ``module``; return what it raised."""
    namespace: dict[str, Any] = {"__name__": module}
    exec(compile(source, f"<{module}>", "exec"), namespace)
    try:
        namespace["boom"]()
    except Exception as err:
        return err
    raise AssertionError("boom() did not raise")


# upath 0.3 under Airflow 3.0: `_IncompatibleProtocolError(TypeError, ValueError)` from upath.core.
UPATH_INCOMPATIBLE = (
    "class IncompatibleProtocolError(TypeError, ValueError):\n    pass\n"
    "def boom():\n    raise IncompatibleProtocolError('detected protocol s3 which is incompatible')\n"
)
UPATH_UNSUPPORTED = "def boom():\n    raise ValueError('Unsupported filesystem: zz')\n"
UPATH_IMPORT = "def boom():\n    raise ImportError('cannot import name _Flavour', name='upath._flavour')\n"
FSSPEC_MISSING = "def boom():\n    raise ImportError('Install s3fs to access S3')\n"


def _mismatch(error: ConfigurationError) -> bool:
    return "not a missing package" in str(error) and "universal-pathlib" in str(error)


def test_a_failing_file_filesystem_is_reported_as_a_version_mismatch_with_both_versions() -> None:
    error = _no_filesystem("file:///data/linkedin/x.jsonl", ValueError("incompatible with ObjectStoragePath"))
    assert isinstance(error, ConfigurationError)
    assert error.argument == "output_path"
    assert _mismatch(error)
    assert "s3fs" not in str(error)
    assert f"universal-pathlib {importlib.metadata.version('universal-pathlib')}" in str(error)
    airflow = importlib.metadata.version("apache-airflow")
    assert f"apache-airflow {airflow}" in str(error)
    assert f"constraints-{airflow}/constraints-3." in str(error)


def test_an_error_raised_inside_upath_is_a_version_mismatch_for_any_scheme() -> None:
    cause = _raised_in("upath.core", UPATH_INCOMPATIBLE)
    error = _no_filesystem("s3://aws_default@bucket/x.jsonl", cause)
    assert _mismatch(error)
    assert "'s3://bucket/x.jsonl'" in str(error)  # the connection id in the URI is not repeated


def test_an_upath_error_wrapped_by_airflow_is_still_a_version_mismatch() -> None:
    wrapper = "def boom():\n    raise ValueError('could not create ObjectStoragePath') from CAUSE\n"
    namespace: dict[str, Any] = {
        "__name__": "airflow.sdk.io.path",
        "CAUSE": _raised_in("upath.core", UPATH_INCOMPATIBLE),
    }
    exec(compile(wrapper, "<airflow>", "exec"), namespace)
    with pytest.raises(ValueError) as info:
        namespace["boom"]()
    assert _mismatch(_no_filesystem("gs://bucket/x.jsonl", info.value))


def test_upath_failing_to_import_its_own_parts_is_a_version_mismatch() -> None:
    assert _mismatch(_no_filesystem("s3://bucket/x.jsonl", _raised_in("airflow.sdk.io.path", UPATH_IMPORT)))


def test_upaths_own_unknown_scheme_answer_asks_for_the_package() -> None:
    error = _no_filesystem("zz://bucket/x.jsonl", _raised_in("upath.core", UPATH_UNSUPPORTED))
    assert not _mismatch(error)
    assert "install the provider and package that serve it" in str(error)


def test_a_missing_package_surfacing_through_upath_asks_for_the_package() -> None:
    # fsspec raises it (innermost frame); upath's frames merely sit between the caller and fsspec.
    fsspec = _raised_in("fsspec.registry", FSSPEC_MISSING)
    error = _no_filesystem("s3://bucket/x.jsonl", fsspec)
    assert not _mismatch(error)
    assert "apache-airflow-providers-amazon[s3fs]" in str(error)


def test_an_unknown_scheme_from_airflow_itself_asks_for_the_package() -> None:
    # Airflow 3 refuses the scheme at construction, 2.11 when the file is opened.
    with (
        pytest.raises(ConfigurationError) as info,
        AtomicLanding("zz://bucket/linkedin/x.jsonl").open() as handle,
    ):
        handle.write(b"never written")
    assert info.value.argument == "output_path"
    assert not _mismatch(info.value)
    assert "install the provider and package that serve it" in str(info.value)
