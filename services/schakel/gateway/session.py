"""The web session of the owners' pages: a cookie holding the bearer token, and the CSRF
token every POST form of those pages carries.

The session cookie is ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's
page sends it along) and ``Path=/``; it lives as long as the token in it (``login.TOKEN_TTL``).
It is ``Secure`` (sent over https only) unless ``SCHAKEL_SESSION_COOKIE_SECURE`` says
otherwise; by default in production mode always, since the gateway behind a TLS-terminating
proxy cannot tell from the request that the browser used https, and in development mode when
the request itself came over https (``make run`` serves plain http on 127.0.0.1).

CSRF: a signed double-submit token. A random value lives in its own cookie (set with the first
page that shows a form); each form carries HMAC(auth secret, that value and the session's
token) in a hidden field. A POST is refused unless the field matches its cookies, so a page
elsewhere can neither read nor forge it, and a token from before a sign-in or sign-out does not
fit after it. SameSite=Strict alone would already keep the session cookie off cross-site
POSTs; the token also covers the sign-in form (which has no session yet) and browsers without
SameSite.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import jwt
from fastapi import Request, Response
from starlette.datastructures import FormData

from schakel.platform.auth import Principal, verify_token

SESSION_COOKIE = "schakel_sessie"
CSRF_COOKIE = "schakel_csrf"
CSRF_FIELD = "csrf_token"
_NEW_SEED = "schakel_new_csrf_seed"  # request.state: the seed made for this request's page


@dataclass(frozen=True)
class Session:
    token: str
    principal: Principal


@dataclass(frozen=True)
class SessionCookies:
    """How the gateway reads and writes the session and CSRF cookies."""

    secret: str
    production: bool
    secure_setting: bool | None = None  # SCHAKEL_SESSION_COOKIE_SECURE; None: decide per mode
    max_age_seconds: int = 8 * 3600

    def secure(self, request: Request) -> bool:
        if self.secure_setting is not None:
            return self.secure_setting
        return self.production or request.url.scheme == "https"

    def current(self, request: Request) -> Session | None:
        """The signed-in session, or None (no cookie, or a token that is expired or forged)."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        try:
            return Session(token, verify_token(token, self.secret))
        except jwt.PyJWTError:
            return None

    def start(self, response: Response, request: Request, token: str) -> None:
        self._set(response, request, SESSION_COOKIE, token)

    def end(self, response: Response, request: Request) -> None:
        response.delete_cookie(
            SESSION_COOKIE,
            path="/",
            secure=self.secure(request),
            httponly=True,
            samesite="strict",
        )

    def csrf_token(self, request: Request) -> str:
        """The token for a form on this page (``keep_csrf_seed`` then sets a new seed)."""
        seed = request.cookies.get(CSRF_COOKIE) or self._new_seed(request)
        return self._sign(seed, request.cookies.get(SESSION_COOKIE, ""))

    def keep_csrf_seed(self, response: Response, request: Request) -> None:
        """Set the CSRF cookie if this request's page made a new seed."""
        seed: str | None = getattr(request.state, _NEW_SEED, None)
        if seed is not None:
            self._set(response, request, CSRF_COOKIE, seed)

    def csrf_valid(self, request: Request, form: FormData) -> bool:
        seed = request.cookies.get(CSRF_COOKIE)
        sent = form.get(CSRF_FIELD)
        if not seed or not isinstance(sent, str) or not sent:
            return False
        expected = self._sign(seed, request.cookies.get(SESSION_COOKIE, ""))
        return hmac.compare_digest(sent.encode(), expected.encode())

    def _sign(self, seed: str, session_token: str) -> str:
        message = f"csrf|{seed}|{session_token}".encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()

    def _new_seed(self, request: Request) -> str:
        seed: str | None = getattr(request.state, _NEW_SEED, None)
        if seed is None:
            seed = secrets.token_urlsafe(32)
            setattr(request.state, _NEW_SEED, seed)
        return seed

    def _set(self, response: Response, request: Request, name: str, value: str) -> None:
        response.set_cookie(
            name,
            value,
            max_age=self.max_age_seconds,
            path="/",
            secure=self.secure(request),
            httponly=True,
            samesite="strict",
        )
