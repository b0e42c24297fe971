"""AtomicLanding and the Asset/OpenLineage descriptions of a landed file (``file://``, no database)."""

from __future__ import annotations

import sys
import types

import pytest

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.results import Column, ColumnKind
from airflow_provider_linkedin_ads.utils.landing import (
    TEMP_MARKER,
    AtomicLanding,
    lineage_dataset_id,
    normalize_uri,
    openlineage_input,
    openlineage_output,
    public_uri,
    static_asset,
)


class Boom(Exception):
    pass


def names(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def write_and_fail(landing: AtomicLanding, error: BaseException, during=lambda: None) -> None:
    with landing.open() as handle:
        handle.write(b"half a report")
        during()
        raise error


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        pytest.param("file:///data/x.jsonl", "file:///data/x.jsonl", id="file-uri"),
        pytest.param(" s3://bucket/key.csv ", "s3://bucket/key.csv", id="s3-stripped"),
        pytest.param("/data/x.jsonl", "file:///data/x.jsonl", id="absolute-path"),
        pytest.param(
            "s3://aws_default@bucket/k.jsonl", "s3://aws_default@bucket/k.jsonl", id="conn-in-userinfo-kept"
        ),
    ],
)
def test_normalize_uri(uri, expected):
    assert normalize_uri(uri) == expected


@pytest.mark.parametrize(
    "uri",
    [
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
        pytest.param(42, id="int"),
        pytest.param("data/x.jsonl", id="relative"),
        pytest.param("s3://bucket/folder/", id="directory"),
    ],
)
def test_normalize_uri_rejects(uri):
    with pytest.raises(ConfigurationError) as info:
        normalize_uri(uri)
    assert info.value.argument == "output_path"


def test_success_moves_the_complete_file_into_place(tmp_path):
    landing = AtomicLanding(f"file://{tmp_path}/deep/er/report.jsonl")
    with landing.open() as handle:
        handle.write(b"one\n")
        # Mid-write: only a hidden temporary file beside the target exists.
        (temp,) = (tmp_path / "deep" / "er").iterdir()
        assert temp.name.startswith(".report.jsonl" + TEMP_MARKER)
        assert temp.name.endswith(".tmp")
        handle.write(b"two\n")
    assert names(tmp_path / "deep" / "er") == ["report.jsonl"]
    assert (tmp_path / "deep" / "er" / "report.jsonl").read_bytes() == b"one\ntwo\n"
    assert landing.size() == 8


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(Boom("API failed"), id="exception"),
        pytest.param(KeyboardInterrupt(), id="base-exception-stopped-task"),
    ],
)
def test_failure_leaves_the_previous_file_and_no_temporary_file(tmp_path, error):
    target = tmp_path / "report.jsonl"
    target.write_bytes(b"previous complete run\n")
    landing = AtomicLanding(f"file://{target}")
    with pytest.raises(type(error)):
        write_and_fail(landing, error)
    assert names(tmp_path) == ["report.jsonl"]
    assert target.read_bytes() == b"previous complete run\n"


def test_failure_on_first_run_leaves_nothing(tmp_path):
    landing = AtomicLanding(f"file://{tmp_path}/report.jsonl")
    with pytest.raises(Boom):
        write_and_fail(landing, Boom())
    assert names(tmp_path) == []


def test_rerun_replaces_the_file(tmp_path):
    for content in (b"first\n", b"second\n"):
        with AtomicLanding(f"file://{tmp_path}/report.jsonl").open() as handle:
            handle.write(content)
    assert names(tmp_path) == ["report.jsonl"]
    assert (tmp_path / "report.jsonl").read_bytes() == b"second\n"


def test_a_killed_tries_temporary_files_are_removed_by_the_next_try(tmp_path):
    stale = tmp_path / f".report.jsonl{TEMP_MARKER}0123456789abcdef.tmp"
    stale.write_bytes(b"left by a killed try")
    others = [
        tmp_path / f".other.jsonl{TEMP_MARKER}0123456789abcdef.tmp",  # another target's
        tmp_path / ".report.jsonl.partial",  # not ours
        tmp_path / "report.jsonl.bak",
    ]
    for path in others:
        path.write_bytes(b"x")
    landing = AtomicLanding(f"file://{tmp_path}/report.jsonl")
    assert [path.name for path in landing.stale_temps()] == [stale.name]
    with landing.open() as handle:
        handle.write(b"complete\n")
    assert names(tmp_path) == sorted([path.name for path in others] + ["report.jsonl"])


def test_discard_is_what_on_kill_calls_and_is_idempotent(tmp_path):
    landing = AtomicLanding(f"file://{tmp_path}/report.jsonl")
    landing.discard()  # nothing in progress: no error
    seen: list[list[str]] = []

    def killed() -> None:  # a kill arrives mid-write (on_kill, from another thread)
        landing.discard()
        seen.append(names(tmp_path))
        landing.discard()

    with pytest.raises(Boom):
        write_and_fail(landing, Boom(), during=killed)
    assert seen == [[]]
    assert names(tmp_path) == []


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        pytest.param("s3://aws_default@bucket/k.jsonl", "s3://bucket/k.jsonl", id="conn-id"),
        pytest.param(
            "s3://user:secret@bucket:9000/k.jsonl", "s3://bucket:9000/k.jsonl", id="user-password-port"
        ),
        pytest.param("file:///data/x.jsonl", "file:///data/x.jsonl", id="file"),
    ],
)
def test_public_uri(uri, expected):
    assert public_uri(uri) == expected


def test_public_uri_drops_the_connection_in_userinfo():
    landing = AtomicLanding("s3://aws_default@bucket/linkedin/report.jsonl")
    assert landing.public_uri == "s3://bucket/linkedin/report.jsonl"
    assert "aws_default" not in repr(landing)


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        pytest.param(
            "file:///data/linkedin/campaigns.jsonl", "file:///data/linkedin/campaigns.jsonl", id="file"
        ),
        pytest.param("/data/linkedin/campaigns.jsonl", "file:///data/linkedin/campaigns.jsonl", id="path"),
        pytest.param("s3://conn@bucket/k.jsonl", "s3://bucket/k.jsonl", id="userinfo-dropped"),
        pytest.param("file:///data/{{ ds }}/campaigns.jsonl", None, id="templated"),
        pytest.param("file:///data/{% raw %}x{% endraw %}.jsonl", None, id="jinja-statement"),
        pytest.param(None, None, id="no-path"),
        pytest.param("relative.jsonl", None, id="relative"),
    ],
)
def test_static_asset(uri, expected):
    asset = static_asset(uri)
    assert (None if asset is None else asset.uri) == expected


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        pytest.param("file:///data/x.jsonl", ("file", "/data/x.jsonl"), id="file"),
        pytest.param("/data/x.jsonl", ("file", "/data/x.jsonl"), id="path"),
        pytest.param("s3://bucket/linkedin/x.jsonl", ("s3://bucket", "linkedin/x.jsonl"), id="s3"),
        pytest.param("gs://conn@bucket/x.csv", ("gs://bucket", "x.csv"), id="gs-userinfo-dropped"),
    ],
)
def test_lineage_dataset_id(uri, expected):
    assert lineage_dataset_id(uri) == expected


class Fake:
    """A stand-in for an OpenLineage facet/dataset class: keeps its keyword arguments."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def __eq__(self, other):
        return type(self) is type(other) and self.kwargs == other.kwargs

    def __repr__(self):
        return f"{type(self).__name__}({self.kwargs})"


FACETS = (
    "InputDataset",
    "OutputDataset",
    "OutputStatisticsOutputDatasetFacet",
    "SchemaDatasetFacet",
    "SchemaDatasetFacetFields",
)


@pytest.fixture
def openlineage_facets(monkeypatch):
    """The OpenLineage facet classes (the client library is an optional extra, absent here)."""
    module = types.ModuleType("airflow.providers.common.compat.openlineage.facet")
    for name in FACETS:
        setattr(module, name, type(name, (Fake,), {}))
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module


def test_openlineage_datasets(openlineage_facets):
    columns = (Column("start_date", ColumnKind.DATE), Column("costInUsd", ColumnKind.DECIMAL))
    output = openlineage_output("s3://conn@bucket/linkedin/x.jsonl", columns=columns, rows=12, size=345)
    facet = openlineage_facets
    assert output == facet.OutputDataset(
        namespace="s3://bucket",
        name="linkedin/x.jsonl",
        facets={
            "schema": facet.SchemaDatasetFacet(
                fields=[
                    facet.SchemaDatasetFacetFields(name="start_date", type="date"),
                    facet.SchemaDatasetFacetFields(name="costInUsd", type="decimal"),
                ]
            )
        },
        outputFacets={"outputStatistics": facet.OutputStatisticsOutputDatasetFacet(rowCount=12, size=345)},
    )
    assert openlineage_input("https://api.linkedin.com/rest", "statistics") == facet.InputDataset(
        namespace="https://api.linkedin.com", name="rest/adAnalytics?q=statistics"
    )
