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


def _text_headers(
    headers: Mapping[str, str | bytes | None] | Sequence[tuple[str, bytes | None]],
) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    text: dict[str, str] = {}
    for name, raw in items:
        if raw is None:  # Kafka allows a header without a value: treat it as absent
            continue
        try:
            text[name] = raw.decode() if isinstance(raw, bytes) else str(raw)
        except UnicodeDecodeError as exc:
            raise UnreadableEvent(f"header {name!r} is not UTF-8") from exc
    return text


@dataclass(frozen=True)
class RawEvent:
    """A record read at the CloudEvents level only: attributes and the JSON payload as its
    producer wrote them, whatever the type. For consumers that keep records as written (the
    audit), including types and versions this build of the contracts does not know."""

    id: str
    source: str
    type: str
    subject: str
    time: datetime
    correlationid: str
    causationid: str | None
    data: dict[str, Any]


def read_raw(
    headers: Mapping[str, str | bytes | None] | Sequence[tuple[str, bytes | None]],
    value: bytes | None,
) -> RawEvent:
    """Check the CloudEvents envelope; raises UnreadableEvent with the reason."""
    attrs = _text_headers(headers)
    missing = [a for a in _ATTRIBUTES if not attrs.get(f"ce_{a}")]
    if missing:
        raise UnreadableEvent(
            f"missing CloudEvents header(s): {', '.join('ce_' + m for m in missing)}"
        )
    if attrs["ce_specversion"] != "1.0":
        raise UnreadableEvent(f"unsupported CloudEvents specversion {attrs['ce_specversion']!r}")
    split_type(attrs["ce_type"])  # a schakel type of some version, known here or not
    if value is None:
        raise UnreadableEvent("record has no value")
    try:
        data = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableEvent(f"value is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise UnreadableEvent("value is not a JSON object")
    try:
        time = datetime.fromisoformat(attrs["ce_time"])
    except ValueError as exc:
        raise UnreadableEvent(f"invalid CloudEvents attributes: ce_time: {exc}") from exc
    return RawEvent(
        id=attrs["ce_id"],
        source=attrs["ce_source"],
        type=attrs["ce_type"],
        subject=attrs["ce_subject"],
        time=time,
        correlationid=attrs["ce_correlationid"],
        causationid=attrs.get("ce_causationid") or None,
        data=data,
    )


def from_record(
    headers: Mapping[str, str | bytes | None] | Sequence[tuple[str, bytes | None]],
    value: bytes | None,
    registry: EventRegistry = REGISTRY,
) -> EventEnvelope[Any]:
    """Read a record as the newest version of its event; raises UnreadableEvent with the reason."""
    raw = read_raw(headers, value)
    event_type, payload = registry.read(raw.type, raw.data)
    try:
        return EventEnvelope[Any](
            id=raw.id,
            source=raw.source,
            type=event_type,
            subject=raw.subject,
            time=raw.time,
            correlationid=raw.correlationid,
            causationid=raw.causationid,
            data=payload,
        )
    except (ValidationError, ValueError) as exc:
        raise UnreadableEvent(f"invalid CloudEvents attributes: {exc}") from exc
