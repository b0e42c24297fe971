r"""Land a report file atomically anywhere Airflow's ``ObjectStoragePath`` reaches, and describe it.

:class:`AtomicLanding` writes to a temporary name *beside* the target (same directory or prefix,
so the final move stays on one filesystem) and moves it onto the target only after the last byte
was written. Readers therefore see either the previous complete file or the new complete file,
never a half-written one:

* the parent folder is created up front (an unreachable destination fails before any API call);
  the temporary file is created at the first write (once the first rows have been fetched);
* a try that fails (or is stopped: Airflow raises inside the task) deletes its temporary file;
* a try that is killed outright cannot clean up, so when a try creates its temporary file it first
  removes the temporary files of the same target that are *provably stale* (below);
* a re-run of the same interval replaces the target (idempotent).

Several writers of one target (overlapping runs of a static path, a backfill, mapped tasks without
``map_index`` in the path, a stuck try and its retry) each write their own temporary file and each
move a complete file onto the target: the last writer wins, the target is never a mix, and no
writer deletes another live writer's temporary file. Every temporary name records its owner:

    ``.<target name>.linkedin-ads-<owner>-<pid>-<created, epoch s>-<random>.tmp``

where ``<owner>`` is a short hash of the host name and the PID namespace. A temporary file of the
same target is *stale*, and removed, when

1. its owner is this host (same PID namespace) and its process no longer exists (a SIGKILLed
   worker, an OOM-killed try: the retry on the same host cleans up at once), or
2. it is older than the stale age: the task's ``execution_timeout`` when it has one, else 24 hours
   (:data:`DEFAULT_STALE_AGE`). No try of the task can still be writing it by then.

A temporary file without owner fields (left by an older release) is stale only by its age on the
filesystem. Long target names are shortened in the temporary name (a prefix and a hash), so the
name stays far below the 255-byte limit of common filesystems.

On object stores a "rename" is a copy followed by a delete, which still never exposes a partial
object under the target key.

The module also derives the two descriptions Airflow wants of a landed file: an Asset (Dataset on
2.11) for outlets, only for static paths, and OpenLineage datasets, whose imports live inside the
function so OpenLineage stays an optional extra.

.. code-block:: python

    landing = AtomicLanding("file:///data/linkedin/2026-11-27/campaigns.jsonl")
    with landing.open() as handle:
        handle.write(b'{"campaign": "urn:li:sponsoredCampaign:1"}\n')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import io
import logging
import os
import socket
import sys
import time
import uuid
from typing import IO, TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

from airflow.providers.common.compat.sdk import Asset, AssetAlias, ObjectStoragePath

from airflow_provider_linkedin_ads.errors import ConfigurationError, LinkedInAdsError
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from airflow_provider_linkedin_ads.results import Column

__all__ = [
    "DEFAULT_STALE_AGE",
    "TEMP_MARKER",
    "AtomicLanding",
    "alias_is_registered",
    "landed_asset",
    "lineage_dataset_id",
    "normalize_uri",
    "openlineage_input",
    "openlineage_output",
    "output_alias",
    "public_uri",
    "static_asset",
]

log = logging.getLogger(__name__)

#: Part of every temporary file name: ``.<target name>.linkedin-ads-<random>.tmp``. The leading dot
#: hides it from most readers (Spark, Hive, ``ls``) while it is being written.
TEMP_MARKER = ".linkedin-ads-"
_TEMP_SUFFIX = ".tmp"
#: How old a temporary file must be before any try may remove it, when the task has no
#: ``execution_timeout``.
DEFAULT_STALE_AGE = dt.timedelta(hours=24)
#: Target names longer than this (UTF-8 bytes) are shortened in temporary names: prefix + hash.
_NAME_BYTES = 96


def normalize_uri(uri: object, *, argument: str = "output_path") -> str:
    """Return ``uri`` as a URI string; a bare absolute path becomes ``file://<path>``.

    :raises ConfigurationError: naming ``argument`` for an empty value, a non-string, a relative
        path, a URI that ends in ``/`` (a directory, not a file) or one with control characters.
    """
    if not isinstance(uri, str) or not uri.strip():
        raise ConfigurationError(
            f"{argument} must be a file URI such as file:///data/linkedin/report.jsonl or "
            f"s3://bucket/key.jsonl, got {uri!r}",
            argument=argument,
        )
    text = uri.strip()
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        # A NUL fails deep inside the filesystem; a newline would silently become part of a file name.
        raise ConfigurationError(
            f"{argument} contains a control character (newline, tab, NUL ...): {text!r:.120}",
            argument=argument,
        )
    if "://" not in text:
        if not text.startswith("/"):
            raise ConfigurationError(
                f"{argument} must be absolute (file:///..., s3://..., gs://...), got {text!r}",
                argument=argument,
            )
        text = "file://" + text
    if text.endswith("/"):
        raise ConfigurationError(
            f"{argument} names a directory ({text!r}); give the file name as well", argument=argument
        )
    check_no_parent_segments(text, argument=argument)
    return text


def check_no_parent_segments(uri: str, *, argument: str = "output_path") -> None:
    """Refuse a path with a ``..`` segment (``file:///data/linkedin/../../etc/x.jsonl``).

    It is refused rather than normalised: a ``..`` lands the file outside the folder the DAG
    names, which is almost always a templating mistake that normalising would hide. Filesystems
    treat ``..`` differently (local paths resolve it, object stores keep it in the key), another
    reason not to guess.

    :raises ConfigurationError: naming ``argument``.
    """
    path = urlsplit(uri).path if "://" in uri else uri
    if ".." in path.split("/"):
        raise ConfigurationError(
            f"{argument} must not contain a '..' segment (it would land the file outside the folder "
            f"it names); write the folder out in full, got {public_uri(uri)!r:.200}",
            argument=argument,
        )


def public_uri(uri: str) -> str:
    """Return ``uri`` without userinfo: for logs, XCom, Assets and lineage.

    The connection id may sit in the URI's userinfo (``s3://aws_default@bucket/key``); Assets
    must not carry it (Airflow 2.11 warns, and it is not part of the data's identity), and logs
    must not show credentials someone put there.
    """
    parts = urlsplit(uri)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class AtomicLanding:
    """Write one file through a temporary sibling and move it onto the target when complete.

    The Airflow side of :class:`~airflow_provider_linkedin_ads.client.landing.Destination`: the
    client's one landing path (``hook.land_report`` and ``hook.land_entities``) writes through it.

    :param uri: the target, e.g. ``file:///data/linkedin/campaigns.jsonl`` or ``s3://bucket/key``
        (a connection id in the userinfo, ``s3://aws_default@bucket/key``, is honoured).
    :param conn_id: Airflow connection of the filesystem (``output_conn_id``); ``None`` for local
        files or a connection given in the URI.
    :param stale_after: age after which another writer's temporary file of this target counts as
        abandoned (the operator passes the task's ``execution_timeout``); default 24 hours.
    :param clock: wall-clock seconds (``time.time``); injectable for tests.
    :raises ConfigurationError: for a malformed ``uri``.

    .. code-block:: python

        landing = AtomicLanding("s3://bucket/linkedin/campaigns.jsonl", conn_id="aws_default")
        with landing.open() as handle:
            write_rows(rows, handle, columns)
        landing.size()  # bytes of the landed file
    """

    def __init__(
        self,
        uri: str,
        *,
        conn_id: str | None = None,
        stale_after: dt.timedelta | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.uri = normalize_uri(uri)
        self.conn_id = conn_id or None
        try:
            self.target = ObjectStoragePath(self.uri, conn_id=self.conn_id)
        except (ImportError, ValueError) as err:  # Airflow 3 refuses unknown schemes right here
            raise _no_filesystem(self.uri, err) from err
        self._parent_uri, _, self.name = self.uri.rpartition("/")
        self.stale_after = stale_after if stale_after and stale_after > dt.timedelta(0) else DEFAULT_STALE_AGE
        self._clock = clock
        self._prefix = f".{_short_name(self.name)}{TEMP_MARKER}"
        self._temp: Any = None

    def __repr__(self) -> str:
        return f"AtomicLanding({public_uri(self.uri)!r})"

    @property
    def public_uri(self) -> str:
        """The target URI without any userinfo (for logs, XCom, Assets and lineage)."""
        return public_uri(self.uri)

    def _temp_name(self) -> str:
        created = int(self._clock())
        return f"{self._prefix}{_OWNER}-{os.getpid()}-{created}-{uuid.uuid4().hex[:8]}{_TEMP_SUFFIX}"

    def _is_own_temp(self, name: str) -> bool:
        return name.startswith(self._prefix) and name.endswith(_TEMP_SUFFIX)

    def _sibling(self, name: str) -> Any:
        # Built from the URI string: joining path objects warns on Airflow 2.11's universal_pathlib.
        return ObjectStoragePath(f"{self._parent_uri}/{name}", conn_id=self.conn_id)

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """Yield a binary handle (its temporary file is created at the first write), then move it into place.

        Any exception (``BaseException`` included: a stopped task) deletes the temporary file and
        propagates; the target is then untouched. A report with no bytes at all still lands (an
        empty file), so the target always matches the run.

        :raises LinkedInAdsError: when the temporary file vanished before the move (someone else
            deleted it); the target is then untouched.
        """
        self.prepare()
        handle = _LazyFile(self._create_temp)
        try:
            yield cast("IO[bytes]", handle)
            handle.materialize()
            handle.close()
            self._move_into_place()
        except BaseException:
            with contextlib.suppress(Exception):
                handle.close()
            self.discard()
            raise
        finally:
            self._temp = None

    def prepare(self) -> None:
        """Resolve the target's filesystem and create its parent folder, before anything is fetched.

        A destination that cannot be reached fails here, before any API call is spent on the report.
        Idempotent; :meth:`open` calls it too.

        :raises ConfigurationError: naming ``output_path`` for an unknown scheme or a filesystem
            package that is not installed.
        """
        _check_filesystem(self.target, self.uri)
        self.target.parent.mkdir(parents=True, exist_ok=True)

    def _create_temp(self) -> IO[bytes]:
        self._remove_stale_temps()
        temp = self._sibling(self._temp_name())
        self._temp = temp
        return cast("IO[bytes]", temp.open("wb"))

    def _move_into_place(self) -> None:
        try:
            self._temp.replace(self.target)
        except FileNotFoundError as err:
            raise LinkedInAdsError(
                f"the temporary file of {self.public_uri} disappeared before it could be moved into place "
                "(deleted by someone else?); the target was left as it was"
            ) from err

    def _remove_stale_temps(self) -> None:
        for stale in self.stale_temps():
            log.info("Removing %s, left behind by an earlier try", stale.name)
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()

    def stale_temps(self) -> list[Any]:
        """Return this target's temporary files that are provably abandoned (see the module docstring).

        Temporary files of live writers (this host's running processes, or any file younger than
        :attr:`stale_after` written from another host) are never returned.
        """
        try:
            siblings = list(self.target.parent.iterdir())
        except FileNotFoundError:
            return []
        now = self._clock()
        own = [path for path in siblings if self._is_own_temp(path.name)]
        return [path for path in own if self._is_stale(path, now)]

    def _is_stale(self, path: Any, now: float) -> bool:
        fields = path.name[len(self._prefix) : -len(_TEMP_SUFFIX)].split("-")
        if len(fields) == 4 and fields[1].isdigit() and fields[2].isdigit():
            owner, pid, created = fields[0], int(fields[1]), int(fields[2])
            if owner == _OWNER and not _alive(pid):
                return True
            return now - created > self.stale_after.total_seconds()
        modified = _modified(path)  # an older release's name: judge by the file's age alone
        return modified is not None and now - modified > self.stale_after.total_seconds()

    def discard(self) -> None:
        """Delete the temporary file of the write in progress, if any (idempotent, never raises)."""
        temp = self._temp
        if temp is None:
            return
        try:
            temp.unlink(missing_ok=True)
        except Exception:  # cleanup must not hide the error that made us clean up
            log.warning("Could not delete the temporary file %s", temp.name, exc_info=True)

    def size(self) -> int | None:
        """Return the landed file's size in bytes, ``None`` when the filesystem does not say."""
        try:
            return int(self.target.stat().st_size)
        except (AttributeError, OSError, TypeError, ValueError):
            return None


class _LazyFile(io.RawIOBase):
    """A write-only binary handle that opens its real file on the first write (or flush of data).

    The writers and pyarrow see an ordinary file object; the temporary file, and the cleanup of
    stale ones, wait until there is something to write.
    """

    def __init__(self, opener: Callable[[], IO[bytes]]) -> None:
        super().__init__()
        self._opener = opener
        self._handle: IO[bytes] | None = None
        self._position = 0

    def writable(self) -> bool:
        return True

    def materialize(self) -> IO[bytes]:
        if self._handle is None:
            self._handle = self._opener()
        return self._handle

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("write to a closed file")
        size = len(memoryview(data).cast("B"))
        if size:
            self.materialize().write(data)
            self._position += size
        return size

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        if self._handle is not None and not self.closed:
            self._handle.flush()

    def close(self) -> None:
        if self.closed:
            return
        handle, self._handle = self._handle, None
        super().close()
        if handle is not None:
            handle.close()


def _short_name(name: str) -> str:
    """Return ``name`` as it appears in temporary names: as is, or a prefix and a hash when long."""
    encoded = name.encode("utf-8")
    if len(encoded) <= _NAME_BYTES:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:16]
    prefix = encoded[: _NAME_BYTES - 17].decode("utf-8", errors="ignore")
    return f"{prefix}~{digest}"


def _owner() -> str:
    """Return a short id of this host and PID namespace: pids are only comparable within one."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return hashlib.sha256(f"{socket.gethostname()}|{namespace}".encode()).hexdigest()[:10]


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but belongs to someone else (or cannot tell): not provably dead
    return True


def _modified(path: Any) -> float | None:
    try:
        return float(path.stat().st_mtime)
    except (AttributeError, OSError, TypeError, ValueError):
        return None


_OWNER = _owner()


def _check_filesystem(path: Any, uri: str) -> None:
    """Resolve the filesystem of ``path`` now, before anything is written.

    :raises ConfigurationError: naming ``output_path`` (see :func:`_no_filesystem`).
    """
    try:
        _ = path.fs
    except (ImportError, ValueError) as err:
        raise _no_filesystem(uri, err) from err


def _no_filesystem(uri: str, err: Exception) -> ConfigurationError:
    """Return the error for a filesystem Airflow cannot open, naming ``output_path`` and the cure.

    Two causes need opposite cures, so the message tells them apart (by where the error came from,
    never by its text):

    * a version mismatch: Airflow's ``ObjectStoragePath`` is built on ``universal-pathlib``, and an
      upath release newer than the installed Airflow expects (typically Airflow installed without
      its constraints file) fails even for ``file://``. ``file://`` always exists, so a failure there
      is never a missing package; for other schemes :func:`_upath_mismatch` looks at the error;
    * an unknown scheme or a filesystem package that is not installed (``s3://`` without ``s3fs``).
    """
    scheme = urlsplit(uri).scheme
    if scheme == "file" or _upath_mismatch(err):
        airflow = _installed("apache-airflow")
        python = f"{sys.version_info.major}.{sys.version_info.minor}"
        return ConfigurationError(
            f"output_path {public_uri(uri)!r}: Airflow could not open the {scheme}:// filesystem ({err}). "
            f"This is not a missing package: universal-pathlib {_installed('universal-pathlib')} does not "
            f"match apache-airflow {airflow}, which builds ObjectStoragePath on it. Install Airflow with "
            "the constraints file of its version (https://raw.githubusercontent.com/apache/airflow/"
            f"constraints-{airflow}/constraints-{python}.txt) or pin universal-pathlib to the version "
            "listed there",
            argument="output_path",
        )
    return ConfigurationError(
        f"output_path {public_uri(uri)!r}: Airflow has no filesystem for {scheme}:// here ({err}); "
        "install the provider and package that serve it (e.g. apache-airflow-providers-amazon[s3fs] "
        "for s3://, apache-airflow-providers-google with gcsfs for gs://)",
        argument="output_path",
    )


def _upath_mismatch(err: BaseException) -> bool:
    """Tell whether ``err`` (or what caused it) shows a ``universal-pathlib`` that does not fit Airflow.

    By type and origin, never by text: an ``ImportError`` of an upath module, or a ``TypeError`` /
    ``AttributeError`` raised inside upath (the ``incompatible with ObjectStoragePath`` error of upath
    0.3 under Airflow 3.0 is a ``TypeError``). A plain ``ValueError`` from upath is its answer for an
    unknown scheme, and one surfacing from fsspec *through* upath's frames (``Install s3fs ...``) is a
    missing package: only the innermost frame counts.
    """
    for error in (err, err.__cause__, err.__context__):
        if isinstance(error, ImportError) and _is_upath(error.name or ""):
            return True
        if isinstance(error, (TypeError, AttributeError)):
            innermost = error.__traceback__
            while innermost is not None and innermost.tb_next is not None:
                innermost = innermost.tb_next
            raised_in = innermost.tb_frame.f_globals.get("__name__", "") if innermost is not None else ""
            if _is_upath(raised_in) or _is_upath(type(error).__module__):
                return True
    return False


def _is_upath(module: str) -> bool:
    return module == "upath" or module.startswith("upath.")


def _installed(distribution: str) -> str:
    """Return the installed version of ``distribution`` for a message, or ``"(not installed)"``."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def static_asset(uri: object) -> Any | None:
    """Return the Asset (a ``Dataset`` on Airflow 2.11) of a static output path, else ``None``.

    Templated paths (``{{ ds }}`` ...) get none: an Asset URI names the data set, not one run's file,
    so per-run details belong in the asset event's ``extra``.
    """
    if not isinstance(uri, str) or any(marker in uri for marker in ("{{", "{%", "{#")):
        return None
    try:
        return Asset(public_uri(normalize_uri(uri)))
    except (ConfigurationError, ValueError):
        return None


def output_alias(task: Any) -> Any:
    """Return the asset alias (a ``DatasetAlias`` on Airflow 2.11) of a task with a templated output.

    Its name, ``linkedin_ads:<dag_id>.<task_id>``, is stable across runs; each run attaches the
    Asset of the file it wrote (:func:`landed_asset`) to it. Downstream DAGs may schedule on the
    alias, or on the concrete Asset once the alias has resolved to it.
    """
    prefix = f"{task.dag_id}." if task.has_dag() else ""
    return AssetAlias(name=f"linkedin_ads:{prefix}{task.task_id}")


def alias_is_registered(alias: Any) -> bool:
    """Tell whether an asset event may be attached to ``alias`` in this run.

    Airflow 3 creates a task's aliases as it records their events. Airflow 2.11 only attaches events
    to a ``DatasetAlias`` its DAG processor has already stored, and fails the whole task otherwise
    ("Can't flush None value found in collection DatasetModel.aliases"), which is what
    ``airflow dags test`` of a DAG no scheduler has parsed yet runs into. There the event is skipped
    (the file is still landed and reported in XCom).
    """
    if AIRFLOW_V_3_0_PLUS:
        return True
    from airflow.models.dataset import DatasetAliasModel  # type: ignore[import-not-found,attr-defined,unused-ignore]
    from airflow.utils.session import create_session

    with create_session() as session:
        return session.query(DatasetAliasModel.id).filter_by(name=alias.name).first() is not None


def landed_asset(uri: str) -> Any:
    """Return the Asset (``Dataset`` on 2.11) of a landed file: its public URI, without userinfo."""
    return Asset(public_uri(normalize_uri(uri)))


def lineage_dataset_id(uri: str) -> tuple[str, str]:
    """Return the OpenLineage ``(namespace, name)`` of a file URI (the naming spec's rules).

    ``file:///data/x.jsonl`` -> ``("file", "/data/x.jsonl")``; ``s3://bucket/key`` ->
    ``("s3://bucket", "key")``.
    """
    parts = urlsplit(public_uri(normalize_uri(uri)))
    if parts.scheme == "file" or not parts.netloc:
        return parts.scheme or "file", parts.path
    return f"{parts.scheme}://{parts.netloc}", parts.path.lstrip("/")


def openlineage_input(api_base_url: str, finder: str, *, resource: str = "adAnalytics") -> Any:
    """Return the OpenLineage input dataset of a landed file: LinkedIn's ``resource?q=finder``.

    Reports read ``adAnalytics`` (``q=analytics`` ...); dimension tables their entity collection
    (``adCampaigns?q=search``, ``creatives?q=criteria``).

    The import is inside: this is only called when the OpenLineage provider is installed.
    """
    from airflow.providers.common.compat.openlineage.facet import InputDataset

    parts = urlsplit(api_base_url)
    namespace = f"{parts.scheme}://{parts.netloc}"
    return InputDataset(
        namespace=namespace, name=f"{parts.path.strip('/')}/{resource}?q={finder}".lstrip("/")
    )


def openlineage_output(uri: str, *, columns: Sequence[Column], rows: int, size: int | None) -> Any:
    """Return the OpenLineage output dataset of a landed file, with its schema and row count.

    The imports are inside: this is only called when the OpenLineage provider is installed.
    """
    from airflow.providers.common.compat.openlineage.facet import (
        OutputDataset,
        OutputStatisticsOutputDatasetFacet,
        SchemaDatasetFacet,
        SchemaDatasetFacetFields,
    )

    namespace, name = lineage_dataset_id(uri)
    schema = SchemaDatasetFacet(
        fields=[SchemaDatasetFacetFields(name=column.name, type=str(column.kind)) for column in columns]
    )
    statistics = OutputStatisticsOutputDatasetFacet(rowCount=rows, size=size)
    return OutputDataset(
        namespace=namespace,
        name=name,
        facets={"schema": schema},
        outputFacets={"outputStatistics": statistics},
    )
