"""One OpenAPI document for the whole public API, merged from the services' own documents.

Only operations the gateway actually routes to a service are taken from that service, so the
document shows exactly what can be called at the public base URL. Nothing is prefixed; on a
clash the later service wins and the clash is logged.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from schakel.gateway.proxy import UpstreamError, Upstreams, route_for
from schakel.platform.http import CORRELATION_HEADER
from schakel.platform.logging import get_logger

log = get_logger(__name__)

Document = dict[str, Any]
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
CACHE_SECONDS = 30.0
# A gateway that starts before its services should not show a partial document for long.
INCOMPLETE_CACHE_SECONDS = 5.0


def merge(own: Document, upstream: Iterable[tuple[str, Document]]) -> Document:
    """The gateway's own document plus each service's routed paths and its components."""
    merged = copy.deepcopy(own)
    paths: Document = merged.setdefault("paths", {})
    components: Document = merged.setdefault("components", {})
    for service, document in upstream:
        _merge_paths(paths, service, document.get("paths", {}))
        _merge_components(components, service, document.get("components", {}))
    return merged


def _merge_paths(into: Document, service: str, paths: Mapping[str, Any]) -> None:
    for path, item in paths.items():
        for key, value in item.items():
            if key in HTTP_METHODS and not _routed_to(service, key, path):
                log.debug("openapi operation not public", service=service, path=path, method=key)
                continue
            target = into.setdefault(path, {})
            if key in target and target[key] != value:
                log.warning(
                    "openapi path clash; later service wins", service=service, path=path, field=key
                )
            target[key] = copy.deepcopy(value)
    for path in [p for p, item in into.items() if not item.keys() & HTTP_METHODS]:
        del into[path]  # only non-operation fields (parameters…) were left


def _routed_to(service: str, method: str, path: str) -> bool:
    route = route_for(method, path)
    return route is not None and route.service == service


def _merge_components(into: Document, service: str, components: Mapping[str, Any]) -> None:
    for section, entries in components.items():
        target = into.setdefault(section, {})
        for name, value in entries.items():
            if name in target and target[name] != value:
                log.warning(
                    "openapi component clash; later service wins",
                    service=service,
                    section=section,
                    name=name,
                )
            target[name] = copy.deepcopy(value)


class MergedOpenAPI:
    """The merged document, fetched from the services at most every 30 seconds."""

    def __init__(
        self,
        upstreams: Upstreams,
        own: Callable[[], Document],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._upstreams = upstreams
        self._own = own
        self._clock = clock
        self._lock = asyncio.Lock()
        self._document: Document | None = None
        self._expires = 0.0

    async def document(self, correlation_id: str) -> Document:
        async with self._lock:  # one refresh at a time, not one per waiting request
            if self._document is None or self._clock() >= self._expires:
                self._document, complete = await self._build(correlation_id)
                ttl = CACHE_SECONDS if complete else INCOMPLETE_CACHE_SECONDS
                self._expires = self._clock() + ttl
            return self._document

    async def _build(self, correlation_id: str) -> tuple[Document, bool]:
        services = list(self._upstreams.urls)
        fetched = await asyncio.gather(*(self._fetch(s, correlation_id) for s in services))
        found = [(s, doc) for s, doc in zip(services, fetched, strict=True) if doc is not None]
        merged = merge(self._own(), found)
        missing = [s for s, doc in zip(services, fetched, strict=True) if doc is None]
        if missing:
            merged["x-schakel-unavailable-services"] = missing
        return merged, not missing

    async def _fetch(self, service: str, correlation_id: str) -> Document | None:
        try:
            response = await self._upstreams.request(
                service,
                "GET",
                "/openapi.json",
                headers={CORRELATION_HEADER: correlation_id},
                timeout=5.0,
            )
            response.raise_for_status()
            document = response.json()
        except (UpstreamError, httpx.HTTPStatusError, ValueError) as exc:
            log.warning("openapi of a service left out", service=service, error=repr(exc))
            return None
        return document if isinstance(document, dict) else None
