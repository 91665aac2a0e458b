"""CloudEvents Kafka protocol binding, binary content mode (headers ``ce_*``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from schakel.contracts.envelope import CONTENT_TYPE, EventEnvelope, UnreadableEvent, split_type
from schakel.contracts.registry import REGISTRY, EventRegistry

Headers = list[tuple[str, bytes]]
_ATTRIBUTES = ("specversion", "id", "source", "type", "subject", "time", "correlationid")


def to_record(event: EventEnvelope[Any]) -> tuple[bytes, bytes, Headers]:
    """(key, value, headers) of the Kafka record carrying ``event``."""
    headers: Headers = [
        ("ce_specversion", event.specversion.encode()),
        ("ce_id", event.id.encode()),
        ("ce_source", event.source.encode()),
        ("ce_type", event.type.encode()),
        ("ce_subject", event.subject.encode()),
        ("ce_time", event.time.isoformat().encode()),
        ("ce_correlationid", event.correlationid.encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if event.causationid:
        headers.append(("ce_causationid", event.causationid.encode()))
    value = event.data.model_dump_json().encode()
    return event.subject.encode(), value, headers


RawHeaders = Mapping[str, str | bytes | None] | Sequence[tuple[str, bytes | None]]
# A JSON value nested deeper than this is not an event of ours: refuse it before the parser
# recurses (CPython's json raises RecursionError near 1,000 levels).
MAX_JSON_DEPTH = 64


@dataclass(frozen=True)
class Attributes:
    """The CloudEvents attributes of a record, as its producer wrote them (``time`` too: the
    audit hashes the text it received, not a re-rendering of it)."""

    id: str
    source: str
    type: str
    subject: str
    time: str
    correlationid: str
    causationid: str | None

    @property
    def name(self) -> str:
        """The event name without its version (``nl.schakel.referral.triaged``)."""
        return split_type(self.type)[0]


@dataclass(frozen=True)
class RawEvent:
    """A record read at the CloudEvents level: attributes and the JSON payload as written,
    whatever the type. Consumers that keep records as written (the audit) use it as is,
    including types and versions this build does not know; the others upcast it."""

    attributes: Attributes
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return self.attributes.id

    @property
    def type(self) -> str:
        return self.attributes.type

    @property
    def subject(self) -> str:
        return self.attributes.subject


def read_attributes(headers: RawHeaders) -> Attributes:
    """The ``ce_*`` headers as CloudEvents attributes; raises UnreadableEvent with the reason.

    Only the headers the binding defines are decoded: another header (a tracing system's, in
    any encoding) never makes an event unreadable.
    """
    attrs = _ce_headers(headers)
    missing = [a for a in _ATTRIBUTES if not attrs.get(f"ce_{a}")]
    if missing:
        raise UnreadableEvent(
            f"missing CloudEvents header(s): {', '.join('ce_' + m for m in missing)}"
        )
    if attrs["ce_specversion"] != "1.0":
        raise UnreadableEvent(f"unsupported CloudEvents specversion {attrs['ce_specversion']!r}")
    split_type(attrs["ce_type"])  # a schakel type of some version, known here or not
    try:
        datetime.fromisoformat(attrs["ce_time"])
    except ValueError as exc:
        raise UnreadableEvent(f"invalid CloudEvents attributes: ce_time: {exc}") from exc
    return Attributes(
        id=attrs["ce_id"],
        source=attrs["ce_source"],
        type=attrs["ce_type"],
        subject=attrs["ce_subject"],
        time=attrs["ce_time"],
        correlationid=attrs["ce_correlationid"],
        causationid=attrs.get("ce_causationid") or None,
    )


def _ce_headers(headers: RawHeaders) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    text: dict[str, str] = {}
    for name, raw in items:
        if raw is None or not name.startswith("ce_"):  # a header without value is absent
            continue
        try:
            text[name] = raw.decode() if isinstance(raw, bytes) else str(raw)
        except UnicodeDecodeError as exc:
            raise UnreadableEvent(f"header {name!r} is not UTF-8") from exc
    return text


def read_payload(value: bytes | None) -> dict[str, Any]:
    """The record value as a JSON object; raises UnreadableEvent with the reason."""
    if value is None:
        raise UnreadableEvent("record has no value")
    if _nesting(value) > MAX_JSON_DEPTH:
        raise UnreadableEvent(f"value is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(value)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # ValueError covers malformed JSON and integers too long to convert.
        raise UnreadableEvent(f"value is not JSON: {str(exc)[:200]}") from exc
    if not isinstance(data, dict):
        raise UnreadableEvent("value is not a JSON object")
    return data


def _nesting(value: bytes) -> int:
    """An upper bound of the JSON nesting depth (brackets inside strings count too)."""
    if value.count(b"[") + value.count(b"{") <= MAX_JSON_DEPTH:
        return 0  # cannot nest deeper: skip the byte-by-byte scan (the usual case)
    depth = deepest = 0
    for byte in value:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
    return deepest


def read_raw(headers: RawHeaders, value: bytes | None) -> RawEvent:
    """The one CloudEvents reader: attributes, then payload; raises UnreadableEvent."""
    return RawEvent(read_attributes(headers), read_payload(value))


def upcast(raw: RawEvent, registry: EventRegistry = REGISTRY) -> EventEnvelope[Any]:
    """The event read as the newest version of its type; raises UnreadableEvent."""
    event_type, payload = registry.read(raw.type, raw.data)
    attrs = raw.attributes
    try:
        return EventEnvelope[Any](
            id=attrs.id,
            source=attrs.source,
            type=event_type,
            subject=attrs.subject,
            time=datetime.fromisoformat(attrs.time),
            correlationid=attrs.correlationid,
            causationid=attrs.causationid,
            data=payload,
        )
    except (ValidationError, ValueError) as exc:
        raise UnreadableEvent(f"invalid CloudEvents attributes: {exc}") from exc


def from_record(
    headers: RawHeaders, value: bytes | None, registry: EventRegistry = REGISTRY
) -> EventEnvelope[Any]:
    """Read a record as the newest version of its event; raises UnreadableEvent with the reason."""
    return upcast(read_raw(headers, value), registry)
