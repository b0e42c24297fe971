r"""Keep credentials out of ``http.client``'s debug output, which prints every request it sends.

Setting ``http.client.HTTPConnection.debuglevel = 1`` is the classic way to watch HTTP traffic; it
makes each connection ``print()`` what it sends, ``Authorization: Bearer <token>`` and the OAuth
form bodies (client secret, refresh token) included. The client's session therefore uses
connections that print the very same ``send:`` lines with those values replaced by ``REDACTED``, so
debugging still shows every request line and header, never a credential. (``urllib3``'s DEBUG log
lines carry method, URL and status only, and tokens never travel in URLs.)

.. code-block:: python

    session = requests.Session()
    session.mount("https://", RedactingAdapter())
    redact_wire(b"GET / HTTP/1.1\r\nAuthorization: Bearer abc\r\n")  # ... b"Authorization: REDACTED" ...
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["REDACTED", "RedactingAdapter", "redact_wire"]

REDACTED = b"REDACTED"
_HEADERS = re.compile(rb"(?im)^((?:proxy-)?authorization|cookie)[ \t]*:[^\r\n]*")
_FORM_FIELDS = re.compile(
    rb"(?i)(?<![A-Za-z0-9_])(client_secret|refresh_token|access_token|token|code)=[^&\s]*"
)


def redact_wire(data: bytes) -> bytes:
    """Return request bytes with credential headers and OAuth form values replaced by ``REDACTED``."""
    data = _HEADERS.sub(lambda match: match.group(1) + b": " + REDACTED, data)
    return _FORM_FIELDS.sub(lambda match: match.group(1) + b"=" + REDACTED, data)


def _send(connection: Any, data: Any, send: Callable[[Any], None]) -> None:
    """Send ``data``; when debugging is on, print it redacted instead of letting http.client print it."""
    if connection.debuglevel <= 0 or not isinstance(data, bytes | bytearray):
        send(data)
        return
    print("send:", repr(redact_wire(bytes(data))))  # what http.client prints, minus the secrets
    own = "debuglevel" in vars(connection)
    level = connection.debuglevel
    connection.debuglevel = 0
    try:
        send(data)
    finally:
        if own:
            connection.debuglevel = level
        else:  # follow the class attribute again, as http.client's own connections do
            del connection.debuglevel


class _HTTPConnection(HTTPConnection):
    def send(self, data: Any) -> None:
        _send(self, data, super().send)


class _HTTPSConnection(HTTPSConnection):
    def send(self, data: Any) -> None:
        _send(self, data, super().send)


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}


class RedactingAdapter(HTTPAdapter):
    """``requests``' adapter whose connections never print a credential in ``http.client`` debug output.

    .. code-block:: python

        session.mount("https://", RedactingAdapter(pool_maxsize=16, max_retries=0))
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(*args, **kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager
