"""OAuth 2.0 as LinkedIn runs it: the token endpoint, introspection, bearer checks and a token store.

Behaviour from ``linkedin-api.md`` section 9: refresh and authorization-code grants with
``expires_in``/``refresh_token_expires_in``; refreshing does not extend the refresh token; OAuth-style
error bodies from the token endpoint; LinkedIn's 401 bodies (``serviceErrorCode`` 401, 65600, 65601,
65602) from the API. Token lifetimes follow the emulator's clock, so a test expires a token by moving
time (or with :meth:`TokenStore.expire`).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.testing.responses import (
    Rejection,
    Response,
    api_error,
    json_response,
    oauth_error,
)

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing.clock import Clock
    from airflow_provider_linkedin_ads.testing.request import Request

__all__ = [
    "AUTH_CODE",
    "DEFAULT_SCOPE",
    "Token",
    "TokenStore",
    "authenticate",
    "introspect",
    "token_endpoint",
]

#: The authorization code the emulator accepts in the ``authorization_code`` grant.
AUTH_CODE = "emulator-auth-code"
#: Scopes of tokens the emulator mints unless told otherwise (reporting plus entity reads).
DEFAULT_SCOPE = "r_ads,r_ads_reporting"
_INVALID_GRANT = "The provided authorization grant or refresh token is invalid, expired or revoked"


@dataclass(frozen=True)
class Token:
    """A token the emulator issued.

    :param kind: ``"access"`` or ``"refresh"``.
    :param member: the member the token acts for (decides which ad accounts are visible).
    :param scope: comma-separated scopes.
    :param created_at: when it was minted (emulator clock).
    :param expires_at: when it stops working (emulator clock).
    :param revoked: whether it was revoked.
    """

    kind: str
    member: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked: bool = False

    def status(self, now: dt.datetime) -> str:
        """``"revoked"``, ``"expired"`` or ``"active"`` at ``now``."""
        if self.revoked:
            return "revoked"
        return "expired" if now >= self.expires_at else "active"

    def __repr__(self) -> str:  # the value is the dict key, never part of the record
        return f"Token({self.kind}, member={self.member!r}, expires_at={self.expires_at.isoformat()})"


class TokenStore:
    """Every token the emulator knows, keyed by value; thread-safe.

    :param clock: the emulator clock.
    :param client_id: the OAuth client id the token endpoint accepts.
    :param client_secret: the matching secret.
    :param refresh_token: the pre-provisioned refresh token (valid for ``refresh_token_ttl``).
    :param member: the member every token acts for unless told otherwise.
    :param access_token_ttl: seconds an access token lives (LinkedIn: 60 days).
    :param refresh_token_ttl: seconds a refresh token lives (LinkedIn: 365 days).

    .. code-block:: python

        store = TokenStore(clock, client_id="id", client_secret="s", refresh_token="r", member="m")
        token = store.issue_access_token(expires_in=60)
    """

    def __init__(
        self,
        clock: Clock,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        member: str,
        access_token_ttl: int = 5_184_000,
        refresh_token_ttl: int = 31_536_000,
    ) -> None:
        self.clock = clock
        self.client_id = client_id
        self.client_secret = client_secret
        self.member = member
        self.access_token_ttl = access_token_ttl
        self.refresh_token_ttl = refresh_token_ttl
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}
        self._mint(refresh_token, "refresh", refresh_token_ttl, DEFAULT_SCOPE, member)

    def _mint(self, value: str, kind: str, ttl: int, scope: str, member: str) -> str:
        now = self.clock.now()
        token = Token(kind, member, scope, now, now + dt.timedelta(seconds=ttl))
        with self._lock:
            self._tokens[value] = token
        return value

    def issue_access_token(
        self, *, expires_in: int | None = None, scope: str = DEFAULT_SCOPE, member: str | None = None
    ) -> str:
        """Mint an access token directly (no HTTP) and return its value.

        :param expires_in: lifetime in seconds; default the store's ``access_token_ttl``.
        :param scope: comma-separated scopes; leave out ``r_ads_reporting`` to provoke 403s.
        :param member: the member it acts for; default the store's member.
        """
        ttl = self.access_token_ttl if expires_in is None else expires_in
        return self._mint(_new_value("AQV"), "access", ttl, scope, member or self.member)

    def issue_refresh_token(self, *, member: str | None = None) -> str:
        """Mint a refresh token with the full ``refresh_token_ttl`` and return its value."""
        return self._mint(
            _new_value("AQX"), "refresh", self.refresh_token_ttl, DEFAULT_SCOPE, member or self.member
        )

    def get(self, value: str) -> Token | None:
        """Return the record of ``value``, or ``None`` for a token never issued."""
        with self._lock:
            return self._tokens.get(value)

    def revoke(self, value: str) -> None:
        """Revoke a token (access or refresh); unknown values are ignored."""
        self._update(value, revoked=True)

    def expire(self, value: str) -> None:
        """Make a token expire now (access or refresh); unknown values are ignored."""
        self._update(value, expires_at=self.clock.now())

    def _update(self, value: str, **changes: object) -> None:
        with self._lock:
            if value in self._tokens:
                self._tokens[value] = replace(self._tokens[value], **changes)  # type: ignore[arg-type]

    def client_matches(self, client_id: str | None, client_secret: str | None) -> bool:
        """Compare client credentials in constant time."""
        return hmac.compare_digest(
            (client_id or "").encode(), self.client_id.encode()
        ) and hmac.compare_digest((client_secret or "").encode(), self.client_secret.encode())

    def __repr__(self) -> str:
        return f"TokenStore({len(self._tokens)} tokens)"


def _new_value(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(48)


def _seconds_left(token: Token, now: dt.datetime) -> int:
    return max(0, int((token.expires_at - now).total_seconds()))


def token_endpoint(request: Request, store: TokenStore) -> Response:
    """``POST /oauth/v2/accessToken``: the refresh-token and authorization-code grants.

    :param request: the HTTP request (form body).
    :param store: where tokens live.
    """
    if request.method != "POST":
        return oauth_error(405, "invalid_request", "The token endpoint accepts POST only")
    form = request.form()
    grant = form.get("grant_type")
    if not grant:
        return oauth_error(400, "invalid_request", 'A required parameter "grant_type" is missing')
    if grant == "client_credentials":
        return oauth_error(
            400, "access_denied", "This application is not allowed to create application tokens"
        )
    if grant not in ("refresh_token", "authorization_code"):
        return oauth_error(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported")
    if not store.client_matches(form.get("client_id"), form.get("client_secret")):
        return oauth_error(401, "invalid_client", "Client authentication failed (client_id or client_secret)")
    if grant == "refresh_token":
        return _refresh_grant(form, store)
    return _code_grant(form, store)


def _refresh_grant(form: dict[str, str], store: TokenStore) -> Response:
    value = form.get("refresh_token")
    if not value:
        return oauth_error(400, "invalid_request", 'A required parameter "refresh_token" is missing')
    token = store.get(value)
    now = store.clock.now()
    if token is None or token.kind != "refresh" or token.status(now) != "active":
        return oauth_error(400, "invalid_grant", _INVALID_GRANT)
    access = store.issue_access_token(member=token.member)
    # Refreshing never extends the refresh token: report what is left of its original lifetime.
    return _token_json(store, access, value, _seconds_left(token, now), token.scope)


def _code_grant(form: dict[str, str], store: TokenStore) -> Response:
    if not form.get("code"):
        return oauth_error(400, "invalid_request", 'A required parameter "code" is missing')
    if not hmac.compare_digest(form["code"].encode(), AUTH_CODE.encode()):
        return oauth_error(400, "invalid_grant", _INVALID_GRANT)
    refresh = store.issue_refresh_token()
    access = store.issue_access_token()
    return _token_json(store, access, refresh, store.refresh_token_ttl, DEFAULT_SCOPE)


def _token_json(store: TokenStore, access: str, refresh: str, refresh_left: int, scope: str) -> Response:
    token = store.get(access)
    expires_in = _seconds_left(token, store.clock.now()) if token else store.access_token_ttl
    body = {
        "access_token": access,
        "expires_in": expires_in,
        "refresh_token": refresh,
        "refresh_token_expires_in": refresh_left,
        "scope": scope,
    }
    return json_response(body)


def introspect(request: Request, store: TokenStore) -> Response:
    """``POST /oauth/v2/introspectToken``: describe a token (``active``, ``status``, ``expires_at``...).

    :param request: the HTTP request (form body ``client_id``, ``client_secret``, ``token``).
    :param store: where tokens live.
    """
    if request.method != "POST":
        return oauth_error(405, "invalid_request", "The introspection endpoint accepts POST only")
    form = request.form()
    if not store.client_matches(form.get("client_id"), form.get("client_secret")):
        return oauth_error(401, "invalid_client", "Client authentication failed (client_id or client_secret)")
    if not form.get("token"):
        return oauth_error(400, "invalid_request", 'A required parameter "token" is missing')
    token = store.get(form["token"])
    if token is None:
        return json_response({"active": False})
    status = token.status(store.clock.now())
    body: dict[str, object] = {
        "active": status == "active",
        "client_id": store.client_id,
        "authorized_at": int(token.created_at.timestamp()),
        "created_at": int(token.created_at.timestamp()),
        "status": status,
        "expires_at": int(token.expires_at.timestamp()),
        "scope": token.scope,
        "auth_type": "3L",
    }
    return json_response(body)


def authenticate(request: Request, store: TokenStore) -> Token:
    """Check the ``Authorization: Bearer`` header and return the access token's record.

    :raises Rejection: with LinkedIn's 401 body (empty 401, invalid 65600, revoked 65601, expired 65602).
    """
    header = (request.header("Authorization") or "").strip()
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if not header or (scheme.lower() == "bearer" and not value):
        raise Rejection(
            api_error(401, "EMPTY_ACCESS_TOKEN", "Empty oauth2_access_token", service_error_code=401)
        )
    token = store.get(value) if scheme.lower() == "bearer" else None
    if token is None or token.kind != "access":
        raise Rejection(
            api_error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", service_error_code=65600)
        )
    status = token.status(store.clock.now())
    if status == "revoked":
        message = "The token used in the request has been revoked by the user"
        raise Rejection(api_error(401, "REVOKED_ACCESS_TOKEN", message, service_error_code=65601))
    if status == "expired":
        message = "The token used in the request has expired"
        raise Rejection(api_error(401, "EXPIRED_ACCESS_TOKEN", message, service_error_code=65602))
    return token
