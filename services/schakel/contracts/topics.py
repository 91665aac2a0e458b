"""The topic plan (see docs/topics.md): names, keys, partitions, retention, producers, consumers."""

from __future__ import annotations

from dataclasses import dataclass, field

REFERRAL_EVENTS = "schakel.referral-events"
GP_FEEDBACK = "schakel.gp-feedback"
GP_REFERRALS_INBOUND = "schakel.gp-referrals.inbound"
GP_INBOUND_RETENTION_MS = 7 * 24 * 3600 * 1000  # personal details: as short as retries need
HELPER_EVENTS = "schakel.helper-events"
DLQ_PREFIX = "schakel.dlq."
RETAIN_FOREVER_MS = -1
DLQ_RETENTION_MS = 30 * 24 * 3600 * 1000
GP_FEEDBACK_RETENTION_MS = 90 * 24 * 3600 * 1000

_REFERRAL = "nl.schakel.referral."
# What the follow-up service decides (owners' actions, deadlines, concerns).
# About the person behind a referral (contracts.persons): intake erases and opens the vault.
PERSON_ERASED = "nl.schakel.person.erased.v1"
PERSON_EVENTS: tuple[str, ...] = (PERSON_ERASED, "nl.schakel.person.contact-details-read.v1")
# Who opened a view of a referral (followup's inbox, matching's proposal): reads audited.
REFERRAL_VIEWED = "nl.schakel.referral.viewed.v1"
FOLLOWUP_EVENTS: tuple[str, ...] = tuple(
    f"{_REFERRAL}{name}.v1"
    for name in (
        "accepted",
        "rejected",
        "transferred",
        "contact-attempted",
        "first-conversation-recorded",
        "professional-visit-recorded",
        "support-proposed",
        "support-confirmed",
        "support-declined",
        "support-started",
        "check-in-recorded",
        "put-on-hold",
        "resumed",
        "closed",
        "deadline-passed",
        "concern-raised",
    )
)
# One person, one open referral: intake attaches a second signal or suspects one, the owner
# (followup) confirms or rejects what intake suspected.
ATTACHED = f"{_REFERRAL}signal-attached.v1"
SUSPECTED = f"{_REFERRAL}duplicate-suspected.v1"
CONFIRMED = f"{_REFERRAL}duplicate-confirmed.v1"
REJECTED = f"{_REFERRAL}duplicate-rejected.v1"
DUPLICATE_EVENTS: tuple[str, ...] = (ATTACHED, SUSPECTED, CONFIRMED, REJECTED)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    purpose: str
    key: str
    partitions: int
    config: dict[str, str]
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    event_types: tuple[str, ...] = field(default_factory=tuple)


REFERRAL_EVENTS_TOPIC = TopicSpec(
    name=REFERRAL_EVENTS,
    purpose="Every lifecycle event of every referral, in order per referral.",
    key="referral id (CloudEvents subject)",
    partitions=6,
    config={"retention.ms": str(RETAIN_FOREVER_MS), "cleanup.policy": "delete"},
    producers=("intake", "triage", "matching", "followup", "feedback"),
    consumers=("intake", "triage", "matching", "followup", "feedback", "audit"),
    event_types=(
        "nl.schakel.referral.received.v2",
        "nl.schakel.referral.triaged.v2",
        "nl.schakel.referral.regraded.v1",
        "nl.schakel.referral.match-proposed.v1",
        "nl.schakel.referral.waitlisted.v1",
        *FOLLOWUP_EVENTS,
        "nl.schakel.referral.feedback-recorded.v2",
        *PERSON_EVENTS,
        REFERRAL_VIEWED,
        *DUPLICATE_EVENTS,
    ),
)

GP_FEEDBACK_TOPIC = TopicSpec(
    name=GP_FEEDBACK,
    purpose="For GP systems and other referring organisations: who accepted a referral, the "
    "kind of support started and the outcome, one snapshot per change (no personal details; "
    "each record names its referrer_organisation).",
    key="referral id (CloudEvents subject)",
    partitions=3,
    config={"retention.ms": str(GP_FEEDBACK_RETENTION_MS), "cleanup.policy": "delete"},
    producers=("feedback",),
    consumers=("gp-systems",),
    event_types=("nl.schakel.referral.referrer-updated.v1",),
)

GP_REFERRALS_INBOUND_TOPIC = TopicSpec(
    name=GP_REFERRALS_INBOUND,
    purpose="From GP systems (through the GP messaging integration, the only writer): "
    "wellbeing prescriptions for intake, with the patient's details; intake accepts each GP "
    "message id (a UUID) once and dead-letters what it refuses, with the reason.",
    key="the GP system's message id (CloudEvents id and subject)",
    partitions=3,
    config={"retention.ms": str(GP_INBOUND_RETENTION_MS), "cleanup.policy": "delete"},
    producers=("gp-systems",),
    consumers=("intake",),
    event_types=("nl.schakel.gp-referral.submitted.v1",),
)

HELPER_EVENTS_TOPIC = TopicSpec(
    name=HELPER_EVENTS,
    purpose="Changes to matching's registries of buddies, home cooks and activities, as the "
    "providers' coordinators make them (no personal details: a helper id and a PC4).",
    key="helper id (CloudEvents subject)",
    partitions=3,
    config={"retention.ms": str(RETAIN_FOREVER_MS), "cleanup.policy": "delete"},
    producers=("matching",),
    consumers=("audit",),
    event_types=(
        "nl.schakel.helper.registered.v1",
        "nl.schakel.helper.updated.v1",
        "nl.schakel.helper.stopped.v1",
        "nl.schakel.helper.match-ended.v1",
        "nl.schakel.helper.match-renewed.v1",
    ),
)

CONSUMERS = ("intake", "triage", "matching", "followup", "feedback", "audit")


def consumer_group(service: str) -> str:
    return f"schakel-{service}"


def dead_letter_topic(service: str) -> str:
    return f"{DLQ_PREFIX}{service}"


def dead_letter_spec(service: str) -> TopicSpec:
    return TopicSpec(
        name=dead_letter_topic(service),
        purpose=f"Records {service} could not read or handle, with the reason in dlq-* headers.",
        key="the original record's key",
        partitions=3,
        config={"retention.ms": str(DLQ_RETENTION_MS), "cleanup.policy": "delete"},
        producers=(service,),
        consumers=("operators",),
    )


ALL_TOPICS: tuple[TopicSpec, ...] = (
    REFERRAL_EVENTS_TOPIC,
    GP_FEEDBACK_TOPIC,
    GP_REFERRALS_INBOUND_TOPIC,
    HELPER_EVENTS_TOPIC,
    *(dead_letter_spec(s) for s in CONSUMERS),
)

# Headers added to a dead-lettered record; the original value, key and headers are kept.
DLQ_HEADERS = (
    "dlq-reason",
    "dlq-error",
    "dlq-origin-topic",
    "dlq-origin-partition",
    "dlq-origin-offset",
    "dlq-consumer-group",
    "dlq-failed-at",
)

# Which service publishes which event type on schakel.referral-events, and which types each
# consumer acts on.
PRODUCED_BY: dict[str, tuple[str, ...]] = {
    "intake": ("nl.schakel.referral.received.v2", ATTACHED, SUSPECTED, *PERSON_EVENTS),
    "triage": ("nl.schakel.referral.triaged.v2", "nl.schakel.referral.regraded.v1"),
    "matching": (
        "nl.schakel.referral.match-proposed.v1",
        "nl.schakel.referral.waitlisted.v1",
        REFERRAL_VIEWED,
    ),
    "followup": (*FOLLOWUP_EVENTS, CONFIRMED, REJECTED, REFERRAL_VIEWED),
    "feedback": ("nl.schakel.referral.feedback-recorded.v2",),
}
CONSUMED_BY: dict[str, tuple[str, ...]] = {
    "triage": (
        "nl.schakel.referral.received.v2",
        "nl.schakel.referral.rejected.v1",
        "nl.schakel.referral.concern-raised.v1",
    ),
    "matching": (
        "nl.schakel.referral.received.v2",
        "nl.schakel.referral.triaged.v2",
        "nl.schakel.referral.regraded.v1",
        "nl.schakel.referral.first-conversation-recorded.v1",
        "nl.schakel.referral.support-confirmed.v1",
        "nl.schakel.referral.support-declined.v1",
        "nl.schakel.referral.support-started.v1",
        "nl.schakel.referral.closed.v1",
    ),
    "followup": (
        "nl.schakel.referral.received.v2",
        "nl.schakel.referral.triaged.v2",
        "nl.schakel.referral.regraded.v1",
        "nl.schakel.referral.match-proposed.v1",
        "nl.schakel.referral.waitlisted.v1",
        PERSON_ERASED,
        *DUPLICATE_EVENTS,
    ),
    "feedback": REFERRAL_EVENTS_TOPIC.event_types,
    "audit": REFERRAL_EVENTS_TOPIC.event_types,
    # Every type: the owner of each referral (who may ask for contact details) and its
    # timeline (export); which referrals are still open, and the owners' answers to what
    # intake suspected.
    "intake": REFERRAL_EVENTS_TOPIC.event_types,
}
