"""The demo data of `make run` tells a story a social broker in Utrecht would recognise: every
report is one intake accepts, and together they reach every route and state there is today."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from schakel.contracts.vocabulary import Channel, Route, SignalerRole
from schakel.intake.domain import Intake, accept
from schakel.intake.schemas import ReferralIn, SignalIn
from schakel.matching.demo_offers import DEMO_OFFERS
from schakel.matching.domain import Proposal, WaitlistDecision, propose
from schakel.matching.handlers import need_of
from schakel.triage import rules
from schakel.triage.domain import Decision, triage
from schakel.triage.handlers import facts_of, triaged_payload
from schakel_dev.demo import REFERRALS, SIGNALS

BOOK = rules.load()


def decided(body: SignalIn | ReferralIn) -> tuple[Decision, Proposal | WaitlistDecision]:
    """What triage and matching make of one demo submission, as the services would."""
    person = body.person if isinstance(body, SignalIn) else body.patient
    intake = Intake(
        channel=Channel.WEBFORMULIER if isinstance(body, SignalIn) else Channel.WELZIJN_OP_RECEPT,
        signaler_role=body.signaler_role if isinstance(body, SignalIn) else SignalerRole.HUISARTS,
        signaler_organisation=None,
        postcode=person.postcode,
        received_at=datetime.now(UTC),
        age_band=body.age_band,
        observations=tuple(body.observations),
        djg_score=body.djg_score,
        consent_to_contact=body.consent_to_contact,
        prescribed_to=body.prescribed_to if isinstance(body, ReferralIn) else None,
    )
    received = accept(intake).event
    decision = triage(facts_of(received), BOOK)
    return decision, propose(need_of(triaged_payload(received, decision)), list(DEMO_OFFERS))


def all_decided() -> list[tuple[Decision, Proposal | WaitlistDecision]]:
    signals = [decided(SignalIn.model_validate(s.body)) for s in SIGNALS]
    return signals + [decided(ReferralIn.model_validate(r.body)) for _, r in REFERRALS]


def test_the_demo_reaches_every_route_and_state_there_is_today() -> None:
    outcomes = all_decided()
    routes = Counter(d.route for d, _ in outcomes)

    assert set(routes) == set(Route)
    assert any(d.grade is None for d, _ in outcomes)  # ungraded: waits for the conversation
    assert any(isinstance(o, Proposal) for _, o in outcomes)
    assert any(isinstance(o, WaitlistDecision) for _, o in outcomes)
    assert any(isinstance(o, Proposal) and o.offer.walk_in for _, o in outcomes)


def test_the_demo_is_in_utrecht_s_districts_by_their_real_names() -> None:
    names = {d.district_name for d, _ in all_decided()} - {None}

    assert {"Overvecht", "Noordwest", "Zuidwest", "Noordoost", "Leidsche Rijn"} <= names
    assert "Vleuten-De Meern" in names  # Vleuterweide
    assert all(name in {x.name for x in BOOK.districts.districts} for name in names)


def test_demo_idempotency_keys_are_unique_so_a_second_run_adds_nothing() -> None:
    keys = [s.key for s in SIGNALS] + [r.key for _, r in REFERRALS]

    assert len(keys) == len(set(keys))
