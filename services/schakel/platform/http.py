"""The HTTP side every service shares: health, readiness, metrics, correlation ids, the
refusals of ``edge`` and clear 422 answers that name the field and the reason."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo.errors import ConnectionFailure, PyMongoError

from schakel.platform.edge import CORRELATION_HEADER, correlation_id_of, refusal
from schakel.platform.logging import get_logger
from schakel.platform.metrics import HTTP_REQUESTS
from schakel.platform.settings import ServiceSettings

log = get_logger(__name__)
__all__ = ["CORRELATION_HEADER", "create_app", "validation_errors"]
# Metric labels stay few: any other method a client invents is counted as "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
ReadinessCheck = Callable[[], Awaitable[None]]
Lifecycle = Callable[[], Awaitable[None]]


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Each problem as {field, reason}: ``body.signaler.role`` → ``signaler.role``."""
    problems = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            reason = error.get("ctx", {}).get("error", "not JSON")
            problems.append({"field": "(body)", "reason": f"malformed JSON: {reason}"})
            continue
        loc = [str(p) for p in error.get("loc", ()) if p != "body"]
        problems.append({"field": ".".join(loc) or "(body)", "reason": str(error.get("msg"))})
    return problems


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        status_code=422,
        content={"detail": "request is not valid", "errors": validation_errors(exc)},
    )


async def _on_database_error(_: Request, exc: Exception) -> JSONResponse:
    """A database outage is the server's moment, not the client's mistake: 503 with a time to
    retry (and no stack trace), so clients retry with the same Idempotency-Key. Any other
    database error is a fault of ours: it goes on to the 500 handler."""
    outage = isinstance(exc, ConnectionFailure) or (isinstance(exc, PyMongoError) and exc.timeout)
    if not outage:
        raise exc
    log.warning("request failed: database unreachable", error=repr(exc)[:500])
    return JSONResponse(
        status_code=503,
        content={"detail": "the service cannot reach its database just now; please try again"},
        headers={"Retry-After": "5"},
    )


def _metrics_refusal(settings: ServiceSettings, authorization: str | None) -> Response | None:
    """None when the scraper showed the metrics token. Without a configured token the
    endpoint does not exist: counts per event type and route are not for the public."""
    token = settings.metrics_token
    if token is None or not token.get_secret_value():
        return JSONResponse(status_code=404, content={"detail": "Not Found"})
    scheme, _, presented = (authorization or "").partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), expected):
        return None
    return JSONResponse(
        status_code=401,
        content={"detail": "metrics need the bearer token from SCHAKEL_METRICS_TOKEN"},
        headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
    )


def create_app(
    settings: ServiceSettings,
    *,
    title: str,
    readiness: list[tuple[str, ReadinessCheck]],
    on_start: Lifecycle | None = None,
    on_stop: Lifecycle | None = None,
    **fastapi_options: Any,
) -> FastAPI:
    # Every service builds its app here: none serves a request on a secret anyone knows.
    settings.refuse_unsafe_secrets()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if on_start is not None:
            await on_start()
        try:
            yield
        finally:
            if on_stop is not None:
                await on_stop()

    app = FastAPI(title=title, version="0.1.0", lifespan=lifespan, **fastapi_options)
    app.state.settings = settings
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(PyMongoError, _on_database_error)

    @app.middleware("http")
    async def correlate(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        correlation_id = correlation_id_of(request) or str(uuid.uuid4())
        request.state.correlation_id = correlation_id
        refused = refusal(request)
        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id):
            if refused is None:
                response = await call_next(request)
            else:
                log.info("request refused", field=refused.field, reason=refused.reason)
                response = refused.response()
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        method = request.method if request.method in METHODS else "other"
        HTTP_REQUESTS.labels(method, path, str(response.status_code)).inc()
        response.headers[CORRELATION_HEADER] = correlation_id
        return response

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        """Open to probes, so it names what fails but not why (the log says why): error
        texts carry host names and ports."""
        results: dict[str, str] = {}
        for name, check in readiness:
            try:
                await check()
                results[name] = "ok"
            except Exception as exc:
                log.warning("not ready", dependency=name, error=repr(exc))
                results[name] = "failing"
        ready = all(v == "ok" for v in results.values())
        return JSONResponse(status_code=200 if ready else 503, content={"ready": ready, **results})

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        refused = _metrics_refusal(settings, request.headers.get("authorization"))
        if refused is not None:
            return refused
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
