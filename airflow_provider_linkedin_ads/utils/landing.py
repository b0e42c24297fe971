r"""Land a report file atomically anywhere Airflow's ``ObjectStoragePath`` reaches, and describe it.

:class:`AtomicLanding` writes to a temporary name *beside* the target (same directory or prefix,
so the final move stays on one filesystem) and moves it onto the target only after the last byte
was written. Readers therefore see either the previous complete file or the new complete file,
never a half-written one:

* a try that fails (or is stopped: Airflow raises inside the task) deletes its temporary file;
* a try that is killed outright cannot clean up, so every try first removes temporary files an
  earlier try of the same target left behind;
* a re-run of the same interval replaces the target (idempotent).

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
import logging
import uuid
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from airflow.providers.common.compat.sdk import Asset, AssetAlias, ObjectStoragePath

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from airflow_provider_linkedin_ads.results import Column

__all__ = [
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
    return text


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

    :param uri: the target, e.g. ``file:///data/linkedin/campaigns.jsonl`` or ``s3://bucket/key``
        (a connection id in the userinfo, ``s3://aws_default@bucket/key``, is honoured).
    :param conn_id: Airflow connection of the filesystem (``output_conn_id``); ``None`` for local
        files or a connection given in the URI.
    :raises ConfigurationError: for a malformed ``uri``.

    .. code-block:: python

        landing = AtomicLanding("s3://bucket/linkedin/campaigns.jsonl", conn_id="aws_default")
        with landing.open() as handle:
            write_rows(rows, handle, columns)
        landing.size()  # bytes of the landed file
    """

    def __init__(self, uri: str, *, conn_id: str | None = None) -> None:
        self.uri = normalize_uri(uri)
        self.conn_id = conn_id or None
        try:
            self.target = ObjectStoragePath(self.uri, conn_id=self.conn_id)
        except (ImportError, ValueError) as err:  # Airflow 3 refuses unknown schemes right here
            raise _no_filesystem(self.uri, err) from err
        self._parent_uri, _, self.name = self.uri.rpartition("/")
        self._temp: Any = None

    def __repr__(self) -> str:
        return f"AtomicLanding({public_uri(self.uri)!r})"

    @property
    def public_uri(self) -> str:
        """The target URI without any userinfo (for logs, XCom, Assets and lineage)."""
        return public_uri(self.uri)

    def _temp_name(self) -> str:
        return f".{self.name}{TEMP_MARKER}{uuid.uuid4().hex[:16]}{_TEMP_SUFFIX}"

    def _is_own_temp(self, name: str) -> bool:
        return name.startswith(f".{self.name}{TEMP_MARKER}") and name.endswith(_TEMP_SUFFIX)

    def _sibling(self, name: str) -> Any:
        # Built from the URI string: joining path objects warns on Airflow 2.11's universal_pathlib.
        return ObjectStoragePath(f"{self._parent_uri}/{name}", conn_id=self.conn_id)

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """Yield a binary handle on a fresh temporary file; on success move it onto the target.

        Any exception (``BaseException`` included: a stopped task) deletes the temporary file and
        propagates; the target is then untouched.
        """
        self._prepare()
        temp = self._sibling(self._temp_name())
        self._temp = temp
        try:
            with temp.open("wb") as handle:
                yield handle
            temp.replace(self.target)
        except BaseException:
            self.discard()
            raise
        finally:
            self._temp = None

    def _prepare(self) -> None:
        _check_filesystem(self.target, self.uri)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.stale_temps():
            log.info("Removing %s, left behind by an earlier try", stale.name)
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()

    def stale_temps(self) -> list[Any]:
        """Return the temporary files of this target that exist now (left by killed tries)."""
        try:
            siblings = list(self.target.parent.iterdir())
        except FileNotFoundError:
            return []
        return [path for path in siblings if self._is_own_temp(path.name)]

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


def _check_filesystem(path: Any, uri: str) -> None:
    """Resolve the filesystem of ``path`` now, before anything is written.

    :raises ConfigurationError: naming ``output_path`` (see :func:`_no_filesystem`).
    """
    try:
        _ = path.fs
    except (ImportError, ValueError) as err:
        raise _no_filesystem(uri, err) from err


def _no_filesystem(uri: str, err: Exception) -> ConfigurationError:
    """Return the error for an unknown scheme or a filesystem package that is not installed.

    It names ``output_path`` and what to install, instead of surfacing fsspec's error once the
    report has been fetched.
    """
    scheme = urlsplit(uri).scheme
    return ConfigurationError(
        f"output_path {public_uri(uri)!r}: Airflow has no filesystem for {scheme}:// here ({err}); "
        "install the provider and package that serve it (e.g. apache-airflow-providers-amazon[s3fs] "
        "for s3://, apache-airflow-providers-google with gcsfs for gs://)",
        argument="output_path",
    )


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


def openlineage_input(api_base_url: str, finder: str) -> Any:
    """Return the OpenLineage input dataset of a report: LinkedIn's ``adAnalytics`` finder.

    The import is inside: this is only called when the OpenLineage provider is installed.
    """
    from airflow.providers.common.compat.openlineage.facet import InputDataset

    parts = urlsplit(api_base_url)
    namespace = f"{parts.scheme}://{parts.netloc}"
    return InputDataset(
        namespace=namespace, name=f"{parts.path.strip('/')}/adAnalytics?q={finder}".lstrip("/")
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
