"""What the gateway refuses to forward: a client's mistake is answered 4xx here, before the
forwarding client could turn it into a 500 (non-ASCII header values) or a service could see
another path than the one the routing table matched (dot segments, encoded slashes).

A path with ``.`` or ``..`` segments (also percent-encoded: ``..%2F``) or an encoded ``/`` or
``\\`` is refused (400) rather than forwarded verbatim: no schakel URL has one, and resolving
it would send the request to a path the routing table never matched.
"""

from __future__ import annotations

from fastapi import Request

from schakel.platform.edge import Refusal

# Far above any header schakel uses (a bearer token is ~300 bytes).
MAX_HEADER_BYTES = 8192
_ENCODED_SEPARATORS = (b"%2f", b"%5c")


def header_refusal(name: str, value: str) -> Refusal | None:
    """A forwarded header must be printable ASCII (RFC 9110 allows other bytes only as
    opaque data, which no header schakel reads has) and of a sane length."""
    if len(value) > MAX_HEADER_BYTES:
        return Refusal(431, f"header.{name}", f"longer than {MAX_HEADER_BYTES} bytes")
    if not all(" " <= c <= "~" or c == "\t" for c in value):
        return Refusal(400, f"header.{name}", "only printable ASCII characters are accepted")
    return None


def path_refusal(request: Request) -> Refusal | None:
    """Dot segments and encoded separators in the path (the routing table matched the
    decoded path; the service must see the same one)."""
    segments = str(request.scope["path"]).split("/")
    if any(segment in (".", "..") for segment in segments):
        return Refusal(400, "(path)", "'.' and '..' segments are not accepted")
    raw = (request.scope.get("raw_path") or b"").split(b"?", 1)[0].lower()
    if any(encoded in raw for encoded in _ENCODED_SEPARATORS):
        return Refusal(400, "(path)", "an encoded '/' or '\\' is not accepted")
    return None


def query_refusal(request: Request) -> Refusal | None:
    """The query is forwarded as sent, so it must be a valid (percent-encoded) query."""
    query: bytes = request.scope.get("query_string", b"")
    if not all(0x21 <= byte <= 0x7E for byte in query):
        return Refusal(400, "(query)", "must be percent-encoded printable ASCII")
    return None
