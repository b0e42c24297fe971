"""One request as the emulator sees it, after the socket layer and query tunnelling are undone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Request"]


@dataclass(frozen=True)
class Request:
    """A parsed HTTP request.

    :param method: the effective method (``GET`` for a tunnelled ``POST``).
    :param path: the raw path, still percent-encoded, without the query.
    :param query: the raw query string, from the URL or (tunnelled) from the body.
    :param headers: header name (lower case) -> value.
    :param body: the raw body (empty for GET; the query for a tunnelled request).
    :param tunnelled: whether the query arrived as a ``POST`` body with ``X-HTTP-Method-Override: GET``.
    :param url_length: length of the full URL the client sent (scheme, host, path, query).
    :param protocol: the Rest.li protocol the query is written in (``"2.0.0"`` or ``"1.0.0"``), set by
        the gate that reads ``X-Restli-Protocol-Version``.

    .. code-block:: python

        request = Request("GET", "/rest/adAccounts/1", "", {"linkedin-version": "202608"})
        request.header("LinkedIn-Version")  # "202608"
    """

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)  # Authorization: never printed
    body: bytes = field(default=b"", repr=False)  # OAuth bodies hold client secrets
    tunnelled: bool = False
    url_length: int = 0
    protocol: str = "2.0.0"

    def header(self, name: str) -> str | None:
        """Return a header value by case-insensitive name, or ``None``."""
        return self.headers.get(name.lower())

    def form(self) -> dict[str, str]:
        """Decode an ``application/x-www-form-urlencoded`` body (OAuth endpoints), first value per key."""
        text = self.body.decode("utf-8", errors="replace")
        return {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}

    @property
    def segments(self) -> tuple[str, ...]:
        """The path split on ``/`` without empty parts, still percent-encoded."""
        return tuple(part for part in self.path.split("/") if part)
