"""The gateway's process: the one public base URL, with the web pages, the login, the merged
API documents and a proxy to the services. It has no Kafka and no database of its own."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from pydantic import field_validator

from schakel.gateway import docs, login, pages
from schakel.gateway.openapi_merge import merged_openapi
from schakel.gateway.pages.base import STATIC_DIR
from schakel.gateway.proxy import Upstreams, add_proxy_routes
from schakel.gateway.ratelimit import Budget, ClientAddresses, Clock, Limits, networks
from schakel.gateway.session import SessionCookies
from schakel.gateway.users import UsersFileError, UserStore, load_users
from schakel.platform.http import create_app
from schakel.platform.logging import get_logger
from schakel.platform.settings import DEVELOPMENT, ServiceSettings

log = get_logger(__name__)
UPSTREAMS = ("intake", "triage", "matching", "followup", "feedback", "audit")


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    http_port: int = 8080
    intake_url: str = "http://127.0.0.1:8081"
    triage_url: str = "http://127.0.0.1:8082"
    matching_url: str = "http://127.0.0.1:8083"
    feedback_url: str = "http://127.0.0.1:8084"
    audit_url: str = "http://127.0.0.1:8085"
    followup_url: str = "http://127.0.0.1:8086"
    # A JSON file of accounts (the demo's: `make run` sets it). Unset, logins are off (503).
    # Production uses an identity provider.
    users_file: str | None = None
    upstream_timeout_seconds: float = 10.0
    # Budgets per client, "<requests>/<seconds>" (that many at once, refilled evenly over the
    # seconds) or "off"; see ratelimit and deploy/README.md.
    rate_limit_signals: str = "20/600"  # the form and POST /api/v1/signals together
    rate_limit_sign_in: str = "10/60"  # POST /api/v1/auth/token per client address
    rate_limit_sign_in_failures: str = "5/300"  # failed sign-ins per username
    # Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is
    # believed; empty: the connection's address is the client.
    trusted_proxies: str = ""
    # Whether the owners' session cookie is Secure (https only); unset: always in production
    # mode, in development mode when the request came over https (see session.py).
    session_cookie_secure: bool | None = None

    @field_validator("rate_limit_signals", "rate_limit_sign_in", "rate_limit_sign_in_failures")
    @classmethod
    def _budget(cls, value: str) -> str:
        Budget.parse(value)  # a typo stops the start, not a request
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        networks(value)
        return value

    def upstream_urls(self) -> dict[str, str]:
        return {name: str(getattr(self, f"{name}_url")) for name in UPSTREAMS}

    def limits(self, clock: Clock | None = None) -> Limits:
        budgets = (
            Budget.parse(self.rate_limit_signals),
            Budget.parse(self.rate_limit_sign_in),
            Budget.parse(self.rate_limit_sign_in_failures),
        )
        clients = ClientAddresses(networks(self.trusted_proxies))
        return Limits(*budgets, clients) if clock is None else Limits(*budgets, clients, clock)


def settings() -> GatewaySettings:
    return GatewaySettings()


def _users(config: GatewaySettings) -> UserStore | None:
    if config.users_file is None:
        log.warning("logins are off: SCHAKEL_USERS_FILE is not set")
        return None
    try:
        store = load_users(Path(config.users_file))
    except UsersFileError as exc:
        log.warning("logins are off: no usable users file", error=str(exc))
        return None
    log.info("accounts loaded", users_file=config.users_file, accounts=len(store))
    return store


def build(
    config: GatewaySettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """The gateway app; ``transport`` replaces the network to the services and ``clock``
    the rate limits' clock (tests)."""
    config = config or settings()
    client = httpx.AsyncClient(
        transport=transport,
        timeout=config.upstream_timeout_seconds,
        trust_env=False,  # services are addressed directly, never via an HTTP proxy from env
    )
    upstreams = Upstreams(config.upstream_urls(), client)
    app = create_app(
        config,
        title="schakel",
        description="The public API of schakel: report a concern, "
        "send a wellbeing prescription, follow referrals, audit their history.",
        readiness=[(name, upstreams.health_check(name)) for name in upstreams.urls],
        on_stop=client.aclose,
        # Served by docs: the document of everything the gateway forwards, not just its own.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.upstreams = upstreams
    app.state.users = _users(config)
    app.state.limits = limits = config.limits(clock)
    app.state.sessions = SessionCookies(
        config.auth_secret,
        production=config.env != DEVELOPMENT,
        secure_setting=config.session_cookie_secure,
        max_age_seconds=int(login.TOKEN_TTL.total_seconds()),
    )
    app.include_router(login.router)
    app.include_router(pages.router)
    docs.mount_swagger_ui(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    add_proxy_routes(app, upstreams, limits)
    # Last: the document lists the routes above (the gateway's own and the forwarded ones).
    app.include_router(docs.document_router(merged_openapi(app)))
    return app
