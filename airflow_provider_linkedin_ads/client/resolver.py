"""Optional ``pivotValues`` URN -> name enrichment of report rows (``linkedin-api.md`` 13).

:class:`NameResolver` adds a ``<pivot column>_name`` column right after each pivot column that has a
lookup (the table in :mod:`~airflow_provider_linkedin_ads.client.names`), looking the names up in
batches while the rows stream past. Names are a convenience: a failed lookup never fails the report.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.client.entities import account_id
from airflow_provider_linkedin_ads.client.names import NAME_LOOKUPS, Lookup, Scope, company_size_name
from airflow_provider_linkedin_ads.enums import Pivot
from airflow_provider_linkedin_ads.errors import APIError, ConfigurationError, LinkedInAdsError
from airflow_provider_linkedin_ads.results import Column, ColumnKind, ReportRow

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from airflow_provider_linkedin_ads.client.client import BatchResult, LinkedInAdsClient

__all__ = ["DEFAULT_BATCH_SIZE", "DEFAULT_BUFFER_ROWS", "NameResolver", "name_column"]

#: Ids per ``BATCH_GET`` (LinkedIn's batch endpoints are used with about 50 keys per call).
DEFAULT_BATCH_SIZE = 50
#: Rows held back while their names are looked up; bounds the resolver's memory.
DEFAULT_BUFFER_ROWS = 1_000
_EXAMPLES = 3

#: One pivot of a report that gets a name: (value column, name column, lookup).
_Target = tuple[str, str, Lookup]


def name_column(pivot: Pivot | str) -> str:
    """Return the name column of a pivot: its value column plus ``_name`` (``campaign_name``).

    :param pivot: a :class:`~airflow_provider_linkedin_ads.enums.Pivot` or its name.
    """
    return f"{_pivot(pivot).column}_name"


def _pivot(pivot: Pivot | str) -> Pivot:
    try:
        return Pivot(str(pivot).strip().upper())
    except ValueError:
        raise ConfigurationError(
            f"pivots: {str(pivot)[:60]!r} is not a LinkedIn pivot", argument="pivots"
        ) from None


def _pivots(pivots: Sequence[str] | str) -> list[Pivot]:
    # A lone pivot name is one pivot, not a sequence of letters.
    return [_pivot(pivots)] if isinstance(pivots, str) else [_pivot(item) for item in pivots]


class NameResolver:
    """Add a ``<pivot>_name`` column next to each nameable pivot column of report rows.

    Rules (see :mod:`~airflow_provider_linkedin_ads.client.names` for the per-pivot table):

    * **Which pivots get a name column:** only those with a lookup: ``ACCOUNT``, ``CAMPAIGN_GROUP``,
      ``CAMPAIGN``, ``CREATIVE``, ``COMPANY``, ``MEMBER_COMPANY``, the geo pivots
      (``MEMBER_COUNTRY_V2``, ``MEMBER_REGION_V2``, ``MEMBER_COUNTY``,
      ``MEMBER_DESIGNATED_MARKET_AREA``), ``MEMBER_JOB_TITLE``, ``MEMBER_JOB_FUNCTION``,
      ``MEMBER_SENIORITY``, ``MEMBER_INDUSTRY`` and ``MEMBER_COMPANY_SIZE`` (static table, no call).
      Other pivots (``SHARE``, ``CONVERSION``, device type, serving location, ...) get none.
    * **Batching:** one ``BATCH_GET`` (``ids=List(...)``) per ``batch_size`` distinct unknown ids.
    * **Memory:** at most ``buffer_rows`` rows are held back while their names are fetched.
    * **Cache:** per instance (one task): each id is looked up once, failures included, so a
      failing lookup is neither retried for every buffer nor warned about again.
    * **Failures:** any :class:`~airflow_provider_linkedin_ads.errors.LinkedInAdsError` of a call,
      and any id left in a batch answer's ``errors`` or missing from it, leaves the name ``None``
      and logs one warning per failed batch; the report itself never fails.
    * **Account-scoped entities** (campaigns, campaign groups, creatives): LinkedIn only answers
      them below ``adAccounts/{id}/``. For each id the resolver tries, in order and until found:
      the account on the same row (when the report also pivots by ``ACCOUNT``), then the
      ``accounts`` given here, then every account seen so far in an ``ACCOUNT`` column. Ids
      still unresolved after the last account get ``None``; with no account known at all, the
      resolver warns (pass ``accounts``, i.e. the report's account facet).

    .. code-block:: python

        resolver = NameResolver(client, accounts=[508000000])
        columns = resolver.name_columns(columns, ["CAMPAIGN"])  # ..., campaign, campaign_name, ...
        for row in resolver.enrich(rows, ["CAMPAIGN"]):
            print(row["campaign"], row["campaign_name"])

    :param client: the API client (its retries apply to every lookup).
    :param accounts: ad account ids or URNs to look account-scoped entities up in.
    :param logger: where the warnings go (default: this module's logger).
    :param batch_size: ids per batch call.
    :param buffer_rows: rows held back at most.
    :raises ConfigurationError: for a malformed account, batch size or buffer size.
    """

    def __init__(
        self,
        client: LinkedInAdsClient,
        *,
        accounts: Sequence[str | int] = (),
        logger: logging.Logger | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        buffer_rows: int = DEFAULT_BUFFER_ROWS,
    ) -> None:
        self._client = client
        self._accounts = list(dict.fromkeys(account_id(item, argument="accounts") for item in accounts))
        self._log = logger or logging.getLogger(__name__)
        self._batch_size = _positive(batch_size, "batch_size")
        self._buffer_rows = _positive(buffer_rows, "buffer_rows")
        self._names: dict[tuple[str, str], str | None] = {}
        # Accounts met in ACCOUNT columns, in order of appearance (dict as an ordered set).
        self._seen_accounts: dict[str, None] = {}

    def __repr__(self) -> str:
        return f"NameResolver(accounts={self._accounts!r}, cached={len(self._names)})"

    # -- schema ----------------------------------------------------------------------------------

    def name_columns(self, columns: Sequence[Column], pivots: Sequence[str]) -> tuple[Column, ...]:
        """Return ``columns`` with a STRING ``<pivot column>_name`` right after each nameable pivot.

        :param columns: the report's columns (``results.report_columns``).
        :param pivots: the report's pivots, in request order.
        :raises ConfigurationError: for an unknown pivot, or a nameable pivot without its column.
        """
        targets = {column: name for column, name, _lookup in self._targets(pivots)}
        present = {column.name for column in columns}
        missing = sorted(set(targets) - present)
        if missing:
            raise ConfigurationError(
                f"pivots: no column {missing[0]!r} among the report's columns", argument="pivots"
            )
        result: list[Column] = []
        for column in columns:
            result.append(column)
            if column.name in targets:
                result.append(Column(targets[column.name], ColumnKind.STRING))
        return tuple(result)

    # -- rows ------------------------------------------------------------------------------------

    def enrich(self, rows: Iterable[ReportRow], pivots: Sequence[str]) -> Iterator[ReportRow]:
        """Yield each row with its name columns added (as new dicts, in column order).

        Rows are read ahead at most ``buffer_rows`` at a time; the names of a buffer are fetched
        before its first row is yielded.

        :param rows: normalised report rows holding the pivot columns.
        :param pivots: the report's pivots, in request order.
        :raises ConfigurationError: for an unknown pivot (before any row is read).
        """
        targets = self._targets(pivots)
        account_column = Pivot.ACCOUNT.column if Pivot.ACCOUNT in _pivots(pivots) else None
        return self._enriched(rows, targets, account_column)

    def _enriched(
        self, rows: Iterable[ReportRow], targets: list[_Target], account_column: str | None
    ) -> Iterator[ReportRow]:
        if not targets:
            yield from rows
            return
        buffer: list[ReportRow] = []
        for row in rows:
            buffer.append(row)
            if len(buffer) >= self._buffer_rows:
                yield from self._flush(buffer, targets, account_column)
                buffer = []
        if buffer:
            yield from self._flush(buffer, targets, account_column)

    def _targets(self, pivots: Sequence[str]) -> list[_Target]:
        targets: list[_Target] = []
        for pivot in _pivots(pivots):
            lookup = NAME_LOOKUPS.get(pivot)
            if lookup is not None:
                targets.append((pivot.column, name_column(pivot), lookup))
        return targets

    def _flush(
        self, buffer: list[ReportRow], targets: list[_Target], account_column: str | None
    ) -> Iterator[ReportRow]:
        self._resolve(self._wanted(buffer, targets, account_column))
        for row in buffer:
            yield self._with_names(row, targets)

    def _with_names(self, row: ReportRow, targets: list[_Target]) -> ReportRow:
        names = {column: (name, self._name(lookup, row.get(column))) for column, name, lookup in targets}
        result: ReportRow = {}
        for column, value in row.items():
            result[column] = value
            if column in names:
                name_key, name = names[column]
                result[name_key] = name
        for name_key, name in names.values():  # a pivot column missing from the row
            result.setdefault(name_key, name)
        return result

    def _name(self, lookup: Lookup, value: object) -> str | None:
        key = lookup.key_of(value)
        return None if key is None else self._names.get((lookup.kind, key))

    # -- lookups ---------------------------------------------------------------------------------

    def _wanted(
        self, buffer: list[ReportRow], targets: list[_Target], account_column: str | None
    ) -> dict[Lookup, dict[str, str | None]]:
        """Unknown keys per lookup, each with the account of its row (``None``: not known)."""
        wanted: dict[Lookup, dict[str, str | None]] = {}
        for row in buffer:
            row_account = self._row_account(row, account_column)
            for column, _name, lookup in targets:
                key = lookup.key_of(row.get(column))
                if key is not None and (lookup.kind, key) not in self._names:
                    wanted.setdefault(lookup, {}).setdefault(key, row_account)
        return wanted

    def _row_account(self, row: ReportRow, account_column: str | None) -> str | None:
        if account_column is None:
            return None
        key = NAME_LOOKUPS[Pivot.ACCOUNT].key_of(row.get(account_column))
        if key is not None:
            self._seen_accounts.setdefault(key)
        return key

    def _resolve(self, wanted: dict[Lookup, dict[str, str | None]]) -> None:
        for lookup, keys in wanted.items():
            if lookup.scope is Scope.STATIC:
                self._names.update({(lookup.kind, key): company_size_name(key) for key in keys})
            elif lookup.scope is Scope.GLOBAL:
                for chunk in _chunks(list(keys), self._batch_size):
                    self._resolve_global(lookup, chunk)
            else:
                for row_account, group in _by_account(keys).items():
                    for chunk in _chunks(group, self._batch_size):
                        self._resolve_scoped(lookup, chunk, row_account)

    def _resolve_global(self, lookup: Lookup, chunk: list[str]) -> None:
        problems: list[str] = []
        pending = self._batch(lookup, lookup.resource, chunk, problems)
        self._give_up(lookup, chunk, pending, problems)

    def _resolve_scoped(self, lookup: Lookup, chunk: list[str], row_account: str | None) -> None:
        candidates = list(
            dict.fromkeys([*([row_account] if row_account else []), *self._accounts, *self._seen_accounts])
        )
        problems = [] if candidates else ["no ad account known to look them up in (pass accounts=...)"]
        pending = chunk
        for account in candidates:
            pending = self._batch(lookup, f"adAccounts/{account}/{lookup.resource}", pending, problems)
            if not pending:
                break
        self._give_up(lookup, chunk, pending, problems)

    def _batch(self, lookup: Lookup, resource: str, keys: list[str], problems: list[str]) -> list[str]:
        """Look ``keys`` up in one call; cache what was found, return the keys still unresolved."""
        try:
            answer = self._client.batch_get(resource, keys)
        except LinkedInAdsError as err:
            problems.append(f"{resource}: {_describe(err)}")
            return keys
        for key in keys:
            if key in answer.results:
                self._names[(lookup.kind, key)] = lookup.name_of(answer.results[key])
        pending = [key for key in keys if key not in answer.results]
        if pending:
            problems.append(f"{resource}: {_missing(answer, pending)}")
        return pending

    def _give_up(self, lookup: Lookup, chunk: list[str], pending: list[str], problems: list[str]) -> None:
        for key in pending:
            self._names[(lookup.kind, key)] = None
        if pending:
            examples = ", ".join(pending[:_EXAMPLES]) + (", ..." if len(pending) > _EXAMPLES else "")
            self._log.warning(
                "LinkedIn Ads names: %d of %d %s id(s) left without a name (%s): %s",
                len(pending),
                len(chunk),
                lookup.kind,
                examples,
                "; ".join(problems),
            )


def _positive(value: int, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{argument} must be a positive integer, got {value!r}", argument=argument)
    return value


def _chunks(keys: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def _by_account(keys: dict[str, str | None]) -> dict[str | None, list[str]]:
    groups: dict[str | None, list[str]] = {}
    for key, account in keys.items():
        groups.setdefault(account, []).append(key)
    return groups


def _describe(err: LinkedInAdsError) -> str:
    if isinstance(err, APIError):
        return f"{type(err).__name__} (HTTP {err.status})"
    return type(err).__name__


def _missing(answer: BatchResult, pending: list[str]) -> str:
    statuses = sorted({str(answer.statuses.get(key, "absent")) for key in pending})
    return f"{len(pending)} not returned (status {', '.join(statuses)})"
