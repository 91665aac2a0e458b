"""The gateway's process: the one public base URL, with the web pages, the login, the merged
API documents and a proxy to the services. It has no Kafka and no database of its own."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, ValidationError

from schakel.gateway import pages
from schakel.gateway.openapi_merge import MergedOpenAPI
from schakel.gateway.proxy import Upstreams, add_proxy_routes
from schakel.gateway.users import UsersFileError, UserStore, load_users
from schakel.platform.auth import issue_token
from schakel.platform.http import create_app
from schakel.platform.logging import get_logger
from schakel.platform.settings import ServiceSettings

log = get_logger(__name__)
TOKEN_TTL = timedelta(hours=8)
UPSTREAMS = ("intake", "triage", "matching", "feedback", "audit")


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    http_port: int = 8080
    intake_url: str = "http://127.0.0.1:8081"
    triage_url: str = "http://127.0.0.1:8082"
    matching_url: str = "http://127.0.0.1:8083"
    feedback_url: str = "http://127.0.0.1:8084"
    audit_url: str = "http://127.0.0.1:8085"
    # A JSON file of accounts (the demo's: `make run` sets it). Unset, logins are off (503).
    # Production uses an identity provider.
    users_file: str | None = None
    upstream_timeout_seconds: float = 10.0

    def upstream_urls(self) -> dict[str, str]:
        return {name: str(getattr(self, f"{name}_url")) for name in UPSTREAMS}


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class TokenAnswer(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")
    organisation: str
    roles: list[str]


auth_router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
# The body is read by hand to accept both forms; this tells the OpenAPI document about them.
_CREDENTIALS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": Credentials.model_json_schema()},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "grant_type": {"type": "string", "const": "password"},
                        "username": {"type": "string"},
                        "password": {"type": "string"},
                    },
                }
            },
        },
    }
}


@auth_router.post(
    "/token",
    response_model=TokenAnswer,
    openapi_extra=_CREDENTIALS_BODY,
    summary="Log in: a bearer token for the other /api/v1 endpoints",
    responses={401: {"description": "Wrong username or password"}},
)
async def token(request: Request, response: Response) -> TokenAnswer | JSONResponse:
    credentials = await _credentials(request)
    store: UserStore | None = request.app.state.users
    if store is None:
        return JSONResponse(
            status_code=503,
            content={"detail": "no accounts are configured on this gateway (SCHAKEL_USERS_FILE)"},
        )
    # PBKDF2 takes a fraction of a second of CPU: keep it off the event loop.
    principal = await asyncio.to_thread(
        store.authenticate, credentials.username, credentials.password
    )
    if principal is None:
        log.info("login refused", username=credentials.username)
        return JSONResponse(
            status_code=401,
            content={"detail": "wrong username or password"},
            headers={"WWW-Authenticate": "Bearer"},
        )
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 §5.1: tokens are not cached
    return TokenAnswer(
        access_token=issue_token(principal, request.app.state.settings.auth_secret, TOKEN_TTL),
        expires_in=int(TOKEN_TTL.total_seconds()),
        organisation=principal.organisation,
        roles=sorted(principal.roles),
    )


async def _credentials(request: Request) -> Credentials:
    """JSON ``{username, password}`` or an OAuth2 password form (what Swagger UI sends)."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            return Credentials.model_validate_json(await request.body())
        form = await request.form()
        if form.get("grant_type", "password") != "password":
            raise RequestValidationError(
                [
                    {
                        "loc": ("grant_type",),
                        "type": "value_error",
                        "msg": "only the password grant is supported",
                    }
                ]
            )
        return Credentials.model_validate(
            {"username": form.get("username"), "password": form.get("password")}
        )
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


def add_document_routes(app: FastAPI, merged: MergedOpenAPI) -> None:
    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(await merged.document(request.state.correlation_id))

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="schakel API")

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> JSONResponse:
        return JSONResponse(pages.cached_asyncapi())


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
) -> FastAPI:
    """The gateway app; ``transport`` replaces the network to the services (tests)."""
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
        # Served below: the merged document of all services, not just the gateway's own.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.upstreams = upstreams
    app.state.users = _users(config)
    app.include_router(auth_router)
    add_document_routes(app, MergedOpenAPI(upstreams, app.openapi))
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    add_proxy_routes(app, upstreams)
    return app
