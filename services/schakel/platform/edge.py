"""What every service (the gateway too) refuses before routing a request: an over-long URL
(414) and a correlation id or idempotency key that is not a short plain token (400).

Both ids end up in logs, in the outbox and in the headers of events kept forever, so they are
bounded where they enter: at most 128 characters of letters, digits and ``. _ : -`` (a UUID
fits). A malformed id is refused, not replaced: a client that sends its own id wants to find
it again, and a replaced one would silently break that (or, for an idempotency key, make a
retry count twice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import JSONResponse

CORRELATION_HEADER = "X-Correlation-ID"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_ID_LENGTH = 128
ID_PATTERN = rf"^[A-Za-z0-9._:-]{{1,{MAX_ID_LENGTH}}}$"
ID_RULE = f"1 to {MAX_ID_LENGTH} characters of A-Z, a-z, 0-9 and . _ : -"
# Path and query together; far above any URL of schakel (ids are short), far below what
# breaks the forwarding client (64 KiB).
MAX_URL_BYTES = 8192
_ID = re.compile(ID_PATTERN)
CHECKED_HEADERS = (CORRELATION_HEADER, IDEMPOTENCY_HEADER)


def valid_id(value: str) -> bool:
    """Whether ``value`` is a correlation id or idempotency key we accept."""
    return _ID.match(value) is not None


@dataclass(frozen=True)
class Refusal:
    """Why a request is answered before it reaches a route."""

    status_code: int
    field: str
    reason: str

    def response(self) -> JSONResponse:
        return JSONResponse(
            status_code=self.status_code,
            content={
                "detail": f"{self.field}: {self.reason}",
                "errors": [{"field": self.field, "reason": self.reason}],
            },
        )


def refusal(request: Request) -> Refusal | None:
    """The first thing wrong with the request's URL or checked headers, or None."""
    scope = request.scope
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    if len(raw_path) + len(scope.get("query_string", b"")) > MAX_URL_BYTES:
        return Refusal(414, "(url)", f"longer than {MAX_URL_BYTES} bytes")
    for name in CHECKED_HEADERS:
        value = request.headers.get(name)
        if value and not valid_id(value):
            return Refusal(400, f"header.{name}", f"must be {ID_RULE}")
    return None


def correlation_id_of(request: Request) -> str | None:
    """The caller's correlation id, if it sent a valid one."""
    value = request.headers.get(CORRELATION_HEADER)
    return value if value and valid_id(value) else None
