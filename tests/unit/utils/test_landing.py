"""AtomicLanding and the Asset/OpenLineage descriptions of a landed file (``file://``, no database)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
import types

import pytest

from airflow_provider_linkedin_ads.errors import ConfigurationError, LinkedInAdsError
from airflow_provider_linkedin_ads.results import Column, ColumnKind
from airflow_provider_linkedin_ads.utils import landing as landing_module
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


def write_and_fail(landing: AtomicLanding, error: BaseException | None, during=lambda: None) -> None:
    with landing.open() as handle:
        handle.write(b"half a report")
        during()
        if error is not None:
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


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def temp_of(target: str, owner: str, pid: int, created: float) -> str:
    return f".{target}{TEMP_MARKER}{owner}-{pid}-{int(created)}-0123abcd.tmp"


def test_a_killed_tries_temporary_files_are_removed_by_the_next_try(tmp_path):
    # A try SIGKILLed on this host: its pid is dead, so the next try removes its file at once.
    stale = tmp_path / temp_of("report.jsonl", landing_module._OWNER, dead_pid(), time.time())
    stale.write_bytes(b"left by a killed try")
    others = [
        tmp_path / temp_of("other.jsonl", landing_module._OWNER, dead_pid(), time.time()),  # another target's
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


@pytest.mark.parametrize(
    ("owner", "pid", "age", "stale"),
    [
        pytest.param("this", "dead", 0, True, id="this-host-dead-pid"),
        pytest.param("this", "live", 0, False, id="this-host-live-pid"),
        pytest.param("this", "self", 0, False, id="this-host-this-process"),
        pytest.param("this", "live", 25 * 3600, True, id="this-host-live-pid-older-than-24h"),
        pytest.param("other", "dead", 0, False, id="other-host-young"),
        pytest.param("other", "dead", 23 * 3600, False, id="other-host-23h"),
        pytest.param("other", "dead", 25 * 3600, True, id="other-host-older-than-24h"),
    ],
)
def test_only_provably_stale_temporary_files_are_removed(tmp_path, owner, pid, age, stale):
    number = {"dead": dead_pid(), "live": os.getppid(), "self": os.getpid()}[pid]
    tag = landing_module._OWNER if owner == "this" else "feedbeef00"
    now = time.time()
    temp = tmp_path / temp_of("report.jsonl", tag, number, now - age)
    temp.write_bytes(b"x")
    landing = AtomicLanding(f"file://{tmp_path}/report.jsonl", clock=lambda: now)
    assert [path.name for path in landing.stale_temps()] == ([temp.name] if stale else [])


def test_the_stale_age_is_the_tasks_timeout_when_given(tmp_path):
    now = time.time()
    temp = tmp_path / temp_of("report.jsonl", "feedbeef00", os.getpid(), now - 7200)
    temp.write_bytes(b"x")
    hour = AtomicLanding(
        f"file://{tmp_path}/report.jsonl", stale_after=dt.timedelta(hours=1), clock=lambda: now
    )
    day = AtomicLanding(f"file://{tmp_path}/report.jsonl", clock=lambda: now)
    assert [path.name for path in hour.stale_temps()] == [temp.name]
    assert day.stale_temps() == []


def test_an_older_releases_temporary_file_is_judged_by_its_age(tmp_path):
    legacy = tmp_path / f".report.jsonl{TEMP_MARKER}0123456789abcdef.tmp"
    legacy.write_bytes(b"x")
    landing = AtomicLanding(f"file://{tmp_path}/report.jsonl")
    assert landing.stale_temps() == []
    old = time.time() - 25 * 3600
    os.utime(legacy, (old, old))
    assert [path.name for path in landing.stale_temps()] == [legacy.name]


def test_the_temporary_file_is_created_at_the_first_write(tmp_path):
    landing = AtomicLanding(f"file://{tmp_path}/out/report.jsonl")
    with landing.open() as handle:
        assert names(tmp_path / "out") == []  # the folder is ready, no file before there is data
        handle.write(b"")
        assert names(tmp_path / "out") == []
        handle.write(b"rows\n")
        (temp,) = (tmp_path / "out").iterdir()
        assert temp.name.startswith(".report.jsonl" + TEMP_MARKER)
    assert names(tmp_path / "out") == ["report.jsonl"]


def test_an_empty_report_still_lands_an_empty_file(tmp_path):
    (tmp_path / "report.jsonl").write_bytes(b"previous\n")
    with AtomicLanding(f"file://{tmp_path}/report.jsonl").open():
        pass
    assert (tmp_path / "report.jsonl").read_bytes() == b""


def test_two_overlapping_writers_each_land_a_complete_file_last_one_wins(tmp_path):
    uri = f"file://{tmp_path}/report.jsonl"
    first, second = AtomicLanding(uri), AtomicLanding(uri)
    with first.open() as one:
        one.write(b"first: part 1\n")
        with second.open() as two:  # starts while the first is mid-write: must not delete its file
            two.write(b"second: part 1\n")
            one.write(b"first: part 2\n")
            two.write(b"second: part 2\n")
        assert (tmp_path / "report.jsonl").read_bytes() == b"second: part 1\nsecond: part 2\n"
        one.write(b"first: part 3\n")
    assert (tmp_path / "report.jsonl").read_bytes() == b"first: part 1\nfirst: part 2\nfirst: part 3\n"
    assert names(tmp_path) == ["report.jsonl"]


def test_many_concurrent_writers_leave_one_complete_file(tmp_path):
    uri = f"file://{tmp_path}/report.jsonl"
    contents = {
        index: b"".join(b"writer %d line %d\n" % (index, line) for line in range(200)) for index in range(8)
    }
    barrier = threading.Barrier(len(contents))
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            with AtomicLanding(uri).open() as handle:
                for line in contents[index].splitlines(keepends=True):
                    handle.write(line)
                    if line.endswith(b"line 0\n"):
                        barrier.wait(timeout=30)  # every writer has its temporary file now
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=write, args=(index,)) for index in contents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert names(tmp_path) == ["report.jsonl"]
    assert (tmp_path / "report.jsonl").read_bytes() in contents.values()


def test_a_vanished_temporary_file_is_a_provider_error_and_the_target_is_kept(tmp_path):
    (tmp_path / "report.jsonl").write_bytes(b"previous\n")
    landing = AtomicLanding(f"file://{tmp_path}/report.jsonl")

    def delete_temps() -> None:  # someone else deletes it mid-write
        for path in tmp_path.iterdir():
            if TEMP_MARKER in path.name:
                path.unlink()

    with pytest.raises(LinkedInAdsError, match="disappeared") as info:
        write_and_fail(landing, None, during=delete_temps)
    assert not isinstance(info.value, FileNotFoundError)
    assert (tmp_path / "report.jsonl").read_bytes() == b"previous\n"


@pytest.mark.parametrize("name", ["r" * 240 + ".jsonl", "é" * 120 + ".csv", "x" * 96, "y" * 97])
def test_long_target_names_keep_temporary_names_short(tmp_path, name):
    assert len(name.encode()) <= 255  # a valid name for the target itself
    landing = AtomicLanding(f"file://{tmp_path}/{name}")
    with landing.open() as handle:
        handle.write(b"rows\n")
        (temp,) = (path for path in tmp_path.iterdir() if TEMP_MARKER in path.name)
        assert len(temp.name.encode()) <= 200
    assert names(tmp_path) == [name]
    # Two long names that share a long prefix still get different temporary names.
    other = AtomicLanding(f"file://{tmp_path}/{name[:-7]}Z{name[-6:]}")
    assert other._prefix != landing._prefix


@pytest.mark.parametrize(
    "uri",
    [
        "file:///data/linkedin/../../etc/report.jsonl",
        "/data/linkedin/../report.jsonl",
        "s3://bucket/linkedin/../other/report.jsonl",
        "file:///data/..",
    ],
)
def test_parent_segments_are_refused_naming_output_path(uri):
    with pytest.raises(ConfigurationError) as info:
        normalize_uri(uri)
    assert info.value.argument == "output_path"
    assert "'..'" in str(info.value)


@pytest.mark.parametrize("uri", ["file:///data/a..b/report.jsonl", "file:///data/.hidden/r..jsonl"])
def test_dots_inside_names_are_fine(uri):
    assert normalize_uri(uri) == uri


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
