"""Synthetic referral histories for the replay benchmark: each referral's events in the order
the services write them (received, triaged, the signaler's feedback stages, the owner's
lifecycle, matching's proposal or waitlist, closed), every payload a contract class of
``schakel.contracts`` (so validated), triaged by triage's own rule book, proposing offers
of matching's demo registry, and told to the signaler where feedback's own fold and handler
would tell it (``feedback.handlers.news``). No I/O: ``seed_history`` produces and archives
them."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from schakel.contracts.envelope import CONTENT_TYPE, SPEC_VERSION, EventEnvelope, EventPayload
from schakel.contracts.events import (
    MatchProposed,
    Offer,
    ReferralReceived,
    Signaler,
    Waitlisted,
)
from schakel.contracts.kafka_binding import Attributes, RawEvent, to_record
from schakel.contracts.lifecycle import (
    Actor,
    CheckInRecorded,
    ContactAttempted,
    FirstConversationRecorded,
    ReferralAccepted,
    ReferralClosed,
    SupportConfirmed,
    SupportProposed,
    SupportStarted,
    Wishes,
)
from schakel.contracts.vocabulary import (
    ActorRole,
    AgeBand,
    BusinessStatus,
    Channel,
    CloseOutcome,
    Observation,
    OfferKind,
    PrescribedTo,
    SignalerRole,
    TaskStatus,
)
from schakel.feedback.domain import ReferralState
from schakel.feedback.domain import apply as feedback_fold
from schakel.feedback.handlers import FOLLOWED, news
from schakel.matching.demo_offers import DEMO_OFFERS
from schakel.matching.postcodes import districts
from schakel.triage.app import rule_book, settings
from schakel.triage.domain.decide import triage
from schakel.triage.domain.ruleset import RuleBook
from schakel.triage.handlers import facts_of, triaged_payload

UUID4_MASK = ~((0xF << 76) | (0x3 << 62))
UUID4_BITS = (0x4 << 76) | (0x2 << 62)  # version 4, RFC 4122 variant


@dataclass(frozen=True)
class Record:
    """One event as its service writes it to Kafka (``kafka_binding.to_record``): CloudEvents
    attributes as ``ce_*`` headers (binary content mode), the payload's JSON as the value,
    the referral as key; and the event as the contracts' reader reads it back."""

    event: RawEvent
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    @property
    def key(self) -> bytes:
        return self.event.subject.encode()


ENVELOPE = EventEnvelope[Any]
SYSTEM = Actor(organisation="schakel", role=ActorRole.SYSTEEM)
SENDERS: tuple[tuple[Channel, SignalerRole, str | None], ...] = (
    (Channel.WEBFORMULIER, SignalerRole.FIETSKOERIER, None),
    (Channel.WEBFORMULIER, SignalerRole.BUURTBEWONER, None),
    (Channel.WEBFORMULIER, SignalerRole.THUISKOK, None),
    (Channel.ZELFMELDING, SignalerRole.ZELF, None),
    (Channel.SIGNALERINGS_API, SignalerRole.APOTHEKER, "apotheek-overvecht"),
    (Channel.WELZIJN_OP_RECEPT, SignalerRole.HUISARTS, "huisartsenpraktijk-overvecht"),
    (Channel.WELZIJN_OP_RECEPT, SignalerRole.HUISARTS, "huisartsenpraktijk-zuilen"),
)


@dataclass(frozen=True)
class Shape:
    """How far referrals get, as shares of all referrals (the rest are closed with help)."""

    untouched: float = 0.10  # triaged, never accepted (yet)
    accepted_only: float = 0.10
    unreached: float = 0.15  # contact attempts before the first conversation
    waitlisted: float = 0.20  # of those matched
    open_support: float = 0.20  # support started, not closed yet


class Referrals:
    """Generates referrals one by one, reproducibly from ``seed``; ``start`` is the time of
    the first one, and each next one arrives ``spacing`` later."""

    def __init__(
        self,
        seed: int = 1,
        start: datetime | None = None,
        spacing: timedelta = timedelta(minutes=5),
        shape: Shape = Shape(),
        book: RuleBook | None = None,
    ) -> None:
        self._rng = random.Random(seed)
        self._start = start or datetime(2025, 1, 1, 8, tzinfo=UTC)
        self._spacing = spacing
        self._shape = shape
        self._book = book or rule_book(settings())
        self._postcodes = sorted(districts())
        self._count = 0

    def _uuid(self) -> str:
        """A version-4 UUID from the seeded generator (uuid4() would not be reproducible)."""
        h = f"{self._rng.getrandbits(128) & UUID4_MASK | UUID4_BITS:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def next(self) -> list[Record]:
        """The whole history of one more referral, in the order it was written."""
        at = self._start + self._count * self._spacing
        self._count += 1
        return _History(self, at).events

    @property
    def count(self) -> int:
        """Referrals begun so far."""
        return self._count

    def __iter__(self) -> Iterator[list[Record]]:
        while True:
            yield self.next()


class _History:
    """One referral's events, built in order; each caused by the one before it."""

    def __init__(self, maker: Referrals, at: datetime) -> None:
        self._m = maker
        self._rng = maker._rng
        self._at = at
        self.referral_id = maker._uuid()
        self.events: list[Record] = []
        self._signaler: ReferralState | None = None  # feedback's read model of the referral
        self._write()

    def _emit(self, payload: EventPayload, source: str, minutes: float) -> Record:
        self._at += timedelta(minutes=minutes)
        cause = self.events[-1] if self.events else None
        event_id = self._m._uuid()
        # The payload was validated when made; the envelope's fields are made right here.
        event = ENVELOPE.model_construct(
            id=event_id,
            source=f"/schakel/{source}",
            type=payload.event_type(),
            subject=self.referral_id,
            time=self._at,
            correlationid=cause.event.attributes.correlationid if cause else event_id,
            causationid=cause.event.id if cause else None,
            data=payload,
            specversion=SPEC_VERSION,
            datacontenttype=CONTENT_TYPE,
        )
        _, value, headers = to_record(event)
        attributes = Attributes(
            event.id, event.source, event.type, event.subject, self._at.isoformat(),
            event.correlationid, event.causationid,
        )  # fmt: skip
        record = Record(
            RawEvent(attributes, payload.model_dump(mode="json")), value, tuple(headers)
        )
        self.events.append(record)
        if isinstance(payload, FOLLOWED):
            self._tell_signaler(event)
        return record

    def _tell_signaler(self, event: EventEnvelope[Any]) -> None:
        """What feedback's handler does with the event: a feedback-recorded event when what
        the signaler is told changes (not for "ontvangen": the receipt said it)."""
        before, self._signaler = self._signaler, feedback_fold(self._signaler, event)
        told = news(event, before, self._signaler)
        if told is not None:
            self._emit(told.data, "feedback", 0.01)

    def _write(self) -> None:
        received = self._received()
        self._emit(received, "intake", 0)
        triaged = triaged_payload(self.referral_id, triage(facts_of(received), self._m._book))
        self._emit(triaged, "triage", 0.02)
        self._owner = triaged.owner_organisation
        self._owner_name = triaged.owner_name
        self._actor = Actor(organisation=self._owner, role=ActorRole.SOCIAAL_MAKELAAR)
        self._lifecycle(received.consent_to_contact)

    def _received(self) -> ReferralReceived:
        rng = self._rng
        channel, role, organisation = rng.choice(SENDERS)
        code = f"{rng.getrandbits(40):010X}"
        return ReferralReceived(
            referral_id=self.referral_id,
            channel=channel,
            signaler=Signaler(role=role, organisation=organisation),
            person_pseudonym=f"ps-{rng.getrandbits(128):032x}",
            postcode_area=rng.choice(self._m._postcodes),
            age_band=rng.choice(list(AgeBand)),
            observations=rng.sample(list(Observation), rng.randint(1, 4)),
            djg_score=rng.choice([None, *range(7)]),
            consent_to_contact=rng.random() < 0.8,
            prescribed_to=(
                rng.choice(list(PrescribedTo)) if channel is Channel.WELZIJN_OP_RECEPT else None
            ),
            receipt_hash=(
                None
                if channel is Channel.WELZIJN_OP_RECEPT
                else hashlib.sha256(code.encode()).hexdigest()
            ),
            received_at=self._at,
        )

    def _step(self, payload_class: type[EventPayload], hours: float, **fields: Any) -> None:
        fields.setdefault("actor", self._actor)
        payload = payload_class(
            referral_id=self.referral_id,
            owner_organisation=self._owner,
            occurred_at=self._at + timedelta(hours=hours),
            **fields,
        )
        self._emit(payload, "followup", hours * 60)

    def _lifecycle(self, consent: bool) -> None:
        rng, shape = self._rng, self._m._shape
        if rng.random() < shape.untouched:
            return
        self._step(ReferralAccepted, 4, status=TaskStatus.ACCEPTED, owner_name=self._owner_name)
        if rng.random() < shape.accepted_only:
            return
        if rng.random() < shape.unreached:
            for attempt in range(1, rng.randint(1, 3) + 1):
                self._step(
                    ContactAttempted,
                    24,
                    status=TaskStatus.ACCEPTED,
                    business_status=BusinessStatus.CONTACT_ATTEMPTED,
                    attempt=attempt,
                )
        kinds = rng.sample([OfferKind.MAATJE, OfferKind.ACTIVITEIT, OfferKind.THUISGEKOOKT], 2)
        self._step(
            FirstConversationRecorded,
            48,
            status=TaskStatus.IN_PROGRESS,
            business_status=BusinessStatus.CONTACT_MADE,
            knew_of_signal=rng.random() < 0.7,
            consents_to_support=consent,
            wishes=Wishes(kinds=kinds, languages=["nl"]),
            djg_score=rng.randint(0, 6),
        )
        if consent:
            self._support()

    def _support(self) -> None:
        rng = self._rng
        if rng.random() < self._m._shape.waitlisted:
            wanted = [OfferKind.MAATJE]
            self._emit(
                Waitlisted(
                    referral_id=self.referral_id, wanted=wanted, reason="geen plek met capaciteit"
                ),
                "matching",
                0.05,
            )
            self._start_support(OfferKind.GESPREK, None, None)
            return
        demo = rng.choice(DEMO_OFFERS)
        offer = Offer(
            kind=demo.kind,
            offer_id=demo.offer_id,
            title=demo.title,
            provider_organisation=demo.provider_organisation,
            district=demo.district,
        )
        self._emit(
            MatchProposed(
                referral_id=self.referral_id, offer=offer, score=rng.random(), reasons=["wens"]
            ),
            "matching",
            0.05,
        )
        proposed = BusinessStatus.SUPPORT_PROPOSED
        self._step(
            SupportProposed, 0.01, actor=SYSTEM, status=TaskStatus.IN_PROGRESS,
            business_status=proposed, offer=offer,
        )  # fmt: skip
        self._step(
            SupportConfirmed, 24, status=TaskStatus.IN_PROGRESS,
            business_status=BusinessStatus.SUPPORT_ACCEPTED, offer_id=offer.offer_id,
            kind=offer.kind,
        )  # fmt: skip
        self._start_support(offer.kind, offer.offer_id, offer.provider_organisation)

    def _start_support(self, kind: OfferKind, offer_id: str | None, provider: str | None) -> None:
        rng = self._rng
        self._step(
            SupportStarted, 72, status=TaskStatus.IN_PROGRESS,
            business_status=BusinessStatus.SUPPORT_STARTED, kind=kind, offer_id=offer_id,
            provider_organisation=provider,
        )  # fmt: skip
        for check_in in range(1, rng.randint(0, 2) + 1):
            self._step(
                CheckInRecorded, 24 * 14, status=TaskStatus.IN_PROGRESS,
                business_status=BusinessStatus.CHECK_IN_DONE, check_in=check_in,
                djg_score=rng.randint(0, 6),
            )  # fmt: skip
        if rng.random() < self._m._shape.open_support:
            return
        self._step(
            ReferralClosed, 24 * 30, status=TaskStatus.COMPLETED,
            status_reason=CloseOutcome.HULP_GEKREGEN.value, outcome=CloseOutcome.HULP_GEKREGEN,
            support_kind=kind, djg_score=rng.randint(0, 6),
        )  # fmt: skip


def interleaved(referrals: Referrals, events: int, open_at_once: int = 200) -> Iterator[Record]:
    """``events`` events of successive referrals, ``open_at_once`` referrals in flight at any
    time, so that (as live) one referral's events lie among others' while each referral's
    stay in order. The last referral may be cut short."""
    flight: list[list[Record]] = []
    made = 0
    rng = random.Random(events)
    while made < events:
        while len(flight) < open_at_once:
            flight.append(referrals.next())
        at = rng.randrange(len(flight))
        yield flight[at].pop(0)
        made += 1
        if not flight[at]:
            flight[at] = flight[-1]
            flight.pop()
