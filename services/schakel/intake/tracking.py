"""What intake learns from ``schakel.referral-events``: who owns each referral now (so only
the owner gets a person's contact details) and a pseudonymous timeline for the person's
export. Every event type of the topic is tracked; none carries personal details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schakel.contracts.envelope import EventEnvelope, split_type
from schakel.contracts.events import ReferralReceived, ReferralTriaged
from schakel.contracts.lifecycle import LifecycleEvent
from schakel.contracts.persons import ContactDetailsRead, PersonErased
from schakel.contracts.topics import REFERRAL_EVENTS_TOPIC
from schakel.intake.privacy_store import MongoPrivacyRecords, PrivacyRecords, TimelineEntry
from schakel.platform.consumer import Handler
from schakel.platform.mongo import Transaction


def _who(data: Any) -> tuple[str | None, str | None]:
    """The organisation and role that caused the event, where it says so."""
    if isinstance(data, LifecycleEvent):
        return data.actor.organisation, data.actor.role.value
    if isinstance(data, ReferralReceived):
        return data.referrer_organisation, data.signaler.role.value
    if isinstance(data, PersonErased):
        return data.erased_by.organisation, data.erased_by.role
    if isinstance(data, ContactDetailsRead):
        return data.read_by.organisation, data.read_by.role
    return None, None


def _owner(data: Any) -> str | None:
    if isinstance(data, ReferralTriaged | LifecycleEvent):
        return data.owner_organisation
    return None


async def track(envelope: EventEnvelope[Any], records: PrivacyRecords) -> None:
    """One event into its referral's timeline, and its owner when the event names one."""
    organisation, role = _who(envelope.data)
    entry = TimelineEntry(envelope.type, envelope.time, organisation, role)
    await records.track(envelope.subject, entry, _owner(envelope.data))


async def on_referral_event(envelope: EventEnvelope[Any], tx: Transaction) -> None:
    await track(envelope, MongoPrivacyRecords(tx))


def handlers() -> Mapping[str, Handler]:
    names = {split_type(t)[0] for t in REFERRAL_EVENTS_TOPIC.event_types}
    return {name: on_referral_event for name in sorted(names)}
