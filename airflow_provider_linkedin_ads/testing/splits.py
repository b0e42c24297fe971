"""Pivot values of a creative-day: constant entity values and exact delivery splits.

Entity pivots (``ACCOUNT``, ``CAMPAIGN``, ``COMPANY``, ``OBJECTIVE_TYPE``, ...) give every fact of
a creative one value. Delivery pivots split each creative-day's facts across several values with
an *exact integer partition* (the parts sum back to the whole, Decimal columns included, since they
are integers too), so a report pivoted by device type sums to the same totals as one pivoted by
campaign.

Synthetic value forms (LinkedIn does not document all of them):

* ``IMPRESSION_DEVICE_TYPE``: ``DESKTOP_WEB``, ``MOBILE_APP``, ``MOBILE_WEB``, ``TABLET_APP``;
* ``SERVING_LOCATION``: ``ON_SITE``, ``OFF_SITE`` (Audience Network; sponsored content only);
* ``PLACEMENT_NAME``: ``FEED``, ``AUDIENCE_NETWORK``, ``UNKNOWN``; ``RIGHT_RAIL``/``TOP_BANNER``
  for text ads; ``MESSAGING`` for message ads;
* ``CARD_INDEX``: ``"0"``, ``"1"``, ... (carousel creatives only; others give no rows);
* ``CONVERSATION_NODE``: the node id as digits; ``CONVERSATION_NODE_OPTION_INDEX``:
  ``"<node id>:<button index>"`` (message creatives only);
* ``EVENT_STAGE``: ``PRE_LIVE``, ``LIVE``, ``POST_LIVE`` (event creatives only);
* ``CONVERSION``: ``urn:lla:llaPartnerConversion:N``, one per conversion the campaign tracks
  (campaigns without conversions give no rows).

.. code-block:: python

    splitter = DeliverySplitter(Pivot.IMPRESSION_DEVICE_TYPE)
    splitter.split(program, h, [100, 7])  # [('DESKTOP_WEB', [41, 2]), ...] summing to [100, 7]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.enums import Pivot
from airflow_provider_linkedin_ads.testing.entities import Account, CreativeKind
from airflow_provider_linkedin_ads.testing.hashing import hash_text, mix64

if TYPE_CHECKING:
    from collections.abc import Callable

    from airflow_provider_linkedin_ads.testing.facts import FactProgram

__all__ = ["DELIVERY_PIVOTS", "DeliverySplitter", "constant_value", "partition"]

_Choices = tuple[tuple[str, ...], tuple[int, ...]]


def _device(program: FactProgram) -> _Choices:
    return ("DESKTOP_WEB", "MOBILE_APP", "MOBILE_WEB", "TABLET_APP"), (40, 42, 12, 6)


def _serving(program: FactProgram) -> _Choices:
    if program.creative.kind in {CreativeKind.MESSAGE, CreativeKind.TEXT}:
        return ("ON_SITE",), (1,)
    return ("ON_SITE", "OFF_SITE"), (85, 15)


def _placement(program: FactProgram) -> _Choices:
    kind = program.creative.kind
    if kind is CreativeKind.MESSAGE:
        return ("MESSAGING",), (1,)
    if kind is CreativeKind.TEXT:
        return ("RIGHT_RAIL", "TOP_BANNER"), (70, 30)
    return ("FEED", "AUDIENCE_NETWORK", "UNKNOWN"), (80, 15, 5)


def _cards(program: FactProgram) -> _Choices | None:
    if program.creative.kind is not CreativeKind.CAROUSEL:
        return None
    count = 2 + program.key % 5
    return tuple(str(index) for index in range(count)), tuple(60 // (index + 1) for index in range(count))


def _nodes(program: FactProgram) -> list[int]:
    count = 3 + program.key % 3
    return [program.creative.id * 10 + index for index in range(1, count + 1)]


def _conversation_nodes(program: FactProgram) -> _Choices | None:
    if program.creative.kind is not CreativeKind.MESSAGE:
        return None
    nodes = _nodes(program)
    return tuple(str(node) for node in nodes), tuple(50 // (index + 1) for index in range(len(nodes)))


def _conversation_options(program: FactProgram) -> _Choices | None:
    if program.creative.kind is not CreativeKind.MESSAGE:
        return None
    values = tuple(f"{node}:{button}" for node in _nodes(program) for button in (0, 1))
    return values, tuple(30 - 2 * index for index in range(len(values)))


def _event_stage(program: FactProgram) -> _Choices | None:
    if program.creative.kind is not CreativeKind.EVENT:
        return None
    return ("PRE_LIVE", "LIVE", "POST_LIVE"), (15, 55, 30)


def _conversion(program: FactProgram) -> _Choices | None:
    ids = program.campaign.conversion_ids
    if not ids:
        return None
    return tuple(f"urn:lla:llaPartnerConversion:{cid}" for cid in ids), tuple(
        40 - 10 * i for i in range(len(ids))
    )


#: Delivery pivots -> the values (and base weights) a creative splits into; ``None``: no rows.
DELIVERY_PIVOTS: dict[Pivot, Callable[[FactProgram], _Choices | None]] = {
    Pivot.IMPRESSION_DEVICE_TYPE: _device,
    Pivot.SERVING_LOCATION: _serving,
    Pivot.PLACEMENT_NAME: _placement,
    Pivot.CARD_INDEX: _cards,
    Pivot.CONVERSATION_NODE: _conversation_nodes,
    Pivot.CONVERSATION_NODE_OPTION_INDEX: _conversation_options,
    Pivot.EVENT_STAGE: _event_stage,
    Pivot.CONVERSION: _conversion,
}


def partition(values: list[str], weights: list[int], facts: list[int]) -> list[tuple[str, list[int]]]:
    """Split ``facts`` across ``values`` in proportion to ``weights``, exactly.

    Every part but the last is floored; the last takes the remainder, so the parts always sum back
    to ``facts``. A part without an impression is folded into the last one (a row needs activity):
    whether a row exists then depends on impressions only, never on which other metrics a query
    computes, so every field chunk of a report sees the same rows (the last part always keeps at
    least one impression, as ``facts[0]`` is positive).

    :param values: the pivot values.
    :param weights: positive weights, one per value.
    :param facts: the creative-day's fact vector.
    """
    total = sum(weights)
    remaining = list(facts)
    parts: list[tuple[str, list[int]]] = []
    for value, weight in zip(values[:-1], weights[:-1], strict=True):
        part = [fact * weight // total for fact in facts]
        remaining = [left - taken for left, taken in zip(remaining, part, strict=True)]
        parts.append((value, part))
    kept: list[tuple[str, list[int]]] = []
    for value, part in parts:
        if part[0] > 0:
            kept.append((value, part))
        else:
            remaining = [left + folded for left, folded in zip(remaining, part, strict=True)]
    kept.append((values[-1], remaining))
    return kept


class DeliverySplitter:
    """Splits creative-day facts across a delivery pivot's values (see the module docstring).

    .. code-block:: python

        DeliverySplitter(Pivot.CARD_INDEX).accepts(program)  # True for carousel creatives only

    :param pivot: one of :data:`DELIVERY_PIVOTS`.
    """

    def __init__(self, pivot: Pivot) -> None:
        self.pivot = pivot
        self._choices = DELIVERY_PIVOTS[pivot]
        self._salt = hash_text(pivot.value)

    def accepts(self, program: FactProgram) -> bool:
        """Whether the creative has any value for this pivot."""
        return self._choices(program) is not None

    def split(
        self, program: FactProgram, ordinal: int, h: int, facts: list[int]
    ) -> list[tuple[str, list[int]]]:
        """Split one creative-day; the day's hash varies the weights from day to day."""
        choices = self._choices(program)
        if choices is None:
            return []
        values, base = choices
        if len(values) == 1:
            return [(values[0], facts)]
        mixed = mix64(h ^ self._salt)
        weights = [weight * (32 + ((mixed >> (5 * index)) & 31)) for index, weight in enumerate(base)]
        return partition(list(values), weights, facts)


def constant_value(pivot: Pivot, program: FactProgram, account: Account) -> str | None:
    """Return the value of an entity pivot for every fact of a creative (``None``: not an entity pivot).

    :param pivot: the pivot.
    :param program: the creative's fact program (creative and campaign).
    :param account: the creative's account.
    """
    creative, campaign = program.creative, program.campaign
    values = {
        Pivot.ACCOUNT: f"urn:li:sponsoredAccount:{account.id}",
        Pivot.CAMPAIGN_GROUP: f"urn:li:sponsoredCampaignGroup:{campaign.group_id}",
        Pivot.CAMPAIGN: f"urn:li:sponsoredCampaign:{campaign.id}",
        Pivot.CREATIVE: f"urn:li:sponsoredCreative:{creative.id}",
        Pivot.COMPANY: f"urn:li:organization:{account.organization_id}",
        Pivot.SHARE: f"urn:li:share:{creative.share_id}",
        Pivot.OBJECTIVE_TYPE: campaign.objective_type,
    }
    return values.get(pivot)
