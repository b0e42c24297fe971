"""HTTP boundary: session, headers, byte-exact URLs, query tunnelling, and sending.

The client decides *what* to send (``LinkedInAdsClient``); this module only builds the wire form
and sends it. Answers are turned into JSON or typed errors by
:mod:`airflow_provider_linkedin_ads.client.responses` (re-exported here).

Two rules from ``linkedin-api.md`` sections 7 and 8 shape it:

* The query string comes from :func:`airflow_provider_linkedin_ads.restli.build_query` and is sent
  byte for byte: the finished URL is set on the prepared request *after* ``requests`` prepared it, so
  nothing re-quotes ``List(``, ``%3A`` or the raw commas of ``fields``.
* Bodies are streamed and read in chunks under two bounds: ``ClientConfig.attempt_timeout`` (a
  monotonic deadline for the whole attempt, connect to last byte; past it ``TransportError``) and
  ``ClientConfig.max_response_bytes`` (past it ``AnswerTooLargeError``, the rest left unread).
  Redirects are never followed: a 3xx comes back as an answer and becomes ``RedirectError``.
* A query longer than ``ClientConfig.tunnel_threshold`` characters (default
  :data:`~airflow_provider_linkedin_ads.client.config.TUNNEL_THRESHOLD`, 4,000) is *tunnelled*:
  ``POST`` to the same path, ``X-HTTP-Method-Override: GET``,
  ``Content-Type: application/x-www-form-urlencoded`` and the exact query as the body.
"""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests
import urllib3.exceptions

from airflow_provider_linkedin_ads import __version__
from airflow_provider_linkedin_ads.client.config import BODY_PIECE_BYTES
from airflow_provider_linkedin_ads.client.redaction import RedactingAdapter
from airflow_provider_linkedin_ads.client.responses import (
    classify_429,
    decode_json,
    error_from_response,
    next_utc_midnight,
    parse_retry_after,
)
from airflow_provider_linkedin_ads.errors import AnswerTooLargeError, ConfigurationError, TransportError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from airflow_provider_linkedin_ads.client.config import ClientConfig

__all__ = [
    "FORM_CONTENT_TYPE",
    "RESTLI_PROTOCOL_VERSION",
    "USER_AGENT",
    "OutgoingRequest",
    "Transport",
    "api_headers",
    "build_session",
    "classify_429",
    "decode_json",
    "error_from_response",
    "introspect_url",
    "next_utc_midnight",
    "parse_retry_after",
    "plan_get",
    "should_tunnel",
]

USER_AGENT = f"airflow-provider-linkedin-ads/{__version__} (+python-requests)"
RESTLI_PROTOCOL_VERSION = "2.0.0"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
_INTROSPECT_PATH = "/oauth/v2/introspectToken"
_MESSAGE_PREVIEW = 300
_FALLBACK_CHUNK = 1024


@dataclass(frozen=True)
class OutgoingRequest:
    """The wire form of one API request, without credentials.

    :param method: ``GET``, or ``POST`` when tunnelled.
    :param url: the complete URL, query included for a plain GET; sent byte for byte.
    :param headers: request-specific headers (method override, content type, Rest.li method).
    :param body: the tunnelled query, or ``None``.
    :param tunnelled: whether the GET travels as a ``POST`` with ``X-HTTP-Method-Override``.

    .. code-block:: python

        request = plan_get("https://api.linkedin.com/rest", "adAnalytics", "q=analytics", tunnel=True)
        request.method, request.url, request.body  # ('POST', '.../rest/adAnalytics', b'q=analytics')
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    tunnelled: bool = False


def should_tunnel(query: str, threshold: int) -> bool:
    """Tell whether an encoded query is too long for the URL (strictly longer than ``threshold``)."""
    return len(query) > threshold


def plan_get(
    base_url: str, resource: str, query: str, *, tunnel: bool, restli_method: str | None = None
) -> OutgoingRequest:
    """Build the wire form of a GET, tunnelled or not.

    :param base_url: ``ClientConfig.api_base_url`` (no trailing slash).
    :param resource: path below the base URL, e.g. ``"adAnalytics"``; path keys already encoded
        with :func:`~airflow_provider_linkedin_ads.restli.encode_path_key`.
    :param query: the encoded query string from ``build_query`` (no leading ``?``).
    :param tunnel: send as ``POST`` with the query in the body.
    :param restli_method: value of ``X-RestLi-Method`` (e.g. ``"BATCH_GET"``), if any.
    :raises ConfigurationError: when ``resource`` is empty or carries a query or fragment.
    """
    path_url = f"{base_url}/{_clean_resource(resource)}"
    headers: dict[str, str] = {}
    if restli_method:
        headers["X-RestLi-Method"] = restli_method
    if tunnel:
        headers["X-HTTP-Method-Override"] = "GET"
        headers["Content-Type"] = FORM_CONTENT_TYPE
        return OutgoingRequest("POST", path_url, headers, query.encode("ascii"), tunnelled=True)
    url = f"{path_url}?{query}" if query else path_url
    return OutgoingRequest("GET", url, headers)


def _clean_resource(resource: str) -> str:
    cleaned = resource.strip("/")
    if not cleaned or "?" in cleaned or "#" in cleaned:
        raise ConfigurationError(
            f"resource must be a path below the API base URL without query or fragment, got {resource!r}",
            argument="resource",
        )
    return cleaned


def api_headers(access_token: str, api_version: str) -> dict[str, str]:
    """Return the headers every ``/rest`` call carries (``linkedin-api.md`` 7.1).

    :param access_token: sent only in ``Authorization``; never in a URL.
    :param api_version: the ``LinkedIn-Version`` (``YYYYMM`` or ``YYYYMM.RR``).
    """
    return {
        "Authorization": f"Bearer {access_token}",
        "LinkedIn-Version": api_version,
        "X-Restli-Protocol-Version": RESTLI_PROTOCOL_VERSION,
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
    }


def introspect_url(token_url: str) -> str:
    """Return the token-introspection URL next to ``token_url`` (same scheme and host)."""
    parts = urllib.parse.urlsplit(token_url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, _INTROSPECT_PATH, "", ""))


def build_session(config: ClientConfig) -> requests.Session:
    """Create the one pooled session of a client.

    ``requests`` retries nothing itself (``max_retries=0``): the single retry policy lives in
    :mod:`airflow_provider_linkedin_ads.client.retry`. Its connections keep credentials out of
    ``http.client``'s debug output (:mod:`airflow_provider_linkedin_ads.client.redaction`).
    """
    session = requests.Session()
    # Redacting: with http.client's debug output switched on, no credential is ever printed.
    adapter = RedactingAdapter(
        pool_connections=config.pool_size, pool_maxsize=config.pool_size, max_retries=0
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class Transport:
    """Send requests over one shared session with explicit timeouts, a deadline and a size cap.

    Thread-safe as far as ``requests`` is: one session, used concurrently for sending only. The
    body is read here, in chunks, so the returned response's ``content`` is already complete.

    :param session: the pooled session.
    :param config: timeouts, ``attempt_timeout`` and ``max_response_bytes``.
    :param monotonic: the clock of the attempt deadline (injected in tests).

    .. code-block:: python

        transport = Transport(build_session(config), config)
        response = transport.send(plan_get(config.api_base_url, "adAnalytics", query, tunnel=False), headers)
    """

    def __init__(
        self,
        session: requests.Session,
        config: ClientConfig,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._attempt_timeout = config.attempt_timeout
        self._timeout = (
            min(config.connect_timeout, config.attempt_timeout),
            min(config.read_timeout, config.attempt_timeout),
        )
        self._cap = config.max_response_bytes
        self._monotonic = monotonic

    def send(self, request: OutgoingRequest, headers: Mapping[str, str]) -> requests.Response:
        """Send ``request`` with ``headers`` added; the URL goes out exactly as built.

        :raises TransportError: on connection errors, timeouts, TLS failures, cut bodies and an
            attempt past ``attempt_timeout``.
        :raises AnswerTooLargeError: for a body larger than ``max_response_bytes``.
        """
        response, pieces = self.send_in_pieces(request, headers)
        if pieces:
            response._content = b"".join(pieces)
        return response

    def send_in_pieces(
        self, request: OutgoingRequest, headers: Mapping[str, str]
    ) -> tuple[requests.Response, list[bytes]]:
        """Send like :meth:`send`, but keep a successful (2xx) body in the pieces it arrived in.

        A report answer is several MiB: joined into one ``bytes``, each would be a block large
        enough to fragment the memory of the thread that read it (see :mod:`~.element_stream`). For
        a 2xx answer the body is therefore returned as the pieces read (at most 64 KiB each), and
        the response's own ``content`` is empty; any other answer has its (small) body joined in
        ``content`` and no pieces.

        :raises TransportError: as :meth:`send`.
        :raises AnswerTooLargeError: as :meth:`send`.
        """
        prepared = self._session.prepare_request(
            requests.Request(
                request.method, request.url, headers={**headers, **request.headers}, data=request.body
            )
        )
        prepared.url = request.url  # requests re-quotes URLs while preparing; undo that
        response, pieces = self._send_prepared(prepared)
        if 200 <= response.status_code < 300:
            return response, pieces
        response._content = b"".join(pieces)
        return response, []

    def post_form(self, url: str, form: Mapping[str, str]) -> requests.Response:
        """POST an ``application/x-www-form-urlencoded`` body (token endpoint, introspection).

        :raises TransportError: on connection errors, timeouts, TLS failures and cut bodies.
        """
        body = urllib.parse.urlencode(form).encode("ascii")
        headers = {"Content-Type": FORM_CONTENT_TYPE, "Accept": "application/json", "User-Agent": USER_AGENT}
        return self.send(OutgoingRequest("POST", url, headers, body), {})

    def _send_prepared(self, prepared: requests.PreparedRequest) -> tuple[requests.Response, list[bytes]]:
        url = prepared.url or ""
        target = f"{prepared.method} {url.partition('?')[0]}"  # the query adds nothing useful to messages
        deadline = self._monotonic() + self._attempt_timeout
        settings = self._session.merge_environment_settings(url, {}, None, None, None)
        settings["stream"] = True  # the body is read below, in chunks, under the cap and the deadline
        try:
            response = self._session.send(prepared, timeout=self._timeout, allow_redirects=False, **settings)
        except requests.RequestException as err:
            raise _no_answer(target, err) from err
        try:
            pieces = self._read_body(response, deadline, target)
        except BaseException:
            response.close()  # the unread rest (over the cap, past the deadline): the connection is dropped
            raise
        response._content = b""  # requests' own slots for a body read in full (kept in the pieces) ...
        response._content_consumed = True  # type: ignore[attr-defined]  # not in the stubs
        response.close()  # ... so closing only hands the connection back to the pool
        return response, pieces

    def _read_body(self, response: requests.Response, deadline: float, target: str) -> list[bytes]:
        """Read the (decoded) body in pieces, checking the size cap and the attempt deadline."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._cap:
            raise _too_large(target, self._cap, f"announces {int(declared):,} bytes")
        chunks: list[bytes] = []
        size = 0
        raw = response.raw
        read = _reader(raw)
        while True:
            if self._monotonic() > deadline:
                raise TransportError(
                    f"{target}: the answer took longer than attempt_timeout={self._attempt_timeout:g} s "
                    f"({size:,} bytes read); the server is too slow or dripping the body"
                )
            try:
                data = read()
            except (urllib3.exceptions.HTTPError, OSError) as err:
                wrapped = _as_requests_error(err)  # what requests' own body reading would raise
                raise _no_answer(target, wrapped) from wrapped
            if not data:
                return chunks
            size += len(data)
            if size > self._cap:
                raise _too_large(target, self._cap, f"passed {self._cap:,} bytes; reading stopped")
            chunks.append(data)


def _reader(raw: Any) -> Callable[[], bytes]:
    """Return a call reading the next piece of the decoded body.

    ``read1`` (urllib3 >= 2.3) returns whatever has arrived, so the deadline is checked after every
    network read. Older urllib3 has only ``read(amt)``, which waits for ``amt`` bytes: a smaller
    piece keeps the deadline checks frequent there.
    """
    if hasattr(raw, "read1"):
        return lambda: bytes(raw.read1(BODY_PIECE_BYTES, decode_content=True))
    return lambda: bytes(raw.read(_FALLBACK_CHUNK, decode_content=True))


def _as_requests_error(err: BaseException) -> requests.RequestException:
    if isinstance(err, urllib3.exceptions.ProtocolError):
        wrapped: requests.RequestException = requests.exceptions.ChunkedEncodingError(err)
    elif isinstance(err, urllib3.exceptions.DecodeError):
        wrapped = requests.exceptions.ContentDecodingError(err)
    else:
        wrapped = requests.exceptions.ConnectionError(err)
    wrapped.__cause__ = err
    return wrapped


def _no_answer(target: str, err: BaseException) -> TransportError:
    detail = str(err)[:_MESSAGE_PREVIEW]
    return TransportError(f"{target} got no complete answer ({type(err).__name__}: {detail})")


def _too_large(target: str, cap: int, what: str) -> AnswerTooLargeError:
    return AnswerTooLargeError(
        f"{target}: the answer {what}, more than max_response_bytes={cap:,} (no legitimate LinkedIn answer "
        "is that large; raise the connection extra max_response_bytes if you are sure it is)",
        limit=cap,
    )
