"""The Airflow side every file-landing operator shares: the output path, its Asset, kill and lineage.

Reports and dimension tables land through the same client call
(:mod:`~airflow_provider_linkedin_ads.client.landing`); what is Airflow's about a landed file lives
here once: ``output_path`` checks and its Asset (a static path) or asset alias (a templated one),
``partial()`` declaring that alias for mapped tasks, the asset event of the file a run wrote,
``on_kill`` discarding the temporary file, and the OpenLineage facets.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, cast

from airflow.providers.common.compat.sdk import BaseOperator, ObjectStoragePath

from airflow_provider_linkedin_ads.client.landing import FileOptions
from airflow_provider_linkedin_ads.operators._arguments import (
    check_flag,
    check_output_format,
    check_output_path,
    optional_text,
)
from airflow_provider_linkedin_ads.utils.landing import (
    AtomicLanding,
    alias_is_registered,
    check_no_parent_segments,
    landed_asset,
    normalize_uri,
    openlineage_input,
    openlineage_output,
    output_alias,
    static_asset,
)

if TYPE_CHECKING:
    import logging
    import os

    from airflow.providers.common.compat.sdk import Context

    from airflow_provider_linkedin_ads.operators._results import Lineage

__all__ = ["LinkedInAdsFileOperator"]


class LinkedInAdsFileOperator(BaseOperator):
    """Base of the operators that land one file per run; subclasses define ``execute``.

    A subclass passes the output arguments up, lands through ``self.hook`` with
    :meth:`_destination`, sets :attr:`_lineage` and calls :meth:`_record_asset_event` with its
    summary; :meth:`_asset_extra` says what the asset event's ``extra`` holds.

    .. code-block:: python

        class MyTableOperator(LinkedInAdsFileOperator):
            def execute(self, context):
                landing = self._destination(self._output_uri())
                ...

    :param output_path: file URI (templated; an ``ObjectStoragePath`` or an absolute ``pathlib.Path``
        too). A literal path is the task's Asset; a templated one is reported through the task's
        asset alias ``linkedin_ads:<dag_id>.<task_id>``.
    :param output_format: ``jsonl`` (default), ``csv`` or ``parquet``.
    :param output_conn_id: connection of the output filesystem (templated).
    :param csv_escape_formulas: CSV output only: prefix formula-like text cells with ``'``.
    :param kwargs: ``BaseOperator`` arguments.
    """

    def __init__(
        self,
        *,
        output_path: str | ObjectStoragePath | os.PathLike[str] | None,
        output_format: str,
        output_conn_id: str | None,
        csv_escape_formulas: bool = True,
        **kwargs: Any,
    ) -> None:
        output_path = check_output_path(output_path)  # ObjectStoragePath / Path become URI text
        if isinstance(output_path, str):
            check_no_parent_segments(output_path)  # literal or not, a '..' survives rendering
        asset = static_asset(output_path)
        if asset is not None:
            kwargs["outlets"] = [*_as_list(kwargs.get("outlets")), asset]
        super().__init__(**kwargs)
        # A templated path names a different file per run: the alias lets each run record an asset
        # event for the file it really wrote (AssetAlias on Airflow 3, DatasetAlias on 2.11).
        self.output_alias = None if asset is not None or output_path is None else output_alias(self)
        task: Any = self  # BaseOperator's ``outlets`` has no declared type on 2.11
        outlets = _as_list(task.outlets)
        if self.output_alias is not None and self.output_alias not in outlets:  # partial() added it
            self.outlets = [*outlets, self.output_alias]
        # Templated: assigned verbatim, validated once rendered (in execute).
        self.output_path = output_path
        self.output_conn_id = output_conn_id
        self.output_format = check_output_format(output_format)
        self.csv_escape_formulas = check_flag(csv_escape_formulas, argument="csv_escape_formulas")
        self.asset = asset
        self._landing: AtomicLanding | None = None
        self._killed = False
        self._lineage: Lineage | None = None

    @classmethod
    def partial(cls, **kwargs: Any) -> Any:  # type: ignore[override,unused-ignore]
        """``BaseOperator.partial``, declaring the asset alias of a templated ``output_path`` up front.

        A mapped task's ``__init__`` runs only when it runs, so the alias it would add to its
        outlets is declared here instead, under the same name (``linkedin_ads:<dag_id>.<task_id>``);
        Airflow 2.11 records alias events only for aliases the parsed DAG declares.
        """
        partial = super().partial(**kwargs)  # type: ignore[misc,unused-ignore]
        path = kwargs.get("output_path")
        if path is not None and static_asset(check_output_path(path)) is None:
            task = partial.kwargs
            alias = output_alias(_TaskName(task["task_id"], task.get("dag")))
            task["outlets"] = [*_as_list(task.get("outlets")), alias]
        return partial

    @property
    def _logger(self) -> logging.Logger:
        # The task logger (stdlib-compatible on both lines), so client progress lands in the task log.
        return cast("logging.Logger", self.log)

    @property
    def file_options(self) -> FileOptions:
        """The run's :class:`~airflow_provider_linkedin_ads.client.landing.FileOptions`."""
        return FileOptions(output_format=self.output_format, csv_escape_formulas=self.csv_escape_formulas)

    def _output_uri(self) -> str | None:
        path = optional_text(check_output_path(self.output_path), argument="output_path")
        return None if path is None else normalize_uri(path)

    def _output_conn_id(self) -> str | None:
        return optional_text(self.output_conn_id, argument="output_conn_id")

    def _destination(self, output_path: str) -> AtomicLanding:
        """Return (and remember, for :meth:`on_kill`) the atomic landing of the rendered path."""
        self._landing = AtomicLanding(
            output_path, conn_id=self._output_conn_id(), stale_after=self.execution_timeout
        )
        return self._landing

    def _asset_extra(self, summary: dict[str, Any]) -> dict[str, Any]:
        """Return the asset event's ``extra`` for a run's summary (subclasses say what it holds)."""
        raise NotImplementedError

    def _record_asset_event(self, context: Context, summary: dict[str, Any]) -> None:
        # A static path is the task's Asset; a templated one is reported through the task's alias as
        # the Asset of the file this run wrote. The run's facts go into the extra.
        events = context.get("outlet_events")
        if events is None or summary.get("output_path") is None:
            return
        extra = self._asset_extra(summary)
        if self.asset is not None:
            events[self.asset].extra = extra
        elif self.output_alias is not None:
            if not alias_is_registered(self.output_alias):
                self.log.info(
                    "No asset event for %s: Airflow 2.11 has not stored the alias %r yet (a DAG no "
                    "scheduler has parsed, e.g. under airflow dags test)",
                    summary["output_path"],
                    self.output_alias.name,
                )
                return
            events[self.output_alias].add(landed_asset(summary["output_path"]), extra=extra)

    def on_kill(self) -> None:
        """Stop the run in progress and delete its temporary file (the target is never half-written)."""
        self._killed = True
        if self._landing is not None:
            self._landing.discard()

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Describe the run for OpenLineage: the LinkedIn finder in, the landed file (schema, rows) out.

        Called only when the OpenLineage provider is installed; its imports live here.
        """
        from airflow.providers.openlineage.extractors import (  # type: ignore[import-not-found,unused-ignore]
            OperatorLineage,
        )

        lineage = self._lineage
        if lineage is None:
            return OperatorLineage()
        source = openlineage_input(lineage.api_base_url, lineage.finder, resource=lineage.resource)
        if lineage.uri is None:
            return OperatorLineage(inputs=[source], outputs=[])
        output = openlineage_output(
            lineage.uri, columns=lineage.columns, rows=lineage.rows, size=lineage.size
        )
        return OperatorLineage(inputs=[source], outputs=[output])


@dataclasses.dataclass(frozen=True)
class _TaskName:
    """What :func:`output_alias` reads of a task, for a mapped one before it exists."""

    task_id: str
    dag: Any

    @property
    def dag_id(self) -> str | None:
        return None if self.dag is None else str(self.dag.dag_id)

    def has_dag(self) -> bool:
        return self.dag is not None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
