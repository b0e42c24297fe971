"""Scan the ``elements`` of a finder's answer from the pieces its body arrived in, a batch at a time.

A report answer is one JSON object holding one large ``elements`` list (15,000 rows: a ~4 MiB
body). The transport reads a body in pieces of at most 64 KiB; they are decoded and scanned here as
they come, with ``json``'s own scanner, so neither the whole text nor one contiguous copy of the
body is ever made. That matters beyond the bytes themselves: once glibc has freed one block of
several MiB it serves the next ones from each thread's own arena (its mmap threshold adapts
upwards), and the holes such blocks leave between smaller objects kept the engine's peak RSS on
W3 about 25 MiB above what it used (``MALLOC_MMAP_THRESHOLD_=1048576`` closed the gap: 114 -> 85 MiB).

Only a plain answer is read here: a JSON object whose members are decoded one by one, one of them
an ``elements`` array of objects. Whatever is not plainly that (a cut or malformed body, another
encoding than UTF-8, two ``elements`` keys, a non-object element, anything after the object)
raises :class:`IrregularAnswer`, and the caller decodes the whole body instead, which decides the
outcome. A doubt here can therefore only cost time, never change a value or an error.

.. code-block:: python

    for batch in element_batches([b'{"elements": [{"a"', b': 1}]}'], size=500):
        print(batch)  # [{'a': 1}]
"""

from __future__ import annotations

import codecs
import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator

#: Characters decoded ahead of the scanner: far more than one report element (~300), so a value
#: almost never runs past the decoded text (when it does, more is decoded and the value re-scanned).
LOOKAHEAD = 16_384

_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as json.decoder skips it
_SEPARATOR = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")  # between two array items
_SCAN_ERRORS = (StopIteration, ValueError, RecursionError)  # no value there, a bad number, too deep


class IrregularAnswer(Exception):
    """The body is not a plain ``{..., "elements": [{...}, ...], ...}`` answer: decode it whole instead."""


def element_batches(pieces: Iterable[bytes], size: int) -> Iterator[list[dict[str, Any]]]:
    """Yield the ``elements`` of a JSON object body, ``size`` at a time; raise :class:`IrregularAnswer` otherwise.

    Every element is the value ``json.loads(body, parse_float=Decimal)`` would hold; other members
    (``paging``) are decoded and dropped. The rest of the body is checked after the last batch: the
    answer is only regular when it is one complete JSON object with one ``elements`` member.

    :param pieces: the body, in the pieces it arrived in (any split, including inside a character).
    :param size: elements per batch.
    """
    # json.loads' own decoder, one value at a time (scan_once is untyped in typeshed)
    scan = json.JSONDecoder(parse_float=Decimal).scan_once  # type: ignore[attr-defined]
    text = _Text(pieces)
    text.expect("{")
    found = False
    while True:
        if not text.at('"'):
            raise IrregularAnswer  # also {}: no elements
        key = text.value(scan)
        text.expect(":")
        if key != "elements":
            text.value(scan)
        elif found:
            raise IrregularAnswer  # json keeps the last of two: the whole decode decides
        else:
            found = True
            text.expect("[")
            yield from _array_batches(text, scan, size)
        if text.take(","):
            continue
        if found and text.take("}") and text.ended():
            return
        raise IrregularAnswer


def _array_batches(
    text: _Text, scan: Callable[[str, int], tuple[Any, int]], size: int
) -> Generator[list[dict[str, Any]], None, None]:
    """Yield the objects of the array whose first item (or ``]``) is next, and consume its ``]``."""
    if text.take("]"):
        return
    elements: list[dict[str, Any]] = []
    separator, append = _SEPARATOR.match, elements.append
    while True:
        element = text.value(scan)
        if type(element) is not dict:
            raise IrregularAnswer
        append(element)
        if len(elements) >= size:
            yield elements
            elements = []
            append = elements.append
        found = separator(text.text, text.position)  # one C call per element: the comma and its spaces
        if found is not None and found.end() < len(text.text):
            text.position = found.end()
        elif not text.take(","):
            break
    if elements:
        yield elements
    text.expect("]")


class _Text:
    """The body's text, decoded piece by piece and consumed from the front.

    ``text[position:]`` is what is decoded and not scanned yet; :meth:`more` decodes further
    pieces, dropping the scanned part. A scan is only trusted when it stops before the end of the
    decoded text or the body has ended: a number at the very end (``12`` of ``123``) could go on.
    """

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = iter(pieces)
        self._decode = codecs.getincrementaldecoder("utf-8")().decode
        self.text = ""
        self.position = 0
        self.exhausted = False  # every piece decoded

    def more(self, count: int) -> None:
        """Have at least ``count`` characters decoded after the position, or everything that is left."""
        if len(self.text) - self.position >= count or self.exhausted:
            return  # enough already: nothing decoded, nothing copied
        ahead = self.text[self.position :]
        parts, have = [ahead], len(ahead)
        while have < count and not self.exhausted:
            piece = next(self._pieces, None)
            try:
                decoded = self._decode(piece or b"", piece is None)
            except UnicodeDecodeError:
                raise IrregularAnswer from None
            self.exhausted = piece is None
            parts.append(decoded)
            have += len(decoded)
        self.text, self.position = "".join(parts), 0

    def value(self, scan: Callable[[str, int], tuple[Any, int]]) -> Any:
        """Scan the next JSON value, decoding more text while it may run past what is decoded."""
        need = LOOKAHEAD
        while True:
            self.more(need)
            try:
                value, end = scan(self.text, self.position)
            except _SCAN_ERRORS:
                if self.exhausted:
                    raise IrregularAnswer from None
            else:
                if end < len(self.text) or self.exhausted:
                    self.position = end
                    return value
            need = 2 * max(need, len(self.text) - self.position)  # at least twice as much next time

    def skip_space(self) -> None:
        """Move past whitespace, decoding more until something else comes or the body ends."""
        while True:
            self.position = _WHITESPACE.match(self.text, self.position).end()  # type: ignore[union-attr]
            if self.position < len(self.text) or self.exhausted:
                return
            self.more(LOOKAHEAD)

    def at(self, token: str) -> bool:
        """Tell whether ``token`` comes next (after whitespace)."""
        self.skip_space()
        return self.text.startswith(token, self.position)

    def take(self, token: str) -> bool:
        """Consume ``token`` and the whitespace around it when ``token`` comes next; tell whether it did."""
        if not self.at(token):
            return False
        self.position += len(token)
        self.skip_space()
        return True

    def expect(self, token: str) -> None:
        """Consume ``token`` as :meth:`take` does; raise :class:`IrregularAnswer` when something else comes."""
        if not self.take(token):
            raise IrregularAnswer

    def ended(self) -> bool:
        """Tell whether nothing but whitespace is left of the body."""
        self.skip_space()
        return self.exhausted and self.position == len(self.text)
