"""The public API's routing table and the forwarding of requests to the services.

One shared ``httpx.AsyncClient`` talks to every upstream. The gateway's correlation id is
always sent on, so one id follows a signal through the logs of every service. What cannot be
forwarded as sent is refused first (``checks``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import quote

import httpx
import jwt
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from schakel.gateway.checks import header_refusal, path_refusal, query_refusal
from schakel.gateway.ratelimit import Limits, too_many
from schakel.platform.auth import verify_token
from schakel.platform.dependencies import CorrelationId, Settings
from schakel.platform.edge import CORRELATION_HEADER, Refusal
from schakel.platform.logging import get_logger

log = get_logger(__name__)

FORWARDED_REQUEST_HEADERS = (
    "authorization",
    "content-type",
    "accept",
    "accept-language",
    "idempotency-key",
)
# Besides the content type: what a client needs to act on the answer.
FORWARDED_RESPONSE_HEADERS = ("content-type", "location", "retry-after", "www-authenticate")
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    """Requests for ``path`` (Starlette syntax) with one of ``methods`` go to ``service``."""

    service: str
    methods: tuple[str, ...]
    path: str
    public: bool = False
    signal_budget: bool = False  # each request takes from the client's budget of signals
    api_key: bool = False  # an organisation's X-Api-Key is forwarded (signalling only)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Matches concrete paths and OpenAPI templates (``{id}`` is one segment too)."""
        regex = re.sub(r"\{[^}:]+:path\}", ".+", self.path)
        return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", regex) + "$")

    def serves(self, method: str, path: str) -> bool:
        return method.upper() in self.methods and self.pattern.match(path) is not None


# Order matters: the first route that matches a path wins (Starlette tries them in order).
ROUTES: tuple[Route, ...] = (
    Route("intake", ("POST",), "/api/v1/signals", public=True, signal_budget=True, api_key=True),
    Route("feedback", ("GET",), "/api/v1/signals/{receipt}/status", public=True),
    # A concern about someone in care: public (a helper's or a receipt's code), from the
    # same budget as signals; professionals send their token.
    Route("followup", ("POST",), "/api/v1/concerns", public=True, signal_budget=True),
    Route("intake", ("POST",), "/api/v1/referrals"),
    Route("feedback", ("GET",), "/api/v1/referrals"),
    Route("audit", ("GET",), "/api/v1/referrals/{referral_id}/timeline"),
    # A person's rights (erasure, export, contact details): intake holds the vault.
    Route("intake", ("POST",), "/api/v1/referrals/{referral_id}/person/{action}"),
    # The owners' actions (accept, close…) and inbox live in followup; reading a referral's
    # progress as its referrer or owner in feedback.
    Route("followup", ("POST",), "/api/v1/referrals/{referral_id}/{action:path}"),
    Route("feedback", ALL_METHODS, "/api/v1/referrals/{rest:path}"),
    Route("feedback", ("GET",), "/api/v1/fhir/Task/{referral_id}"),
    Route("intake", ("POST",), "/api/v1/fhir/ServiceRequest"),
    Route("intake", ("POST",), "/api/v1/fhir"),
    Route("followup", ("GET",), "/api/v1/inbox"),
    Route("followup", ("GET",), "/api/v1/inbox/{rest:path}"),
    Route("audit", ALL_METHODS, "/api/v1/audit/{rest:path}"),
    Route("matching", ALL_METHODS, "/api/v1/offers"),
    Route("matching", ALL_METHODS, "/api/v1/offers/{rest:path}"),
    Route("matching", ALL_METHODS, "/api/v1/proposals/{rest:path}"),
    Route("matching", ALL_METHODS, "/api/v1/helpers"),
    Route("matching", ALL_METHODS, "/api/v1/helpers/{rest:path}"),
    Route("triage", ALL_METHODS, "/api/v1/triage/{rest:path}"),
    Route("intake", ("GET", "POST"), "/api/v1/admin/api-keys"),
    Route("intake", ("POST",), "/api/v1/admin/api-keys/{key_id}/revoke"),
)
API_KEY_HEADER = "x-api-key"


def route_for(method: str, path: str) -> Route | None:
    return next((r for r in ROUTES if r.serves(method, path)), None)


class UpstreamError(Exception):
    """An upstream could not be asked; carries the answer the gateway gives instead."""

    def __init__(self, service: str, status_code: int, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.status_code = status_code
        self.reason = reason

    def response(self) -> JSONResponse:
        return JSONResponse(
            status_code=self.status_code,
            content={
                "detail": f"the {self.service} service {self.reason}; please try again shortly",
                "service": self.service,
            },
            headers={"Retry-After": "5"} if self.status_code == 503 else None,
        )


class Upstreams:
    """The base URLs of the services and the one client that talks to them."""

    def __init__(self, urls: Mapping[str, str], client: httpx.AsyncClient) -> None:
        self.urls = {name: url.rstrip("/") for name, url in urls.items()}
        self.client = client

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        **options: Any,
    ) -> httpx.Response:
        """One call to ``service``; raises UpstreamError when it cannot be reached."""
        url = self.urls[service] + path
        try:
            return await self.client.request(method, url, headers=headers, **options)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            log.warning("upstream unreachable", service=service, url=url, error=repr(exc))
            raise UpstreamError(service, 503, "is not reachable") from exc
        except httpx.TimeoutException as exc:
            log.warning("upstream timed out", service=service, url=url, error=repr(exc))
            raise UpstreamError(service, 504, "did not answer in time") from exc
        except httpx.TransportError as exc:
            log.warning("upstream failed", service=service, url=url, error=repr(exc))
            raise UpstreamError(service, 502, "gave no usable answer") from exc

    def health_check(self, service: str) -> Callable[[], Awaitable[None]]:
        """A readiness check: the service answers its /healthz."""

        async def check() -> None:
            response = await self.request(service, "GET", "/healthz", timeout=3.0)
            if response.status_code != 200:
                raise RuntimeError(f"/healthz answered {response.status_code}")

        return check

    async def forward(
        self, request: Request, route: Route, *, auth_secret: str, correlation_id: str
    ) -> Response:
        if API_KEY_HEADER in request.headers and not route.api_key:
            return _key_out_of_scope()
        if not route.public and (refusal := _unauthenticated(request, auth_secret)) is not None:
            return refusal
        headers = forwarded_headers(request, correlation_id, with_key=route.api_key)
        if isinstance(headers, Refusal):
            return headers.response()
        if (refused := path_refusal(request) or query_refusal(request)) is not None:
            return refused.response()
        # The scope's path, not request.url's: a decoded "?" or "#" in it stays in the path.
        path = quote(request.scope["path"], safe="/-._~:@!$&'()*+,;=")
        if query := request.scope.get("query_string", b"").decode("ascii"):
            path = f"{path}?{query}"  # as sent: checked to be printable ASCII
        try:
            upstream = await self.request(
                route.service,
                request.method,
                path,
                headers=headers,
                content=await request.body() or None,
            )
        except UpstreamError as error:
            return error.response()
        passed = {k: v for k, v in upstream.headers.items() if k in FORWARDED_RESPONSE_HEADERS}
        return Response(upstream.content, status_code=upstream.status_code, headers=passed)


def forwarded_headers(
    request: Request, correlation_id: str, *, with_key: bool = False
) -> dict[str, str] | Refusal:
    """The headers a service gets, or why one of them cannot be forwarded."""
    names = (*FORWARDED_REQUEST_HEADERS, API_KEY_HEADER) if with_key else FORWARDED_REQUEST_HEADERS
    headers = {k: v for k, v in request.headers.items() if k in names}
    for name, value in headers.items():
        if (refused := header_refusal(name, value)) is not None:
            return refused
    headers[CORRELATION_HEADER] = correlation_id
    return headers


def _key_out_of_scope() -> JSONResponse:
    """An organisation's API key signals and does nothing else, whatever else is sent."""
    return JSONResponse(
        status_code=403,
        content={"detail": "an API key is for signalling only (POST /api/v1/signals)"},
    )


def _unauthenticated(request: Request, auth_secret: str) -> JSONResponse | None:
    """Refuse at the edge what no service would accept; services still check roles."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    reason = "authentication required: send Authorization: Bearer <token>"
    if scheme.lower() == "bearer" and token:
        try:
            verify_token(token.strip(), auth_secret)
            return None
        except jwt.PyJWTError as exc:
            reason = f"invalid token: {exc}"
    return JSONResponse(
        status_code=401, content={"detail": reason}, headers={"WWW-Authenticate": "Bearer"}
    )


def add_proxy_routes(app: FastAPI, upstreams: Upstreams, limits: Limits) -> None:
    for route in ROUTES:
        app.add_api_route(
            route.path,
            _handler(upstreams, limits, route),
            methods=list(route.methods),
            include_in_schema=False,  # documented from the services' routers: openapi_merge
            name=f"proxy {route.service} {route.path}",
        )


def _handler(
    upstreams: Upstreams, limits: Limits, route: Route
) -> Callable[..., Awaitable[Response]]:
    async def proxy(
        request: Request, settings: Settings, correlation_id: CorrelationId
    ) -> Response:
        if route.signal_budget and (wait := limits.signal(request)):
            return too_many(wait, "signals from this address")
        return await upstreams.forward(
            request, route, auth_secret=settings.auth_secret, correlation_id=correlation_id
        )

    return proxy
