"""Typed access to a LinkedIn Ads connection's ``extra``, with the legacy-key fallback.

Airflow's connection form used to store custom fields under UI-prefixed keys
(``extra__linkedin_ads__refresh_token``); since Airflow 2.3 the bare key (``refresh_token``) is the
norm and the 3.2+ declarative form writes bare keys too. Both are read here, the bare key winning,
with a :class:`ConflictingExtraWarning` when both carry a value (the rule of the Slack provider's
``ConnectionExtraConfig``).

Malformed input fails early with a :class:`~airflow_provider_linkedin_ads.errors.ConfigurationError`
naming the field; values are never echoed, because most of these fields are secrets.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from typing import Any

from airflow.exceptions import AirflowProviderDeprecationWarning

from airflow_provider_linkedin_ads.errors import ConfigurationError

__all__ = [
    "DEPRECATED_EXTRA_FIELDS",
    "KNOWN_EXTRA_FIELDS",
    "ConflictingExtraWarning",
    "ConnectionExtras",
    "parse_extra",
]

#: The extras this provider reads (``conn-fields`` in ``get_provider_info``).
KNOWN_EXTRA_FIELDS: tuple[str, ...] = (
    "refresh_token",
    "access_token",
    "api_version",
    "api_base_url",
    "oauth_url",
    "attempt_timeout",
    "max_response_bytes",
)

#: Old extra name -> its replacement; still read, with a deprecation warning. ``token_url`` was
#: renamed because Airflow's secrets masker hides every extra whose name contains "token", so the
#: connection form showed the (public) token endpoint as ``***`` and so did every error naming it.
DEPRECATED_EXTRA_FIELDS: dict[str, str] = {"token_url": "oauth_url"}


class ConflictingExtraWarning(UserWarning):
    """An extra is set under both its bare key and its legacy ``extra__<type>__`` key."""


def parse_extra(raw: object, *, conn_id: str | None = None) -> dict[str, Any]:
    """Return a connection's ``extra`` as a dict; empty when unset.

    :param raw: ``Connection.extra``: a JSON object as text, a mapping, or ``None``/``""``.
    :param conn_id: the connection id, for the error message.
    :raises ConfigurationError: (``argument="extra"``) for text that is not JSON, or JSON that is not
        an object.
    """
    if raw is None or raw == "":
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    if not isinstance(raw, str):
        raise ConfigurationError(
            f"extra of connection {conn_id!r} must be a JSON object, got {type(raw).__name__}",
            argument="extra",
        )
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ConfigurationError(
            f"extra of connection {conn_id!r} is not valid JSON (line {err.lineno}, column {err.colno})",
            argument="extra",
        ) from None  # the JSON error quotes the text, which may hold secrets
    if not isinstance(parsed, dict):
        raise ConfigurationError(
            f"extra of connection {conn_id!r} must be a JSON object, got a JSON {type(parsed).__name__}",
            argument="extra",
        )
    return parsed


class ConnectionExtras:
    """Read one connection's extras by bare key, falling back to ``extra__<conn_type>__<key>``.

    :param extra: the parsed ``extra`` mapping (see :func:`parse_extra`).
    :param conn_type: the connection type used in legacy keys.
    :param conn_id: the connection id, for messages.

    .. code-block:: python

        extras = ConnectionExtras.from_connection(BaseHook.get_connection("linkedin_ads_default"))
        extras.get_str("api_version")  # "202608" or None
    """

    def __init__(
        self, extra: Mapping[str, Any], *, conn_type: str = "linkedin_ads", conn_id: str | None = None
    ) -> None:
        self.extra = dict(extra)
        self.conn_type = conn_type
        self.conn_id = conn_id

    @classmethod
    def from_connection(cls, connection: Any, *, conn_type: str = "linkedin_ads") -> ConnectionExtras:
        """Build from an Airflow ``Connection`` (Task-SDK or 2.x model), parsing its raw ``extra``.

        The raw text is parsed here rather than through ``extra_dejson``, which on some Airflow
        versions logs and swallows malformed JSON and returns ``{}``: that would turn a typo into a
        confusing "no credentials" error later.
        """
        conn_id = getattr(connection, "conn_id", None)
        return cls(parse_extra(connection.extra, conn_id=conn_id), conn_type=conn_type, conn_id=conn_id)

    def legacy_key(self, field: str) -> str:
        """Return the UI-prefixed key of ``field``, e.g. ``extra__linkedin_ads__refresh_token``."""
        return f"extra__{self.conn_type}__{field}"

    def get_str(self, field: str) -> str | None:
        """Return a text extra, stripped, or ``None`` when absent or blank under both keys.

        A field that replaced an older name (:data:`DEPRECATED_EXTRA_FIELDS`) falls back to the old
        name, with an ``AirflowProviderDeprecationWarning`` whenever the old name is still set.

        :param field: the bare key, e.g. ``"refresh_token"``.
        :raises ConfigurationError: (``argument=field``) when the value is not a string.
        """
        value = self._current_str(field)
        for old, new in DEPRECATED_EXTRA_FIELDS.items():
            previous = self._current_str(old) if new == field else None
            if previous is None:
                continue
            warnings.warn(
                f"Connection {self.conn_id!r}: the extra {old!r} is deprecated, rename it to {field!r}"
                f"{f' (ignored: {field} is set)' if value is not None else ''}",
                AirflowProviderDeprecationWarning,
                stacklevel=2,
            )
            value = previous if value is None else value
        return value

    def _current_str(self, field: str) -> str | None:
        bare = self._text(field, field)
        legacy = self._text(field, self.legacy_key(field))
        if bare is not None and legacy is not None:
            warnings.warn(
                f"Connection {self.conn_id!r} sets both {field!r} and {self.legacy_key(field)!r} in extra; "
                f"using {field!r}. Remove the legacy key {self.legacy_key(field)!r}.",
                ConflictingExtraWarning,
                stacklevel=2,
            )
        return bare if bare is not None else legacy

    def get_number(self, field: str, *, integer: bool = False) -> float | int | None:
        """Return a numeric extra (a JSON number or a numeric string), or ``None`` when absent or blank.

        :param field: the bare key, e.g. ``"attempt_timeout"``.
        :param integer: require a whole number (returned as ``int``).
        :raises ConfigurationError: (``argument=field``) when the value is not such a number.
        """
        value: object = self.extra.get(field)
        if value is None:
            value = self.extra.get(self.legacy_key(field))
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise TypeError(type(value).__name__)
            if integer and isinstance(value, float) and not value.is_integer():
                raise ValueError("fraction")
            number = int(value) if integer else float(value)
        except (TypeError, ValueError):
            kind = "a whole number" if integer else "a number"
            raise ConfigurationError(
                f"extra {field!r} of connection {self.conn_id!r} must be {kind}, got {type(value).__name__} "
                f"{str(value)[:40]!r}",
                argument=field,
            ) from None
        return number

    def unknown_keys(
        self, known: tuple[str, ...] = (*KNOWN_EXTRA_FIELDS, *DEPRECATED_EXTRA_FIELDS)
    ) -> list[str]:
        """Keys of ``extra`` this provider does not read (typos, fields of another connection type)."""
        expected = set(known) | {self.legacy_key(name) for name in known}
        return sorted(key for key in self.extra if key not in expected)

    def _text(self, field: str, key: str) -> str | None:
        value = self.extra.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            # Name the key (bare or legacy) but never the value: it may be a secret.
            raise ConfigurationError(
                f"extra {key!r} of connection {self.conn_id!r} must be a string, got {type(value).__name__}",
                argument=field,
            )
        return value.strip() or None
