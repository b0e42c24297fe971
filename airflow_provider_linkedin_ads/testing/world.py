"""The deterministic synthetic advertiser world behind the emulator, and the ground truth of tests.

A :class:`World` is generated from a seed (or loaded from a JSON dataset): accounts with currencies,
campaign groups, campaigns with run dates, objectives and conversions, creatives of every format.
Facts are never stored: each creative's daily facts are computed on demand from the seed, and every
granularity, pivot and facet of a report is an exact aggregation of those same facts. So:

* performance sums agree exactly across queries (DAILY summed == MONTHLY == ALL, CAMPAIGN summed
  == ACCOUNT, a facet on accounts == a facet on those accounts' campaigns), Decimal metrics included;
* :meth:`World.answer` is the complete, untruncated list of ``elements`` for a query, which tests
  use as the expected response of the emulator (which cuts it at 15,000);
* demographic values are approximate by design and delays follow the emulator clock (see
  ``demographics.py`` and ``facts.py``).

.. code-block:: python

    world = World(seed=7)
    query = ReportQuery(
        finder=Finder.ANALYTICS, pivots=(Pivot.CAMPAIGN,), granularity=TimeGranularity.DAILY,
        start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 7),
        facets={"accounts": (f"urn:li:sponsoredAccount:{next(iter(world.accounts))}",)},
        fields=("dateRange", "pivotValues", "impressions", "costInLocalCurrency"),
    )
    rows = world.answer(query, now=dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing.aggregate import (
    Buckets,
    Splitter,
    Template,
    accumulate,
    effective_range,
)
from airflow_provider_linkedin_ads.testing.catalog import Catalog
from airflow_provider_linkedin_ads.testing.dataset import parse_dataset, world_dict
from airflow_provider_linkedin_ads.testing.demographics import DemographicSplitter
from airflow_provider_linkedin_ads.testing.facts import ColumnPlan, FactProgram, Maturity, column_plan
from airflow_provider_linkedin_ads.testing.generator import Entities, WorldParameters, generate
from airflow_provider_linkedin_ads.testing.lookups import LOOKUP_KINDS, NAMES
from airflow_provider_linkedin_ads.testing.revenue import RevenueQuery, revenue_elements
from airflow_provider_linkedin_ads.testing.rows import DEFAULT_FIELDS, RowSpec, render_rows
from airflow_provider_linkedin_ads.testing.splits import DELIVERY_PIVOTS, DeliverySplitter, constant_value

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from airflow_provider_linkedin_ads.testing.query import ReportQuery

__all__ = ["World"]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    # A large answer allocates hundreds of thousands of small lists and dicts, none of them cyclic;
    # the cyclic collector would rescan them over and over and more than double the time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class World(Catalog):
    """A seeded synthetic advertiser world that answers ``adAnalytics`` queries exactly.

    .. code-block:: python

        world = World(seed=42, accounts=5, campaigns_per_account=1000, history_days=730)
        world.answer(query, now=emulator_clock_now)

    :param seed: everything derives from it; equal seeds give equal worlds.
    :param accounts: number of ad accounts.
    :param campaigns_per_account: campaigns per account.
    :param creatives_per_campaign: creatives per campaign.
    :param history_days: how far back the earliest campaigns start.
    :param today: the world's reference day (entity statuses are relative to it; facts follow the
        ``now`` given to :meth:`answer`).
    :param members: optional access model, member name -> account ids (see :meth:`accounts_for_member`).
    """

    def __init__(
        self,
        *,
        seed: int = 7,
        accounts: int = 3,
        campaigns_per_account: int = 20,
        creatives_per_campaign: int = 3,
        history_days: int = 800,
        today: dt.date = dt.date(2026, 11, 28),
        members: Mapping[str, Iterable[int]] | None = None,
    ) -> None:
        params = WorldParameters(
            seed, accounts, campaigns_per_account, creatives_per_campaign, history_days, today
        )
        self._install(seed, today, generate(params), members)

    def _install(
        self, seed: int, today: dt.date, entities: Entities, members: Mapping[str, Iterable[int]] | None
    ) -> None:
        Catalog.__init__(self, entities)
        self.seed = seed
        self.today = today
        self._members = {
            str(name): frozenset(int(item) for item in ids) for name, ids in (members or {}).items()
        }
        organizations = {str(account.organization_id): account.name for account in self.accounts.values()}
        self._organizations = MappingProxyType({**NAMES["organization"], **organizations})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> World:
        """Build a world from a JSON dataset (the CLI's ``--data`` file).

        Two forms are accepted:

        * generator parameters: ``{"seed": 7, "accounts": 3, "campaigns_per_account": 20,
          "creatives_per_campaign": 3, "history_days": 800, "today": "2026-11-28"}`` (every key
          optional, defaults as in the constructor);
        * explicit entities (what :meth:`to_dict` writes): ``{"seed": 7, "today": "2026-11-28",
          "accounts": [{"id", "name", "currency", "status", "type", "organization_id",
          "crm_connected"}], "campaign_groups": [{"id", "account_id", "name", "status"}],
          "campaigns": [{"id", "account_id", "group_id", "name", "status", "start", "end",
          "objective_type", "campaign_type", "conversion_ids"}], "creatives": [{"id",
          "account_id", "campaign_id", "kind", "share_id"}]}``; dates are ISO strings, ``end`` may be
          ``null``, ``kind`` is one of IMAGE, VIDEO, CAROUSEL, TEXT, DOCUMENT, EVENT, MESSAGE.

        Both forms may add ``"members": {"<member>": [<account id>, ...]}``. Facts derive from the
        seed and the entities, so a dataset written by :meth:`to_dict` reproduces every answer.

        :param data: the parsed JSON object.
        :raises ConfigurationError: unknown keys, missing or mistyped values, dangling references.
        """
        parsed = parse_dataset(data)
        if isinstance(parsed.source, WorldParameters):
            params = parsed.source
            return cls(
                seed=params.seed,
                accounts=params.accounts,
                campaigns_per_account=params.campaigns_per_account,
                creatives_per_campaign=params.creatives_per_campaign,
                history_days=params.history_days,
                today=params.today,
                members=parsed.members,
            )
        world = cls.__new__(cls)
        world._install(parsed.seed, parsed.today, parsed.source, parsed.members)
        return world

    def to_dict(self) -> dict[str, Any]:
        """Return the explicit-entities dataset of this world (JSON-ready; see :meth:`from_dict`)."""
        entities = Entities(
            list(self.accounts.values()),
            list(self.campaign_groups.values()),
            list(self.campaigns.values()),
            list(self.creatives.values()),
        )
        return world_dict(self.seed, self.today, entities, self._members)

    def names(self, kind: str) -> Mapping[str, str]:
        """Id -> display name for a lookup endpoint.

        :param kind: one of ``organization`` (advertisers and member employers), ``geo``, ``title``,
            ``function``, ``seniority``, ``industry``.
        :raises ConfigurationError: an unknown kind.
        """
        if kind == "organization":
            return self._organizations
        if kind not in LOOKUP_KINDS:
            raise ConfigurationError(
                f"kind must be one of {', '.join(LOOKUP_KINDS)}, got {kind!r}", argument="kind"
            )
        return NAMES[kind]

    def accounts_for_member(self, member: str) -> frozenset[int]:
        """Account ids a member's token can read.

        Members listed in the dataset's ``members`` see exactly their accounts; any other member
        sees every account but the last one, so "no access" (an empty 200) can be tested.

        :param member: the member behind an access token.
        """
        if member in self._members:
            return self._members[member] & frozenset(self.accounts)
        ids = list(self.accounts)
        return frozenset(ids[:-1] if len(ids) > 1 else ids)

    def answer(self, query: ReportQuery, *, now: dt.datetime) -> list[dict[str, Any]]:
        """Return the complete (never truncated) ``elements`` of ``query``, as the emulator clock sees them.

        Sorted by ``dateRange`` start, then ``pivotValues`` (URN ids numerically).

        :param query: a validated request.
        :param now: the emulator's clock (aware UTC; a naive value is taken as UTC).
        """
        with _gc_paused():
            return self._answer(query, Maturity.at(now))

    def _answer(self, query: ReportQuery, maturity: Maturity) -> list[dict[str, Any]]:
        today = dt.date.fromordinal(maturity.today)
        if query.finder is Finder.ATTRIBUTED_REVENUE:
            return self._revenue(query, today, maturity)
        covered = effective_range(query.granularity, query.start, query.end, today)
        buckets = Buckets.make(query.granularity, covered.start, covered.end)
        plan = column_plan(frozenset(DEFAULT_FIELDS if query.fields is None else query.fields))
        sources = self._sources(self.select(query), query.pivots, plan, maturity, buckets)
        accumulated = accumulate(sources, buckets, maturity)
        return render_rows(accumulated, buckets, RowSpec(query.fields, query.pivots, covered.days, plan))

    def _splitter(self, pivot: Pivot, maturity: Maturity) -> Splitter | None:
        if pivot.is_demographic:
            return DemographicSplitter(pivot, maturity)
        if pivot in DELIVERY_PIVOTS:
            return DeliverySplitter(pivot)
        return None

    def _sources(
        self,
        creatives: list[Any],
        pivots: tuple[Pivot, ...],
        plan: ColumnPlan,
        maturity: Maturity,
        buckets: Buckets,
    ) -> Iterator[tuple[FactProgram, Template]]:
        splitters = {pivot: self._splitter(pivot, maturity) for pivot in pivots}
        first, last = dt.date.fromordinal(buckets.first), dt.date.fromordinal(buckets.last)
        for creative in creatives:
            campaign = self.campaigns[creative.campaign_id]
            if campaign.start > last or (campaign.end is not None and campaign.end < first):
                continue  # nothing in range: skip compiling its program
            account = self.accounts[creative.account_id]
            program = FactProgram.build(
                seed=self.seed, creative=creative, campaign=campaign, currency=account.currency, plan=plan
            )
            template: list[str | Splitter] = []
            for pivot in pivots:
                splitter = splitters[pivot]
                value = constant_value(pivot, program, account) if splitter is None else None
                if splitter is not None and splitter.accepts(program):
                    template.append(splitter)
                elif value is not None:
                    template.append(value)
                else:
                    break
            else:
                yield program, tuple(template)

    def _revenue(self, query: ReportQuery, today: dt.date, maturity: Maturity) -> list[dict[str, Any]]:
        campaigns = [
            campaign
            for campaign in self.select_campaigns(query)
            if self.accounts[campaign.account_id].crm_connected
        ]
        pivots = tuple(
            pivot for pivot in query.pivots if pivot in {Pivot.ACCOUNT, Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN}
        )
        request = RevenueQuery(
            pivots,
            effective_range(None, query.start, query.end, today),
            query.fields,
            query.revenue_fields,
            today,
        )
        buckets = Buckets.make(TimeGranularity.ALL, query.start, query.end)
        plan = column_plan(frozenset({"costInUsd"}))
        creatives = [creative for campaign in campaigns for creative in self.creatives_of(campaign.id)]
        accumulated = accumulate(self._sources(creatives, pivots, plan, maturity, buckets), buckets, maturity)
        position = plan.index["costInUsd"]
        cost = {values: entry[0][position] for (_bucket, values), entry in accumulated.rows.items()}
        return revenue_elements(self.seed, request, campaigns, cost)
