"""An independent Rest.li protocol 1.0 client, written from the protocol description for the tests.

It shares no code with the emulator or the provider (standard library only), so a test that gets the
same rows from it as from the provider's 2.0 form checks the emulator's 1.0 parsing, not a mirror of
it. The protocol, as the Rest.li spec describes 1.0 query parameters:

* a simple value is ``name=value``, the value URL-encoded the ordinary way (a URN's ``:`` -> ``%3A``);
* a record is flattened into one parameter per leaf, the path joined with ``.``:
  ``dateRange.start.year=2025``; an enum wrapped in a record is ``pivot.value=CAMPAIGN``;
* an array element is addressed by its index in brackets: ``campaigns[0]=...``, ``pivots[1].value=X``;
* a map key containing ``.``, ``[``, ``]`` or ``~`` is escaped as ``~2E``, ``~5B``, ``~5D``, ``~7E``;
* the whole name is then URL-encoded (the brackets travel as ``%5B``/``%5D``);
* no ``X-Restli-Protocol-Version`` header: its absence is what tells the server "protocol 1.0".

.. code-block:: python

    encode({"pivot": {"value": "CAMPAIGN"}, "campaigns": ["urn:li:sponsoredCampaign:1"]})
    # 'pivot.value=CAMPAIGN&campaigns%5B0%5D=urn%3Ali%3AsponsoredCampaign%3A1'
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

Value = str | int | list[Any] | dict[str, Any]

_KEY_ESCAPES = {"~": "~7E", ".": "~2E", "[": "~5B", "]": "~5D"}
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _escape_key(key: str) -> str:
    return "".join(_KEY_ESCAPES.get(char, char) for char in key)


def _flatten(path: str, value: Value) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in _flatten(f"{path}.{_escape_key(key)}", item)]
    if isinstance(value, list):
        return [pair for index, item in enumerate(value) for pair in _flatten(f"{path}[{index}]", item)]
    return [(path, str(value))]


def encode(params: dict[str, Value]) -> str:
    """Encode parameters (str/int leaves, dict records, list arrays) as a protocol 1.0 query string."""
    pairs = [pair for name, value in params.items() for pair in _flatten(_escape_key(name), value)]
    return "&".join(
        f"{urllib.parse.quote(name, safe='')}={urllib.parse.quote(text, safe='')}" for name, text in pairs
    )


def date(day: Any) -> dict[str, int]:
    """A ``Date`` record of a :class:`datetime.date`."""
    return {"year": day.year, "month": day.month, "day": day.day}


class Protocol1Client:
    """GETs (plain or tunnelled) in Rest.li protocol 1.0 against a LinkedIn-shaped server.

    :param base_url: e.g. ``http://127.0.0.1:8080``.
    :param token: a bearer token.
    :param version: the ``LinkedIn-Version`` header.
    """

    def __init__(self, base_url: str, token: str, version: str) -> None:
        self.base_url = base_url
        self.token = token
        self.version = version

    def get(self, path: str, params: dict[str, Value], *, tunnel: bool = False) -> tuple[int, Any]:
        """Send one finder call; return ``(status, decoded JSON body)``."""
        query = encode(params)
        headers = {"Authorization": f"Bearer {self.token}", "LinkedIn-Version": self.version}
        if tunnel:
            headers |= {
                "X-HTTP-Method-Override": "GET",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            request = urllib.request.Request(
                self.base_url + path, data=query.encode(), method="POST", headers=headers
            )
        else:
            request = urllib.request.Request(f"{self.base_url}{path}?{query}", headers=headers)
        try:
            with _OPENER.open(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            with err:
                return err.code, json.loads(err.read())

    def elements(self, params: dict[str, Value], *, tunnel: bool = False) -> list[dict[str, Any]]:
        """The ``elements`` of one ``adAnalytics`` call; an error status fails loudly."""
        status, body = self.get("/rest/adAnalytics", params, tunnel=tunnel)
        if status != 200:
            raise AssertionError(f"protocol 1.0 call answered {status}: {body}")
        return list(body["elements"])
