"""The answer checkpoint of a report task, kept beside its output through ``ObjectStoragePath``.

A deferrable report task that stops for a long wait (LinkedIn's data throttle, handed to the
triggerer) resumes the *same* report later, possibly on another worker. Its
:class:`~airflow_provider_linkedin_ads.client.checkpoint.AnswerCheckpoint` lives in a folder named
after the task run, next to the temporary landing file, so any worker that can write the output can
read it back:

    ``<output folder>/.linkedin-ads-checkpoint-<task id>-<map index>-<hash of dag, task, run, map index>/``

with one object per answer (``<sha256 of the request>.answer``: a header line, then the body as
LinkedIn sent it; see :mod:`~airflow_provider_linkedin_ads.client.checkpoint`). A task whose rows go to XCom keeps it
in the worker's temporary directory instead (``<tmp>/linkedin-ads-checkpoints/...``): a resume on
another machine then simply makes those calls again, which is still correct.

Lifecycle (the operator's): a fresh try deletes any checkpoint of its task run first (answers from an
earlier try may be stale); a deferral keeps it; the resume replays it; the end of the try (file
landed, or failed) deletes it. A try killed outright leaves it until the same task run starts again.
Reading or writing problems never fail the report: a missing answer is asked for again.

.. code-block:: python

    checkpoint = PathCheckpoint(checkpoint_uri(context, "s3://bucket/linkedin/campaigns.jsonl"), conn_id="aws")
    engine = ReportEngine(client, checkpoint=checkpoint)
    ...
    checkpoint.discard()
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import ObjectStoragePath

from airflow_provider_linkedin_ads.client.checkpoint import encode_answer, read_answer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow.providers.common.compat.sdk import Context

__all__ = ["CHECKPOINT_MARKER", "PathCheckpoint", "checkpoint_uri"]

#: Start of a checkpoint folder's name (a dot folder: hidden from ``ls`` and most globs).
CHECKPOINT_MARKER = ".linkedin-ads-checkpoint-"

log = logging.getLogger(__name__)
# Name ending of an answer's object (not .json: a header line precedes the JSON body).
_SUFFIX = ".answer"


def checkpoint_uri(context: Context, output_uri: str | None) -> str:
    """Return the checkpoint folder of this task run: beside ``output_uri``, else in the temp dir.

    :param context: the task's context (its ``ti`` names the dag, task, run and map index).
    :param output_uri: the normalised ``output_path`` URI, or ``None`` when the rows go to XCom.
    """
    ti: Any = context["ti"]
    map_index = getattr(ti, "map_index", None)
    map_index = -1 if map_index is None else map_index
    parts = (str(ti.dag_id), str(ti.task_id), str(ti.run_id), str(map_index))
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
    task = re.sub(r"[^A-Za-z0-9_.]", "_", str(ti.task_id))[:48]
    name = f"{CHECKPOINT_MARKER}{task}-{map_index}-{digest}"
    if output_uri is None:
        return (Path(tempfile.gettempdir()) / "linkedin-ads-checkpoints" / name).as_uri()
    return f"{output_uri.rpartition('/')[0]}/{name}"


class PathCheckpoint:
    """An :class:`~airflow_provider_linkedin_ads.client.checkpoint.AnswerCheckpoint` in a folder.

    Thread-safe (every answer is its own object); nothing is created until the first answer.

    :param uri: the folder, e.g. from :func:`checkpoint_uri`.
    :param conn_id: Airflow connection of the filesystem (the operator's ``output_conn_id``).

    .. code-block:: python

        checkpoint = PathCheckpoint("file:///data/linkedin/.linkedin-ads-checkpoint-x-1-0123abcd")
        checkpoint.put(key, body_pieces)
        checkpoint.get(key)  # the same body, in pieces of at most 64 KiB
    """

    def __init__(self, uri: str, *, conn_id: str | None = None) -> None:
        self.uri = uri.rstrip("/")
        self.conn_id = conn_id or None
        self._created = False
        try:
            self.folder: Any = ObjectStoragePath(self.uri, conn_id=self.conn_id)
        except Exception:  # an unknown scheme or a missing filesystem package: the landing says so
            log.warning(
                "No answer checkpoint: %s cannot be reached", self.uri.rpartition("/")[0], exc_info=True
            )
            self.folder = None

    def __repr__(self) -> str:
        return f"PathCheckpoint({self.uri.rpartition('/')[2]!r})"

    def _entry(self, key: str) -> Any:
        # Built from the URI string: joining path objects warns on Airflow 2.11's universal_pathlib.
        name = hashlib.sha256(key.encode()).hexdigest()
        return ObjectStoragePath(f"{self.uri}/{name}{_SUFFIX}", conn_id=self.conn_id)

    def get(self, key: str) -> list[bytes] | None:
        """Return the stored body of ``key`` in pieces, or ``None`` (absent, unreadable, cut or foreign)."""
        if self.folder is None:
            return None
        entry = self._entry(key)
        try:
            with entry.open("rb") as stream:
                return read_answer(key, stream)
        except FileNotFoundError:
            return None
        except Exception:  # a checkpoint is an optimisation: the call is simply made again
            log.warning(
                "Could not read the checkpoint entry %s; asking LinkedIn again", entry.name, exc_info=True
            )
            return None

    def put(self, key: str, body: Sequence[bytes]) -> None:
        """Store one answer's body, piece by piece (a failure is logged, never raised: the resume then asks again)."""
        if self.folder is None:
            return
        try:
            entry = self._entry(key)
            if not self._created:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._created = True
            with entry.open("wb") as stream:
                for piece in encode_answer(key, body):
                    stream.write(piece)
        except Exception:
            log.warning("Could not store the checkpoint entry of %s", self.uri, exc_info=True)

    def __len__(self) -> int:
        """Answers stored (0 when the folder does not exist)."""
        if self.folder is None:
            return 0
        try:
            return sum(1 for path in self.folder.iterdir() if path.name.endswith(_SUFFIX))
        except (FileNotFoundError, NotADirectoryError):
            return 0

    def discard(self) -> None:
        """Delete the folder and its answers (idempotent; a failure is logged, never raised)."""
        if self.folder is None:
            return
        try:
            entries = list(self.folder.iterdir())
        except (FileNotFoundError, NotADirectoryError):
            return
        except Exception:
            log.warning("Could not list the checkpoint %s to delete it", self.folder.name, exc_info=True)
            return
        try:
            for entry in entries:
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
            with contextlib.suppress(FileNotFoundError):
                self.folder.rmdir()
        except Exception:
            log.warning("Could not delete the checkpoint %s", self.folder.name, exc_info=True)
        self._created = False
