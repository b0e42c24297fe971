"""The dimension tables: one stable, typed schema per ad-entity type, and entity -> row.

Pure standard library. Every table has the same columns on every run: a field LinkedIn omits is
``null``, never a missing column; a field LinkedIn sends with the wrong type raises
:class:`~.errors.EntityFieldError` (naming the entity type, id and field), never a silent ``null``.
Money is an exact :class:`~decimal.Decimal` from LinkedIn's decimal strings (never ``float``) with
its currency beside it; LinkedIn's epoch-millisecond times become aware UTC timestamps. The last
column, ``entity_json``, is the whole entity as canonical JSON (sorted keys, no whitespace, numbers
as sent), so nothing LinkedIn sent is lost. Join report rows on ``urn`` (a report's ``campaign``
pivot value equals ``campaigns.urn``).

.. code-block:: python

    from airflow_provider_linkedin_ads.entity_tables import EntityType, entity_columns, entity_row

    columns = entity_columns(EntityType.CAMPAIGNS)
    row = entity_row(EntityType.CAMPAIGNS, campaign_json)  # {"id": 300000001, "urn": ..., ...}

Types: ``long`` (int64), ``string``, ``decimal`` (exact; Parquet ``decimal128(38, 20)``), ``timestamp``
(UTC; JSON Lines/CSV ``2026-01-31T09:30:00Z``, Parquet ``timestamp[us, UTC]``), ``boolean``, ``json``
(text). Source fields are dotted paths into the entity LinkedIn returns.

``ad_accounts`` (``GET /rest/adAccounts?q=search``)

=====================  =========  ====================================  ===========================================
column                 type       source field                          meaning
=====================  =========  ====================================  ===========================================
id                     long       id                                    numeric ad account id
urn                    string     id                                    ``urn:li:sponsoredAccount:{id}`` (join key)
name                   string     name                                  account name
status                 string     status                                ACTIVE, CANCELED, DRAFT, PENDING_DELETION, ...
type                   string     type                                  BUSINESS or ENTERPRISE
currency               string     currency                              ISO 4217 currency of the account's spend
reference              string     reference                             advertiser organization or person URN
test                   boolean    test                                  a test account (no delivery)
created_at             timestamp  changeAuditStamps.created.time        when the account was created (UTC)
last_modified_at       timestamp  changeAuditStamps.lastModified.time   when it last changed (UTC)
entity_json            json       (the whole entity)                    canonical JSON of what LinkedIn sent
=====================  =========  ====================================  ===========================================

``campaign_groups`` (``GET /rest/adAccounts/{id}/adCampaignGroups?q=search``)

=====================  =========  ====================================  ===========================================
column                 type       source field                          meaning
=====================  =========  ====================================  ===========================================
id                     long       id                                    numeric campaign group id
urn                    string     id                                    ``urn:li:sponsoredCampaignGroup:{id}``
name                   string     name                                  campaign group name
status                 string     status                                ACTIVE, PAUSED, ARCHIVED, CANCELED, DRAFT, ...
account_urn            string     account                               parent ``urn:li:sponsoredAccount:{id}``
total_budget_amount    decimal    totalBudget.amount                    lifetime budget, exact
total_budget_currency  string     totalBudget.currencyCode              its currency
daily_budget_amount    decimal    dailyBudget.amount                    daily budget, exact
daily_budget_currency  string     dailyBudget.currencyCode              its currency
run_schedule_start     timestamp  runSchedule.start                     scheduled start (UTC)
run_schedule_end       timestamp  runSchedule.end                       scheduled end (UTC); null: runs on
test                   boolean    test                                  belongs to a test account
created_at             timestamp  changeAuditStamps.created.time        when it was created (UTC)
last_modified_at       timestamp  changeAuditStamps.lastModified.time   when it last changed (UTC)
entity_json            json       (the whole entity)                    canonical JSON of what LinkedIn sent
=====================  =========  ====================================  ===========================================

``campaigns`` (``GET /rest/adAccounts/{id}/adCampaigns?q=search``)

========================  =========  ====================================  ========================================
column                    type       source field                          meaning
========================  =========  ====================================  ========================================
id                        long       id                                    numeric campaign id
urn                       string     id                                    ``urn:li:sponsoredCampaign:{id}`` (join key)
name                      string     name                                  campaign name
status                    string     status                                ACTIVE, PAUSED, ARCHIVED, COMPLETED, ...
type                      string     type                                  TEXT_AD, SPONSORED_UPDATES, ...
objective_type            string     objectiveType                         BRAND_AWARENESS, WEBSITE_VISIT, ...
cost_type                 string     costType                              CPM, CPC, CPV
format                    string     format                                ad format (SINGLE_VIDEO, ...)
optimization_target_type  string     optimizationTargetType                bidding optimisation target
account_urn               string     account                               parent ``urn:li:sponsoredAccount:{id}``
campaign_group_urn        string     campaignGroup                         parent ``urn:li:sponsoredCampaignGroup:{id}``
daily_budget_amount       decimal    dailyBudget.amount                    daily budget, exact
daily_budget_currency     string     dailyBudget.currencyCode              its currency
total_budget_amount       decimal    totalBudget.amount                    lifetime budget, exact
total_budget_currency     string     totalBudget.currencyCode              its currency
unit_cost_amount          decimal    unitCost.amount                       bid per cost-type unit, exact
unit_cost_currency        string     unitCost.currencyCode                 its currency
run_schedule_start        timestamp  runSchedule.start                     scheduled start (UTC)
run_schedule_end          timestamp  runSchedule.end                       scheduled end (UTC); null: runs on
test                      boolean    test                                  belongs to a test account
created_at                timestamp  changeAuditStamps.created.time        when it was created (UTC)
last_modified_at          timestamp  changeAuditStamps.lastModified.time   when it last changed (UTC)
entity_json               json       (the whole entity)                    canonical JSON of what LinkedIn sent
========================  =========  ====================================  ========================================

``creatives`` (``GET /rest/adAccounts/{id}/creatives?q=criteria``; the versioned API sends the id as
a URN and the times as ``createdAt``/``lastModifiedAt``)

=====================  =========  ====================================  ===========================================
column                 type       source field                          meaning
=====================  =========  ====================================  ===========================================
id                     long       id                                    numeric creative id (from the URN)
urn                    string     id                                    ``urn:li:sponsoredCreative:{id}`` (join key)
name                   string     name                                  creative name (often absent: null)
status                 string     intendedStatus                        ACTIVE, PAUSED, DRAFT, ARCHIVED, ...
is_serving             boolean    isServing                             whether it is serving now
account_urn            string     account                               parent ``urn:li:sponsoredAccount:{id}``
campaign_urn           string     campaign                              parent ``urn:li:sponsoredCampaign:{id}``
content_reference      string     content.reference                     the sponsored post/share URN
review_status          string     review.status                         APPROVED, PENDING, REJECTED, ...
test                   boolean    isTest                                belongs to a test account
created_at             timestamp  createdAt                             when it was created (UTC)
last_modified_at       timestamp  lastModifiedAt                        when it last changed (UTC)
entity_json            json       (the whole entity)                    canonical JSON of what LinkedIn sent
=====================  =========  ====================================  ===========================================
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.errors import ConfigurationError, EntityFieldError
from airflow_provider_linkedin_ads.results import Column, ColumnKind

if TYPE_CHECKING:
    from collections.abc import Mapping

    from airflow_provider_linkedin_ads.results import ReportRow, RowValue

__all__ = [
    "SCHEMAS",
    "EntityColumn",
    "EntityType",
    "canonical_json",
    "entity_columns",
    "entity_id",
    "entity_row",
    "entity_type",
    "last_modified",
]


class EntityType(enum.StrEnum):
    """The four dimension tables.

    .. code-block:: python

        EntityType("campaigns") is EntityType.CAMPAIGNS  # True
    """

    AD_ACCOUNTS = "ad_accounts"
    CAMPAIGN_GROUPS = "campaign_groups"
    CAMPAIGNS = "campaigns"
    CREATIVES = "creatives"

    @property
    def urn_type(self) -> str:
        """The URN type of its ids (``sponsoredCampaign`` for campaigns)."""
        return _URN_TYPES[self]


_URN_TYPES = {
    EntityType.AD_ACCOUNTS: "sponsoredAccount",
    EntityType.CAMPAIGN_GROUPS: "sponsoredCampaignGroup",
    EntityType.CAMPAIGNS: "sponsoredCampaign",
    EntityType.CREATIVES: "sponsoredCreative",
}


@dataclass(frozen=True)
class EntityColumn:
    """One column of a dimension table: name, type, the source field and what it means.

    .. code-block:: python

        EntityColumn("cost_type", ColumnKind.STRING, "costType", "CPM, CPC, CPV")

    :param name: the column name.
    :param kind: its type.
    :param source: dotted path of the source field; ``id``-derived columns name ``id``.
    :param meaning: one line for the docs.
    """

    name: str
    kind: ColumnKind
    source: str
    meaning: str

    @property
    def column(self) -> Column:
        """The writer's :class:`~.results.Column`."""
        return Column(self.name, self.kind)


def _c(name: str, kind: ColumnKind, source: str, meaning: str = "") -> EntityColumn:
    return EntityColumn(name, kind, source, meaning)


_S, _L, _D, _T, _B = (
    ColumnKind.STRING,
    ColumnKind.LONG,
    ColumnKind.DECIMAL,
    ColumnKind.TIMESTAMP,
    ColumnKind.BOOLEAN,
)
_ID = (_c("id", _L, "id", "numeric id"), _c("urn", _S, "id", "the entity URN (join key)"))
_AUDIT = (
    _c("created_at", _T, "changeAuditStamps.created.time", "created (UTC)"),
    _c("last_modified_at", _T, "changeAuditStamps.lastModified.time", "last changed (UTC)"),
)
_SCHEDULE = (
    _c("run_schedule_start", _T, "runSchedule.start", "scheduled start (UTC)"),
    _c("run_schedule_end", _T, "runSchedule.end", "scheduled end (UTC)"),
)
_JSON = _c("entity_json", ColumnKind.JSON, "", "canonical JSON of the whole entity")


def _money(prefix: str, source: str) -> tuple[EntityColumn, EntityColumn]:
    return (
        _c(f"{prefix}_amount", _D, f"{source}.amount", "exact amount"),
        _c(f"{prefix}_currency", _S, f"{source}.currencyCode", "ISO 4217 currency"),
    )


#: The columns of each table, in order (see the module docstring for the documented tables).
SCHEMAS: Mapping[EntityType, tuple[EntityColumn, ...]] = {
    EntityType.AD_ACCOUNTS: (
        *_ID,
        _c("name", _S, "name"),
        _c("status", _S, "status"),
        _c("type", _S, "type"),
        _c("currency", _S, "currency"),
        _c("reference", _S, "reference"),
        _c("test", _B, "test"),
        *_AUDIT,
        _JSON,
    ),
    EntityType.CAMPAIGN_GROUPS: (
        *_ID,
        _c("name", _S, "name"),
        _c("status", _S, "status"),
        _c("account_urn", _S, "account"),
        *_money("total_budget", "totalBudget"),
        *_money("daily_budget", "dailyBudget"),
        *_SCHEDULE,
        _c("test", _B, "test"),
        *_AUDIT,
        _JSON,
    ),
    EntityType.CAMPAIGNS: (
        *_ID,
        _c("name", _S, "name"),
        _c("status", _S, "status"),
        _c("type", _S, "type"),
        _c("objective_type", _S, "objectiveType"),
        _c("cost_type", _S, "costType"),
        _c("format", _S, "format"),
        _c("optimization_target_type", _S, "optimizationTargetType"),
        _c("account_urn", _S, "account"),
        _c("campaign_group_urn", _S, "campaignGroup"),
        *_money("daily_budget", "dailyBudget"),
        *_money("total_budget", "totalBudget"),
        *_money("unit_cost", "unitCost"),
        *_SCHEDULE,
        _c("test", _B, "test"),
        *_AUDIT,
        _JSON,
    ),
    EntityType.CREATIVES: (
        *_ID,
        _c("name", _S, "name"),
        _c("status", _S, "intendedStatus"),
        _c("is_serving", _B, "isServing"),
        _c("account_urn", _S, "account"),
        _c("campaign_urn", _S, "campaign"),
        _c("content_reference", _S, "content.reference"),
        _c("review_status", _S, "review.status"),
        _c("test", _B, "isTest"),
        _c("created_at", _T, "createdAt", "created (UTC)"),
        _c("last_modified_at", _T, "lastModifiedAt", "last changed (UTC)"),
        _JSON,
    ),
}

_DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def entity_type(value: object, *, argument: str = "entity_type") -> EntityType:
    """Return ``value`` as an :class:`EntityType` (case and surrounding blanks ignored).

    :raises ConfigurationError: anything else, naming ``argument`` and the four types.
    """
    try:
        return EntityType(value.strip().lower() if isinstance(value, str) else str(value))
    except ValueError:
        allowed = ", ".join(item.value for item in EntityType)
        raise ConfigurationError(
            f"{argument} must be one of {allowed}, got {value!r:.60}", argument=argument
        ) from None


def entity_columns(kind: EntityType | str) -> tuple[Column, ...]:
    """Return the writer columns of one table, in order.

    .. code-block:: python

        [column.name for column in entity_columns("ad_accounts")][:3]  # ['id', 'urn', 'name']
    """
    return tuple(item.column for item in SCHEMAS[entity_type(kind)])


def entity_id(kind: EntityType | str, entity: Mapping[str, Any]) -> int:
    """Return an entity's numeric id: ``id`` as a number, or its URN of the table's type.

    :raises EntityFieldError: a missing id, or one that is neither (e.g. a URN of another type).
    """
    kind = entity_type(kind)
    raw = entity.get("id")
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw
    prefix = f"urn:li:{kind.urn_type}:"
    if isinstance(raw, str) and raw.startswith(prefix) and raw[len(prefix) :].isdigit():
        return int(raw[len(prefix) :])
    raise EntityFieldError(
        f"{kind}: id must be a numeric id or a {prefix}<id> URN, got {raw!r:.80}",
        entity_type=kind.value,
        entity_id=raw,
        field="id",
    )


def entity_row(kind: EntityType | str, entity: Mapping[str, Any]) -> ReportRow:
    """Return the typed row of one entity: every column of its table, in order.

    :param kind: the table.
    :param entity: the entity as LinkedIn sent it (decoded JSON).
    :raises EntityFieldError: a present field of the wrong type, naming the entity type, id and field.
    """
    kind = entity_type(kind)
    number = entity_id(kind, entity)
    row: ReportRow = {}
    for spec in SCHEMAS[kind]:
        if spec.name == "id":
            row["id"] = number
        elif spec.name == "urn":
            row["urn"] = f"urn:li:{kind.urn_type}:{number}"
        elif spec.kind is ColumnKind.JSON:
            try:
                row[spec.name] = canonical_json(entity)
            except ValueError as err:  # NaN or Infinity: JSON has no form for them
                raise _fail(kind, number, "entity", str(err)) from None
        else:
            row[spec.name] = _typed(kind, number, spec, _lookup(kind, number, entity, spec.source))
    return row


def last_modified(kind: EntityType | str, entity: Mapping[str, Any]) -> dt.datetime | None:
    """Return when an entity last changed (its ``last_modified_at`` column), or ``None`` when not sent.

    :raises EntityFieldError: a time of the wrong type.
    """
    kind = entity_type(kind)
    spec = next(item for item in SCHEMAS[kind] if item.name == "last_modified_at")
    number = entity_id(kind, entity)
    value = _typed(kind, number, spec, _lookup(kind, number, entity, spec.source))
    return value if isinstance(value, dt.datetime) else None


def _fail(kind: EntityType, number: int, field: str, message: str) -> EntityFieldError:
    return EntityFieldError(
        f"{kind} {number}: {field} {message}", entity_type=kind.value, entity_id=number, field=field
    )


def _lookup(kind: EntityType, number: int, entity: Mapping[str, Any], source: str) -> Any:
    value: Any = entity
    parts = source.split(".")
    for depth, part in enumerate(parts):
        if value is None:
            return None  # an absent optional record: every field below it is null
        if not isinstance(value, dict):
            raise _fail(
                kind, number, ".".join(parts[:depth]), f"must be an object, got {type(value).__name__}"
            )
        value = value.get(part)
    return value


def _typed(kind: EntityType, number: int, spec: EntityColumn, value: Any) -> RowValue:
    if value is None:
        return None
    column = spec.kind
    if column is ColumnKind.STRING and isinstance(value, str):
        return value
    if column is ColumnKind.BOOLEAN and isinstance(value, bool):
        return value
    if column is ColumnKind.LONG and isinstance(value, int) and not isinstance(value, bool):
        return value
    if column is ColumnKind.DECIMAL and isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        return Decimal(value)
    if column is ColumnKind.TIMESTAMP and isinstance(value, int) and not isinstance(value, bool):
        try:
            return _EPOCH + dt.timedelta(milliseconds=value)
        except OverflowError:
            raise _fail(kind, number, spec.source, f"is out of range: {value}") from None
    wanted = {
        ColumnKind.DECIMAL: "a decimal string such as '12.50'",
        ColumnKind.TIMESTAMP: "an integer of epoch milliseconds",
    }.get(column, f"a {column.value}")
    raise _fail(kind, number, spec.source, f"must be {wanted}, got {type(value).__name__} {value!r:.60}")


def canonical_json(entity: Any) -> str:
    """Return ``entity`` as canonical JSON: keys sorted, no whitespace, numbers exactly as decoded.

    Decimal numbers (the client decodes JSON fractions as :class:`~decimal.Decimal`) keep every digit.

    .. code-block:: python

        canonical_json({"b": 1, "a": Decimal("0.10")})  # '{"a":0.10,"b":1}'
    """
    return "".join(_json_parts(entity))


def _json_parts(value: Any) -> list[str]:
    if isinstance(value, dict):
        parts = ["{"]
        for index, key in enumerate(sorted(value, key=str)):
            parts.append(("," if index else "") + json.dumps(str(key), ensure_ascii=False) + ":")
            parts.extend(_json_parts(value[key]))
        return [*parts, "}"]
    if isinstance(value, list | tuple):
        parts = ["["]
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            parts.extend(_json_parts(item))
        return [*parts, "]"]
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} has no JSON form")
        return [str(value)]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} has no JSON form")
    return [json.dumps(value, ensure_ascii=False)]
