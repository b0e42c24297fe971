"""Rest.li protocol 2.0 codec for URL query parameters (standard library only).

Implements "Rest.li Protocol 2.0 Object and List/Array Representation" and the empty list/map/string
rules of https://linkedin.github.io/rest.li/spec/protocol, as restated in ``linkedin-api.md`` 2, 7, 8.

.. code-block:: python

    build_query([("q", "analytics"), ("accounts", ["urn:li:sponsoredAccount:1"]), ("fields", ["clicks"])])
    # 'q=analytics&accounts=List(urn%3Ali%3AsponsoredAccount%3A1)&fields=clicks'
    decode("(start:(year:2025,month:1,day:1))")  # {'start': {'year': '2025', 'month': '1', 'day': '1'}}

Choices:

* Record keys are written in the mapping's insertion order (the spec leaves it open): same input, same URL.
* ``fields`` is the one exception to 2.0 syntax: a raw comma list, never ``List(...)``, never encoded.
  :func:`build_query` renders it with :func:`encode_fields`; :func:`parse_query` returns its raw text.
* Leaves are percent-decoded per RFC 3986 (``+`` stays a plus); the encoder always writes ``%2B``.
* ``lenient=True`` exists only to decode the quirks of LinkedIn's own sample URLs (raw ``:`` in a list
  element, a bare ``(MEMBER_COUNTRY_V2)``, an empty value). The encoders never produce those forms.
* The decoder is iterative and linear-time; nesting beyond ``max_depth`` is an error, so input such as
  ``'List(' * 100_000`` fails fast in bounded memory. The encoder has the same default limit.

Every problem raises :class:`~airflow_provider_linkedin_ads.errors.RestliError`; decoding errors carry
the character offset in ``.position``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias
from urllib.parse import quote, unquote_to_bytes

from airflow_provider_linkedin_ads.errors import RestliError

__all__ = [
    "MAX_DEPTH",
    "Decoded",
    "Value",
    "build_query",
    "decode",
    "encode",
    "encode_fields",
    "encode_path_key",
    "parse_fields",
    "parse_query",
    "reduced_encode",
]

Value: TypeAlias = str | int | bool | Sequence["Value"] | Mapping[str, "Value"]
Decoded: TypeAlias = str | list["Decoded"] | dict[str, "Decoded"]

#: Default nesting limit (containers inside containers) for both encoding and decoding.
MAX_DEPTH = 32

_LEAF = re.compile(r"[^(),:']+")
_LEAF_WITH_COLONS = re.compile(r"[^(),']+")  # lenient list elements: LinkedIn's samples leave URN colons raw
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_REDUCED = re.compile(r"[,()':]")
_PARAM_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.]*")
_NAME = r"[A-Za-z][A-Za-z0-9]*"
_FIELD = re.compile(rf"({_NAME})(?::\(({_NAME}(?:,{_NAME})*)\))?")


def encode(value: Value) -> str:
    """Encode one query-parameter value in Rest.li 2.0 URL syntax.

    :param value: a str (percent-encoded), int, bool, sequence (``List(...)``) or mapping (``(k:v)``).
    :raises RestliError: for floats, ``None``, bytes, sets and any other type, or nesting deeper than
        :data:`MAX_DEPTH`.
    """
    return _encode(value, 0)


def _encode(value: object, depth: int) -> str:
    if isinstance(value, str):
        return _encode_str(value)
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "true" if value else "false"
    if isinstance(value, int):
        return _encode_int(value)
    if isinstance(value, Mapping | Sequence) and not isinstance(value, bytes | bytearray | memoryview):
        return _encode_container(value, depth)
    raise RestliError(
        f"cannot Rest.li-encode a value of type {type(value).__name__}; use str, int, bool, a sequence or a mapping"
    )


def _encode_container(value: Mapping[object, object] | Sequence[object], depth: int) -> str:
    if depth >= MAX_DEPTH:
        raise RestliError(f"value nested deeper than {MAX_DEPTH} levels (or self-referencing)")
    if isinstance(value, Mapping):
        items = (f"{_encode_key(key)}:{_encode(item, depth + 1)}" for key, item in value.items())
        return "(" + ",".join(items) + ")"
    return "List(" + ",".join(_encode(item, depth + 1) for item in value) + ")"


def _encode_str(text: str) -> str:
    if not text:
        return "''"
    try:
        return quote(text, safe="")
    except UnicodeError as err:  # lone surrogates have no UTF-8 form
        raise RestliError("string is not valid Unicode (lone surrogate)") from err


def _encode_int(number: int) -> str:
    try:
        return str(int(number))  # int() first: IntEnum members format as their number
    except ValueError as err:  # beyond sys.get_int_max_str_digits()
        raise RestliError("integer too large to encode") from err


def _encode_key(key: object) -> str:
    if not isinstance(key, str):
        raise RestliError(f"record keys must be str, not {type(key).__name__}")
    return _encode_str(key)


def encode_path_key(key: str | int) -> str:
    """Encode a resource key for a URL path segment: every reserved character escaped, ints plain.

    :param key: a non-empty string (e.g. a URN) or an int id.
    :raises RestliError: for an empty string, a bool or any other type.
    """
    if isinstance(key, str) and key:
        return _encode_str(key)
    if isinstance(key, int) and not isinstance(key, bool):
        return _encode_int(key)
    raise RestliError(f"path key must be a non-empty str or an int, not {key!r:.40}")


def reduced_encode(text: str) -> str:
    """Escape only ``, ( ) ' :`` (the spec's reducedEncoded), as in ``X-RestLi-Id`` and batch map keys.

    :param text: the primitive value; the empty string becomes the 2.0 empty-string token ``''``.
    """
    if not isinstance(text, str):
        raise RestliError(f"reduced_encode takes a str, not {type(text).__name__}")
    if not text:
        return "''"
    return _REDUCED.sub(lambda match: f"%{ord(match.group()):02X}", text)


def encode_fields(fields: Sequence[str]) -> str:
    """Render the ``fields`` projection: a plain comma list, not ``List(...)``, not encoded.

    :param fields: field names such as ``"clicks"`` or ``"revenueAttributionMetrics:(a,b)"``.
    :raises RestliError: for a str instead of a sequence, no names, a malformed or duplicate name.
    """
    if isinstance(fields, str) or not isinstance(fields, Sequence) or not fields:
        raise RestliError(f"fields takes a non-empty sequence of field names, not {fields!r:.80}")
    for name in fields:
        if not isinstance(name, str) or _FIELD.fullmatch(name) is None:
            raise RestliError(f"invalid field name {name!r:.80} in fields")
    text = ",".join(fields)
    parse_fields(text)  # rejects duplicate names
    return text


def build_query(params: Iterable[tuple[str, Value | None]]) -> str:
    """Build the complete query string, in the given order; send it as-is, never re-encoded.

    :param params: ``(key, value)`` pairs; a ``None`` value skips the pair; ``fields`` takes a
        sequence of names rendered by :func:`encode_fields`.
    :raises RestliError: for an invalid or duplicate key, or a value that cannot be encoded.
    """
    parts: list[str] = []
    seen: set[str] = set()
    for key, value in params:
        if not isinstance(key, str) or _PARAM_KEY.fullmatch(key) is None:
            raise RestliError(f"invalid query parameter name {key!r:.80}")
        if value is None:
            continue
        if key in seen:
            raise RestliError(f"duplicate query parameter {key!r}")
        seen.add(key)
        rendered = encode_fields(value) if key == "fields" else encode(value)  # type: ignore[arg-type]
        parts.append(f"{key}={rendered}")
    return "&".join(parts)


def decode(text: str, *, lenient: bool = False, max_depth: int = MAX_DEPTH) -> Decoded:
    """Decode one Rest.li 2.0 parameter value; every leaf comes back as a str.

    :param text: the raw (still percent-encoded) value.
    :param lenient: also accept the quirks of LinkedIn's sample URLs (``linkedin-api.md`` 7.4).
    :param max_depth: most containers that may be open at once.
    :raises RestliError: for malformed text; ``.position`` is the offending offset.
    """
    return _decode(text, lenient, max_depth, 0)


def _decode(text: str, lenient: bool, max_depth: int, base: int) -> Decoded:
    if not isinstance(text, str):
        raise RestliError(f"decode takes a str, not {type(text).__name__}")
    if not text:
        if lenient:
            return ""
        raise _at("empty value; Rest.li 2.0 writes the empty string as ''", base)
    return _Parser(text, lenient, max_depth, base).parse()


@dataclass
class _Frame:
    """One open container; ``key`` holds a record key whose value is still to come."""

    container: list[Decoded] | dict[str, Decoded]
    start: int
    key: str | None = None

    @property
    def awaiting_key(self) -> bool:
        return isinstance(self.container, dict) and self.key is None

    def add(self, value: Decoded) -> None:
        if isinstance(self.container, list):
            self.container.append(value)
        else:
            self.container[self.key or ""] = value
            self.key = None


class _Parser:
    """Iterative single-pass parser: an explicit stack instead of recursion, one scan of the text."""

    def __init__(self, text: str, lenient: bool, max_depth: int, base: int) -> None:
        self.text, self.lenient, self.max_depth, self.base = text, lenient, max_depth, base
        self.pos = 0
        self.frames: list[_Frame] = []

    def parse(self) -> Decoded:
        while True:
            value = self._step()
            if value is not None:
                result = self._complete(value)
                if result is not None:
                    return result

    def _step(self) -> Decoded | None:
        """Read one value; ``None`` when a container was opened (or only a record key was read)."""
        frame = self.frames[-1] if self.frames else None
        if frame is not None and frame.awaiting_key:
            return self._key(frame)
        text, pos = self.text, self.pos
        if text.startswith("List(", pos):
            return self._open(pos, [], 5)
        if text.startswith("(", pos):
            return self._open(pos, {}, 1)
        if text.startswith("''", pos):
            self.pos += 2
            return ""
        in_list = frame is not None and isinstance(frame.container, list)
        return self._leaf(_LEAF_WITH_COLONS if in_list and self.lenient else _LEAF, "expected a value")

    def _open(self, pos: int, container: list[Decoded] | dict[str, Decoded], width: int) -> Decoded | None:
        if len(self.frames) >= self.max_depth:
            raise self._error(f"nesting deeper than max_depth={self.max_depth}", pos)
        self.pos = pos + width
        if self.text.startswith(")", self.pos):  # List() and ()
            self.pos += 1
            return container
        self.frames.append(_Frame(container, pos))
        return None

    def _leaf(self, pattern: re.Pattern[str], expected: str) -> str:
        start = self.pos
        match = pattern.match(self.text, start)
        if match is None:
            raise self._unexpected(expected)
        self.pos = match.end()
        return _unquote(match.group(), self.base + start)

    def _key(self, frame: _Frame) -> Decoded | None:
        start = self.pos
        if self.text.startswith("''", start):
            self.pos, key = start + 2, ""
        else:
            key = self._leaf(_LEAF, "expected a record key")
        if self.text.startswith(":", self.pos):
            if key in frame.container:
                raise self._error(f"duplicate record key {key!r:.80}", start)
            self.pos += 1
            frame.key = key
            return self._step()
        if self.lenient and not frame.container and self.text.startswith(")", self.pos):
            self.frames.pop()  # LinkedIn's "(MEMBER_COUNTRY_V2)": a parenthesised bare value
            self.pos += 1
            return key
        raise self._unexpected("expected ':' after a record key")

    def _complete(self, value: Decoded) -> Decoded | None:
        """Attach a finished value and consume ``,`` or ``)``; return the top-level value when done."""
        while self.frames:
            frame = self.frames[-1]
            frame.add(value)
            if self.text.startswith(",", self.pos):
                self.pos += 1
                return None
            if not self.text.startswith(")", self.pos):
                raise self._unexpected("expected ',' or ')'")
            self.pos += 1
            value = self.frames.pop().container
        if self.pos != len(self.text):
            raise self._unexpected("stray characters after a complete value")
        return value

    def _unexpected(self, expected: str) -> RestliError:
        pos = self.pos
        if pos >= len(self.text):
            if self.frames:
                opened = self.base + self.frames[-1].start
                return self._error(f"unbalanced parentheses: '(' at position {opened} is never closed", pos)
            return self._error(f"unexpected end of text, {expected}", pos)
        char = self.text[pos]
        if char == "'":
            return self._error("raw ' is only allowed as the empty-string token ''; write %27", pos)
        return self._error(f"unexpected {char!r}, {expected}", pos)

    def _error(self, message: str, pos: int) -> RestliError:
        return _at(message, self.base + pos)


def _unquote(raw: str, position: int) -> str:
    if "%" not in raw:
        return raw
    bad = _BAD_PERCENT.search(raw)
    if bad is not None:
        where = position + bad.start()
        raise _at(f"bad percent-escape {raw[bad.start() : bad.start() + 3]!r}", where)
    try:
        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeError as err:
        raise _at("percent-escapes are not valid UTF-8", position) from err


def _at(message: str, position: int) -> RestliError:
    return RestliError(f"{message} (at position {position})", position=position)


def parse_fields(text: str, *, merge_duplicates: bool = False) -> dict[str, tuple[str, ...] | None]:
    """Parse a ``fields`` projection into ``{name: sub-projection or None}``, order kept.

    :param text: e.g. ``"dateRange,pivotValues,revenueAttributionMetrics:(a,b)"``.
    :param merge_duplicates: fold a repeated name into its first occurrence (what a Rest.li server
        does with a projection) instead of refusing it; sub-projections are united, and a plain name
        (the whole value) wins over a sub-projection.
    :raises RestliError: for malformed text, or a duplicate name unless ``merge_duplicates``.
    """
    if not isinstance(text, str):
        raise RestliError(f"parse_fields takes a str, not {type(text).__name__}")
    result: dict[str, tuple[str, ...] | None] = {}
    pos = 0
    while True:
        match = _FIELD.match(text, pos)
        if match is None or (match.group(1) in result and not merge_duplicates):
            what = "duplicate field" if match else "expected a field name"
            raise _at(f"fields: {what}", pos)
        name, sub = match.group(1), tuple(match.group(2).split(",")) if match.group(2) else None
        result[name] = _merge_projection(result[name], sub) if name in result else sub
        pos = match.end()
        if pos == len(text):
            return result
        if text[pos] != ",":
            raise _at(f"fields: unexpected {text[pos]!r}", pos)
        pos += 1


def _merge_projection(
    first: tuple[str, ...] | None, second: tuple[str, ...] | None
) -> tuple[str, ...] | None:
    if first is None or second is None:
        return None
    return first + tuple(name for name in second if name not in first)


def parse_query(query: str, *, lenient: bool = False) -> dict[str, Decoded]:
    """Parse a whole query string; ``fields`` keeps its raw text (see :func:`parse_fields`).

    :param query: ``a=1&b=List(x)``; a leading ``?`` is tolerated, empty segments are ignored.
    :param lenient: passed to :func:`decode` for every value.
    :raises RestliError: for a segment without ``=``, an empty or duplicate key, or a bad value;
        ``.position`` is an offset in ``query``.
    """
    if not isinstance(query, str):
        raise RestliError(f"parse_query takes a str, not {type(query).__name__}")
    result: dict[str, Decoded] = {}
    start = 1 if query.startswith("?") else 0
    for segment in query[start:].split("&"):
        if segment:
            key, value = _parse_segment(segment, start, lenient)
            if key in result:
                raise _at(f"duplicate query parameter {key!r:.80}", start)
            result[key] = value
        start += len(segment) + 1
    return result


def _parse_segment(segment: str, start: int, lenient: bool) -> tuple[str, Decoded]:
    raw_key, sep, raw_value = segment.partition("=")
    if not sep:
        raise _at("query segment without '='", start)
    key = _unquote(raw_key, start)
    if not key:
        raise _at("empty query parameter name", start)
    if key == "fields":
        return key, raw_value
    try:
        return key, _decode(raw_value, lenient, MAX_DEPTH, start + len(raw_key) + 1)
    except RestliError as err:
        raise RestliError(f"query parameter {key!r:.80}: {err}", position=err.position) from err
