"""The public API's one OpenAPI document, built in-process from the services' routers.

The gateway imports each service's HTTP adapter (``schakel.<service>.api``) only to document
the routes it forwards: it never calls their code, every request still goes to the service
over HTTP (see ``proxy``). This is the one allowed exception to "no service imports another".

Only the operations the gateway routes to that very service (``proxy.route_for``) are listed,
next to the gateway's own (the login), so the document shows exactly what can be called at
the public base URL. It is built once, at start-up, without asking any service: the routers
cannot change while the process runs.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from schakel.audit import api as audit_api
from schakel.feedback import api as feedback_api
from schakel.followup import api as followup_api
from schakel.gateway.proxy import route_for
from schakel.intake import api as intake_api
from schakel.matching import api as matching_api
from schakel.platform.logging import get_logger
from schakel.triage import api as triage_api

log = get_logger(__name__)

Document = dict[str, Any]
# The HTTP adapter of each service the gateway forwards to, by the name ``proxy.ROUTES`` uses.
SERVICE_ROUTERS: Mapping[str, APIRouter] = {
    "intake": intake_api.router,
    "triage": triage_api.router,
    "matching": matching_api.router,
    "followup": followup_api.router,
    "feedback": feedback_api.router,
    "audit": audit_api.router,
}


def forwarded_routes(routers: Mapping[str, APIRouter] = SERVICE_ROUTERS) -> list[APIRoute]:
    """Each service's documented routes, narrowed to the methods the gateway sends to it."""
    found: list[APIRoute] = []
    for service, router in routers.items():
        for route in router.routes:
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            methods = {m for m in route.methods or () if _routed_to(service, m, route.path)}
            if not methods:
                log.debug("operation not public", service=service, path=route.path)
                continue
            if methods != route.methods:
                route = copy.copy(route)  # the service's own route stays as it is
                route.methods = methods
            found.append(route)
    return found


def _routed_to(service: str, method: str, path: str) -> bool:
    route = route_for(method, path)
    return route is not None and route.service == service


def merged_openapi(app: FastAPI, routers: Mapping[str, APIRouter] = SERVICE_ROUTERS) -> Document:
    """The gateway's own operations (``app``'s routes) and every forwarded one."""
    return get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=[*app.routes, *forwarded_routes(routers)],
    )
