"""Where a landed file goes: the :class:`Destination` protocol and its standard-library :class:`LocalFile`.

The one landing path (:mod:`~airflow_provider_linkedin_ads.client.landing`) writes every file through
a destination: ``prepare`` (reach it before any report call), ``open`` (a binary handle on a temporary
target that is moved into place when the block ends cleanly and discarded when it raises),
``discard`` (from another thread, when the task is killed) and ``size``. Airflow's side implements it
on ``ObjectStoragePath`` (:class:`~airflow_provider_linkedin_ads.utils.landing.AtomicLanding`);
:class:`LocalFile` is the one for scripts, benchmarks and tests.

.. code-block:: python

    destination = LocalFile("/data/linkedin/campaigns.jsonl")
    with destination.open() as handle:
        handle.write(b"...")  # the target is replaced only when the block ends cleanly
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Destination", "LocalFile"]


class Destination(Protocol):
    """Where a landed file goes: a temporary target, moved into place atomically or discarded.

    .. code-block:: python

        destination.prepare()  # reachable? (before any report call)
        with destination.open() as handle:  # the temporary target
            handle.write(b"...")  # a clean exit commits it; an exception discards it
        destination.size()
    """

    @property
    def public_uri(self) -> str:
        """The target's URI without credentials (for logs, summaries and lineage)."""
        ...

    def prepare(self) -> None:
        """Reach the target (resolve its filesystem, create its folder); idempotent."""
        ...

    def open(self) -> contextlib.AbstractContextManager[IO[bytes]]:
        """Yield a binary handle on a temporary target; commit it on a clean exit, discard it on error."""
        ...

    def discard(self) -> None:
        """Delete the temporary target of the write in progress, if any; never raises."""
        ...

    def size(self) -> int | None:
        """Return the landed file's size in bytes, ``None`` when unknown."""
        ...


class LocalFile:
    """A local file written through a hidden temporary sibling and moved into place with ``os.replace``.

    The standard-library :class:`Destination`, for scripts, benchmarks and tests; Airflow tasks use
    :class:`~airflow_provider_linkedin_ads.utils.landing.AtomicLanding` (any ``ObjectStoragePath``).

    :param path: the target file; its folder is created when needed.

    .. code-block:: python

        with LocalFile("/tmp/report.jsonl").open() as handle:
            handle.write(b"...")
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).absolute()
        self._temp: Path | None = None

    def __repr__(self) -> str:
        return f"LocalFile({str(self.path)!r})"

    @property
    def public_uri(self) -> str:
        """The target as a ``file://`` URI."""
        return self.path.as_uri()

    def prepare(self) -> None:
        """Create the target's folder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """Yield a handle on ``.<name>.<random>.tmp`` beside the target; replace the target on success."""
        self.prepare()
        temp = self._temp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with temp.open("wb") as handle:
                yield handle
            os.replace(temp, self.path)
        except BaseException:
            self.discard()
            raise
        finally:
            self._temp = None

    def discard(self) -> None:
        """Delete the temporary file of the write in progress, if any."""
        temp = self._temp
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)

    def size(self) -> int | None:
        """Return the target's size in bytes, ``None`` when it does not exist."""
        try:
            return self.path.stat().st_size
        except OSError:
            return None
