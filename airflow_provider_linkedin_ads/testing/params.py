"""Query-parameter reading shared by every emulated endpoint, in Rest.li protocol 2.0 or 1.0.

Each helper turns one decoded parameter into a Python value or raises a :class:`Rejection` whose 400
body names the parameter (``errorDetails.inputErrors[].input.inputPath.fieldPath``).

* Protocol 2.0 (``X-Restli-Protocol-Version: 2.0.0``): decoding is lenient only where LinkedIn's own
  sample URLs need it (raw ``:`` inside list elements, ``pivot=(MEMBER_COUNTRY_V2)``); protocol 1.0
  names (``pivot.value=``, ``campaigns[0]=``) are refused with ``QUERY_PARAM_NOT_ALLOWED`` and the
  2.0 spelling, as LinkedIn does.
* Protocol 1.0 (no header, or ``1.0.0``): dotted and indexed names are read by :mod:`.restli1` into
  the very same decoded values, so both forms of one query get the same answer.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from airflow_provider_linkedin_ads import restli
from airflow_provider_linkedin_ads.errors import RestliError
from airflow_provider_linkedin_ads.testing.responses import Rejection, input_error
from airflow_provider_linkedin_ads.testing.restli1 import decode_query

if TYPE_CHECKING:
    from collections.abc import Mapping

    from airflow_provider_linkedin_ads.restli import Decoded
    from airflow_provider_linkedin_ads.testing.request import Request

__all__ = [
    "INVALID",
    "MISSING",
    "NOT_ALLOWED",
    "PROTOCOL_1",
    "PROTOCOL_2",
    "Params",
    "date_value",
    "is_id",
    "reject",
]

MISSING = "MISSING_FIELD"
INVALID = "INVALID_VALUE_FOR_FIELD"
NOT_ALLOWED = "QUERY_PARAM_NOT_ALLOWED"
#: The Rest.li protocol versions the emulator reads (``X-Restli-Protocol-Version`` values).
PROTOCOL_1 = "1.0.0"
PROTOCOL_2 = "2.0.0"

_URN = re.compile(r"^urn:(li|lla):([A-Za-z]+):([0-9]{1,19})$")
_INT = re.compile(r"^[0-9]{1,10}$")
_ID = re.compile(r"^[0-9]{1,19}$")


def is_id(text: object) -> bool:
    """Tell whether ``text`` is a numeric resource id (ASCII digits, at most 19, like a Java long)."""
    return isinstance(text, str) and _ID.match(text) is not None


def reject(code: str, field_path: str, description: str) -> Rejection:
    """Build the 400 rejection for one offending parameter.

    :param code: LinkedIn's error code, e.g. :data:`MISSING`.
    :param field_path: the parameter, e.g. ``"dateRange.start"``.
    :param description: why, and what LinkedIn expects instead.
    """
    return Rejection(input_error(code, field_path, description))


def _legacy_hint(key: str) -> str:
    base = re.split(r"[.\[]", key, maxsplit=1)[0]
    return (
        f"{key!r} is a Rest.li protocol 1.0 parameter; under X-Restli-Protocol-Version 2.0.0 send "
        f"{base}=... in 2.0 syntax (e.g. pivot=CAMPAIGN, sortBy=(field:IMPRESSIONS,order:DESCENDING), "
        "dateRange=(start:(year:2025,month:1,day:1)), campaigns=List(urn%3Ali%3AsponsoredCampaign%3A1))"
    )


class Params:
    """The decoded query of one request.

    :param values: parameter name -> decoded Rest.li value (``fields`` kept raw).

    .. code-block:: python

        params = Params.parse("q=analytics&pivot=(value:CAMPAIGN)")
        params.enum("pivot")  # 'CAMPAIGN'
    """

    def __init__(self, values: Mapping[str, Decoded]) -> None:
        self.values = dict(values)

    @classmethod
    def parse(cls, query: str, *, protocol: str = PROTOCOL_2) -> Params:
        """Split and decode ``query``, one parameter at a time so errors can name it.

        :param query: the raw query string (from the URL or a tunnelled body).
        :param protocol: :data:`PROTOCOL_2` or :data:`PROTOCOL_1` (see :mod:`.restli1`).
        :raises Rejection: for 1.0-style names under 2.0, duplicates, or a value that is not valid in
            the request's protocol.
        """
        if protocol == PROTOCOL_1:
            return cls._parse_1(query)
        values: dict[str, Decoded] = {}
        for segment in query.split("&"):
            if not segment:
                continue
            raw_key, sep, raw_value = segment.partition("=")
            key = unquote(raw_key)
            if "." in key or "[" in key:
                raise reject(NOT_ALLOWED, key, _legacy_hint(key))
            if not sep or not key:
                raise reject(INVALID, key or "?", f"query segment {segment[:60]!r} is not name=value")
            if key in values:
                raise reject(INVALID, key, f"parameter {key!r} is given more than once")
            values[key] = raw_value if key == "fields" else _decode(key, raw_value)
        return cls(values)

    @classmethod
    def of(cls, request: Request) -> Params:
        """Parse a request's query in the protocol its ``X-Restli-Protocol-Version`` chose."""
        return cls.parse(request.query, protocol=request.protocol)

    @classmethod
    def _parse_1(cls, query: str) -> Params:
        values = decode_query(query, raw=frozenset({"fields"}))
        fields = values.get("fields")
        if isinstance(fields, list):  # ``fields=a&fields=b``: a repeated name is one projection
            values["fields"] = ",".join(str(item) for item in fields)
        elif fields is not None and not isinstance(fields, str):
            raise reject(INVALID, "fields", "fields is a comma list of names, e.g. fields=impressions,clicks")
        return cls(values)

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def names(self) -> set[str]:
        """Return the parameter names present."""
        return set(self.values)

    def get(self, name: str) -> Decoded | None:
        """Return the decoded value, or ``None`` when absent."""
        return self.values.get(name)

    def require(self, name: str, what: str) -> Decoded:
        """Return the decoded value; :data:`MISSING` naming ``what`` when absent."""
        if name not in self.values:
            raise reject(MISSING, name, f"required parameter {name!r} is missing: {what}")
        return self.values[name]

    def enum(self, name: str, value: Decoded | None = None) -> str:
        """Read an enum in either documented wire form: bare ``X`` or the record ``(value:X)``.

        :param name: the parameter (for messages).
        :param value: an element to read instead of the parameter itself.
        """
        item = self.values.get(name) if value is None else value
        if isinstance(item, dict) and set(item) == {"value"}:
            item = item["value"]
        if isinstance(item, str) and item:
            return item
        raise reject(
            INVALID, name, f"{name} must be an enum value, bare ({name}=X) or as a record ((value:X))"
        )

    def enum_list(self, name: str) -> list[str]:
        """Read ``List(A,B)`` of enums (elements bare or ``(value:X)``)."""
        item = self.values.get(name)
        if not isinstance(item, list):
            raise reject(
                INVALID, name, f"{name} must be a Rest.li list, e.g. {name}=List(CAMPAIGN_GROUP,CAMPAIGN)"
            )
        return [self.enum(name, element) for element in item]

    def urn_list(self, name: str, urn_type: str, *, allow_bare: bool = False) -> tuple[str, ...]:
        """Read ``List(urn%3Ali%3A<type>%3A1,...)`` as normalised ``urn:li:<urn_type>:<id>`` strings.

        A URN of another sponsored type keeps its id and takes ``urn_type``: LinkedIn's own statistics
        sample sends an account URN inside ``campaigns=List(...)``.

        :param allow_bare: also accept one URN without ``List(...)`` (the singular ``account``).
        """
        item = self.values.get(name)
        if allow_bare and isinstance(item, str):
            item = [item]
        if not isinstance(item, list):
            raise reject(
                INVALID,
                name,
                f"{name} must be List(<encoded URN>,...), e.g. {name}=List(urn%3Ali%3A{urn_type}%3A123)",
            )
        if not item:
            raise reject(
                INVALID, name, f"{name} is an empty list; give at least one URN or leave the facet out"
            )
        return tuple(_urn(name, element, urn_type) for element in item)

    def fields_text(self) -> str | None:
        """Return the raw ``fields`` text, or ``None`` when absent."""
        item = self.values.get("fields")
        return item if isinstance(item, str) else None

    def int_value(self, name: str, *, default: int, minimum: int = 0, maximum: int = 10_000) -> int:
        """Read a plain integer parameter such as ``pageSize``."""
        item = self.values.get(name)
        if item is None:
            return default
        if not isinstance(item, str) or not _INT.match(item) or not minimum <= int(item) <= maximum:
            raise reject(INVALID, name, f"{name} must be an integer between {minimum} and {maximum}")
        return int(item)


def _decode(key: str, raw: str) -> Decoded:
    try:
        return restli.decode(raw, lenient=True)
    except RestliError as err:
        raise reject(INVALID, key, f"{key} is not valid Rest.li 2.0: {err}") from None


def _urn(name: str, element: Decoded, urn_type: str) -> str:
    match = _URN.match(element) if isinstance(element, str) else None
    if match is None:
        shown = element[:80] if isinstance(element, str) else type(element).__name__
        raise reject(
            INVALID,
            name,
            f"{name}: {shown!r} is not a URN like urn:li:{urn_type}:123 (percent-encoded in the URL)",
        )
    namespace, kind, number = match.groups()
    if kind != urn_type and kind.startswith("sponsored") and urn_type.startswith("sponsored"):
        kind = urn_type
    if kind != urn_type:
        raise reject(INVALID, name, f"{name}: {element!r} is not a urn:li:{urn_type} URN")
    return f"urn:{namespace}:{kind}:{int(number)}"


def date_value(value: Decoded | None, field_path: str) -> dt.date:
    """Read a ``(year:Y,month:M,day:D)`` record (keys in any order, leading zeros allowed).

    :raises Rejection: :data:`MISSING` when absent, :data:`INVALID` when not a real date.
    """
    if value is None:
        raise reject(MISSING, field_path, f"{field_path} is required, e.g. (year:2025,month:1,day:1)")
    if not isinstance(value, dict) or set(value) != {"year", "month", "day"}:
        raise reject(INVALID, field_path, f"{field_path} must be a record (year:Y,month:M,day:D)")
    parts = [value[key] for key in ("year", "month", "day")]
    if not all(isinstance(part, str) and _INT.match(part) for part in parts):
        raise reject(INVALID, field_path, f"{field_path}: year, month and day must be integers")
    try:
        return dt.date(*(int(str(part)) for part in parts))
    except ValueError:
        raise reject(INVALID, field_path, f"{field_path}: {parts} is not a calendar date") from None
