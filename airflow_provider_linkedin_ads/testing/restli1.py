"""Rest.li protocol 1.0 query strings -> the same decoded values the 2.0 parser produces.

A Rest.li server treats a request without ``X-Restli-Protocol-Version`` (or with ``1.0.0``) as
protocol 1.0, and LinkedIn still answers ``/rest/adAnalytics`` in it (``linkedin-api.md`` section 2):

* records are flattened into dotted names: ``dateRange.start.day=1&dateRange.start.month=1``,
  ``pivot.value=CAMPAIGN``, ``sortBy.field=IMPRESSIONS``;
* arrays are indexed: ``campaigns[0]=urn%3Ali%3AsponsoredCampaign%3A1`` (brackets may arrive
  percent-encoded), or given by repeating the name: ``ids=1&ids=2``;
* a map key that itself holds ``.``, ``[``, ``]`` or ``~`` is escaped as ``~2E``, ``~5B``, ``~5D``,
  ``~7E``;
* every name and leaf is URL-encoded the ordinary way (``+`` is a space, ``%3A`` a colon); a leaf is
  a plain string, never Rest.li 2.0 syntax, so ``List(...)`` and ``(a:b)`` mean nothing here.

The result is a ``{name: Decoded}`` map (leaves ``str``, records ``dict``, arrays ``list``), so every
rule after decoding is shared with protocol 2.0 and both forms of one query answer identically.

.. code-block:: python

    decode_query("pivot.value=CAMPAIGN&campaigns%5B0%5D=urn%3Ali%3AsponsoredCampaign%3A1")
    # {'pivot': {'value': 'CAMPAIGN'}, 'campaigns': ['urn:li:sponsoredCampaign:1']}
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from airflow_provider_linkedin_ads.testing.responses import Rejection, input_error

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.restli import Decoded

__all__ = ["decode_query", "looks_like_protocol_1"]

# One path step after the first name: ``.name`` or ``[index]``.
_STEP = re.compile(r"\.([^.\[\]]+)|\[([0-9]{1,6})\]")
_INVALID = "INVALID_VALUE_FOR_FIELD"
_NAME = re.compile(r"[^.\[\]]+")
_ESCAPE = re.compile(r"~([0-9A-Fa-f]{2})")
# Values that are Rest.li 2.0 syntax: sent without the 2.0 header they are plain strings.
_TWO_POINT_O = re.compile(r"^(List\(|\().*\)$", re.DOTALL)

# A node under construction: leaves are str; records dicts keyed by str; arrays dicts keyed by int.
_Node = str | dict[str | int, "_Node"]


def _reject(field_path: str, description: str) -> Rejection:
    # params.py builds on this module, so the 400 is made here rather than with params.reject.
    return Rejection(input_error(_INVALID, field_path, description))


def _unescape(name: str) -> str:
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), name)


def _path(key: str) -> list[str | int]:
    """Split a decoded 1.0 name into record keys (str) and array indices (int)."""
    first = _NAME.match(key)
    if first is None:
        raise _reject(key or "?", f"{key[:60]!r} is not a Rest.li 1.0 parameter name")
    steps: list[str | int] = [_unescape(first.group(0))]
    pos = first.end()
    while pos < len(key):
        match = _STEP.match(key, pos)
        if match is None:
            message = f"{key[:80]!r} is not a Rest.li 1.0 name (name, .field and [index] steps only)"
            raise _reject(key, message)
        name, index = match.groups()
        steps.append(_unescape(name) if name is not None else int(index))
        pos = match.end()
    return steps


def _leaf(key: str, value: str) -> str:
    if _TWO_POINT_O.match(value):
        message = (
            f"{key}={value[:60]} is Rest.li 2.0 syntax, but the request has no "
            "X-Restli-Protocol-Version: 2.0.0 header, so it is read as protocol 1.0 (where it is a plain "
            "string); send the header, or the 1.0 form (e.g. pivot.value=X, campaigns[0]=<urn>)"
        )
        raise _reject(key, message)
    return value


def _place(root: dict[str | int, _Node], key: str, steps: list[str | int], value: str) -> None:
    node = root
    for step, following in itertools.pairwise(steps):
        child = node.setdefault(step, {})
        if isinstance(child, str):
            raise _reject(key, f"{key[:80]!r} is given both as a value and as a record or array")
        if child and isinstance(following, int) != all(isinstance(existing, int) for existing in child):
            raise _reject(key, f"{key[:80]!r} mixes record fields and array indices")
        node = child
    last = steps[-1]
    existing = node.get(last)
    if existing is None:
        node[last] = value
    elif isinstance(existing, dict) and all(isinstance(item, int) for item in existing) and len(steps) == 1:
        existing[len(existing)] = value  # a repeated name adds to the array it already is
    elif isinstance(existing, str) and len(steps) == 1:
        node[last] = {0: existing, 1: value}  # ``ids=1&ids=2``: a repeated name is an array
    else:
        raise _reject(key, f"{key[:80]!r} is given more than once")


def _finish(key: str, node: _Node) -> Decoded:
    if isinstance(node, str):
        return node
    if node and all(isinstance(item, int) for item in node):
        if sorted(node) != list(range(len(node))):
            raise _reject(key, f"the indices of {key}[...] must run 0, 1, 2, ... without gaps")
        return [_finish(key, node[index]) for index in range(len(node))]
    return {str(name): _finish(f"{key}.{name}", child) for name, child in node.items()}


def looks_like_protocol_1(query: str) -> bool:
    """Tell whether a query uses 1.0-only names: dotted or indexed (``a.b=``, ``a[0]=``) or repeated."""
    names = [unquote_plus(segment.partition("=")[0]) for segment in query.split("&") if segment]
    return len(set(names)) < len(names) or any("." in name or "[" in name for name in names)


def decode_query(query: str, *, raw: frozenset[str] = frozenset()) -> dict[str, Decoded]:
    """Decode a protocol 1.0 query string.

    :param query: ``name=value`` segments joined by ``&`` (from the URL or a tunnelled body).
    :param raw: top-level names whose value is kept as text, not checked for 2.0 syntax (``fields``).
    :raises Rejection: 400 ``INVALID_VALUE_FOR_FIELD`` naming the parameter for a malformed name, a
        conflict, an index gap, or a value in 2.0 syntax.
    """
    root: dict[str | int, _Node] = {}
    for segment in query.split("&"):
        if not segment:
            continue
        raw_key, sep, raw_value = segment.partition("=")
        key = unquote_plus(raw_key)
        if not sep:
            raise _reject(key or "?", f"query segment {segment[:60]!r} is not name=value")
        steps = _path(key)
        value = unquote_plus(raw_value)
        _place(root, key, steps, value if steps[0] in raw else _leaf(key, value))
    return {str(name): _finish(str(name), node) for name, node in root.items()}
