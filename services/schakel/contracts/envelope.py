"""The CloudEvents 1.0 envelope every schakel event travels in.

On Kafka it uses the binary content mode: attributes become ``ce_*`` headers, the payload is the
record value and the subject (the referral id) is the record key, so that all events of one
referral land in one partition, in order.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
_TYPE_PATTERN = re.compile(r"^(?P<name>nl\.schakel\.[a-z0-9.-]+)\.v(?P<version>[1-9][0-9]*)$")


class UnreadableEvent(ValueError):
    """A record that cannot be read as a schakel event; the reason goes to the dead letters."""


class EventPayload(BaseModel):
    """Base of every payload. Subclasses set ``event_name`` and ``event_version``."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_enum_values=False)

    event_name: ClassVar[str]
    event_version: ClassVar[int]

    @classmethod
    def event_type(cls) -> str:
        return f"{cls.event_name}.v{cls.event_version}"


P = TypeVar("P", bound=EventPayload)


def split_type(event_type: str) -> tuple[str, int]:
    """``nl.schakel.referral.triaged.v1`` → (``nl.schakel.referral.triaged``, 1)."""
    match = _TYPE_PATTERN.match(event_type)
    if match is None:
        raise UnreadableEvent(
            f"event type {event_type!r} is not of the form nl.schakel.<name>.v<N>"
        )
    return match["name"], int(match["version"])


class EventEnvelope(BaseModel, Generic[P]):
    """CloudEvents attributes plus the payload; correlation and causation are extensions."""

    model_config = ConfigDict(frozen=True)

    specversion: str = SPEC_VERSION
    id: str = Field(min_length=1)
    source: str = Field(
        min_length=1, description="URI reference of the producer, /schakel/<service>"
    )
    type: str = Field(
        description="Event type including its version, e.g. nl.schakel.referral.triaged.v1"
    )
    subject: str = Field(min_length=1, description="The referral id; also the Kafka key")
    time: datetime
    correlationid: str = Field(min_length=1, description="Shared by every event a signal caused")
    causationid: str | None = Field(
        default=None, description="Id of the event that caused this one"
    )
    datacontenttype: str = CONTENT_TYPE
    data: P

    @property
    def name(self) -> str:
        return split_type(self.type)[0]

    @property
    def version(self) -> int:
        return split_type(self.type)[1]


def new_event(
    payload: P,
    *,
    source: str,
    subject: str,
    correlation_id: str | None = None,
    cause: EventEnvelope[Any] | None = None,
) -> EventEnvelope[P]:
    """A fresh event; when it is caused by another, it inherits that one's correlation id."""
    event_id = str(uuid.uuid4())
    if cause is not None:
        correlation_id = cause.correlationid
    # Parametrised with Any so the payload keeps (and serialises as) its own class.
    envelope: EventEnvelope[Any] = EventEnvelope[Any](
        id=event_id,
        source=source,
        type=payload.event_type(),
        subject=subject,
        time=datetime.now(UTC),
        correlationid=correlation_id or event_id,
        causationid=cause.id if cause is not None else None,
        data=payload,
    )
    return cast("EventEnvelope[P]", envelope)
