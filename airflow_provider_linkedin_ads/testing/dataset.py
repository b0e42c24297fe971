"""The JSON dataset format of a world (the emulator CLI's ``--data`` file).

Either generator parameters or explicit entities; see :meth:`World.from_dict
<airflow_provider_linkedin_ads.testing.world.World.from_dict>` for the full description.

.. code-block:: python

    parse_dataset({"seed": 3, "accounts": 2}).source  # WorldParameters(seed=3, accounts=2, ...)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing.entities import (
    account_from_dict,
    campaign_from_dict,
    campaign_group_from_dict,
    creative_from_dict,
    to_dict,
)
from airflow_provider_linkedin_ads.testing.generator import Entities, WorldParameters

__all__ = ["DATASET_FORMAT", "ParsedDataset", "parse_dataset", "world_dict"]

#: Value of the ``format`` key written by ``World.to_dict``.
DATASET_FORMAT = "linkedin-ads-emulator-world/1"
_PARAMETER_KEYS = frozenset(
    {
        "seed",
        "accounts",
        "campaigns_per_account",
        "creatives_per_campaign",
        "history_days",
        "today",
        "members",
    }
)
_ENTITY_KEYS = frozenset(
    {"format", "seed", "today", "accounts", "campaign_groups", "campaigns", "creatives", "members"}
)


@dataclasses.dataclass(frozen=True)
class ParsedDataset:
    """A validated dataset.

    :param seed: the world seed.
    :param today: the world's reference day.
    :param source: generator parameters, or the explicit entities.
    :param members: the optional access model.
    """

    seed: int
    today: dt.date
    source: WorldParameters | Entities
    members: dict[str, list[int]] | None


def _today(data: Mapping[str, Any]) -> dt.date:
    value = data.get("today", WorldParameters.today)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as err:
        raise ConfigurationError(f"today is not an ISO date: {value!r}", argument="today") from err


def _members(data: Mapping[str, Any]) -> dict[str, list[int]] | None:
    members = data.get("members")
    if members is None:
        return None
    if not isinstance(members, Mapping) or not all(
        isinstance(ids, list) and all(isinstance(item, int) and not isinstance(item, bool) for item in ids)
        for ids in members.values()
    ):
        raise ConfigurationError("members must map member names to lists of account ids", argument="members")
    return {str(name): list(ids) for name, ids in members.items()}


def _check_keys(data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigurationError(
            f"unknown dataset key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}",
            argument=unknown[0],
        )


def _entity_list(data: Mapping[str, Any], key: str) -> list[Any]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise ConfigurationError(f"{key} must be a list of objects", argument=key)
    return items


def parse_dataset(data: Mapping[str, Any]) -> ParsedDataset:
    """Validate a dataset and return what it describes.

    :param data: the parsed JSON object.
    :raises ConfigurationError: not an object, unknown keys, missing or mistyped values.
    """
    if not isinstance(data, Mapping):
        raise ConfigurationError(
            f"a dataset must be a JSON object, got {type(data).__name__}", argument="data"
        )
    seed = data.get("seed", WorldParameters.seed)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigurationError(f"seed must be an integer, got {seed!r}", argument="seed")
    today = _today(data)
    if not isinstance(data.get("accounts"), list):
        _check_keys(data, _PARAMETER_KEYS)
        values = {key: data[key] for key in _PARAMETER_KEYS - {"seed", "today", "members"} if key in data}
        return ParsedDataset(seed, today, WorldParameters(seed=seed, today=today, **values), _members(data))
    _check_keys(data, _ENTITY_KEYS)
    if data.get("format", DATASET_FORMAT) != DATASET_FORMAT:
        raise ConfigurationError(f"format must be {DATASET_FORMAT!r}", argument="format")
    entities = Entities(
        [account_from_dict(item, f"accounts[{i}]") for i, item in enumerate(_entity_list(data, "accounts"))],
        [
            campaign_group_from_dict(item, f"campaign_groups[{i}]")
            for i, item in enumerate(_entity_list(data, "campaign_groups"))
        ],
        [
            campaign_from_dict(item, f"campaigns[{i}]")
            for i, item in enumerate(_entity_list(data, "campaigns"))
        ],
        [
            creative_from_dict(item, f"creatives[{i}]")
            for i, item in enumerate(_entity_list(data, "creatives"))
        ],
    )
    return ParsedDataset(seed, today, entities, _members(data))


def world_dict(
    seed: int, today: dt.date, entities: Entities, members: Mapping[str, frozenset[int]]
) -> dict[str, Any]:
    """Return the explicit-entities dataset (JSON-ready).

    :param seed: the world seed.
    :param today: the world's reference day.
    :param entities: every entity.
    :param members: the access model (may be empty).
    """
    data: dict[str, Any] = {
        "format": DATASET_FORMAT,
        "seed": seed,
        "today": today.isoformat(),
        "accounts": [to_dict(item) for item in entities.accounts],
        "campaign_groups": [to_dict(item) for item in entities.campaign_groups],
        "campaigns": [to_dict(item) for item in entities.campaigns],
        "creatives": [to_dict(item) for item in entities.creatives],
    }
    if members:
        data["members"] = {name: sorted(ids) for name, ids in sorted(members.items())}
    return data
