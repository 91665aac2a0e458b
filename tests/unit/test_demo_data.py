"""The demo data of `make run` tells a story a social broker in Utrecht would recognise: every
report is one intake accepts, and together they reach every route and state there is today."""

from __future__ import annotations

from collections import Counter

from schakel.contracts.vocabulary import Channel, Route, SignalerRole
from schakel.intake.api import _intake  # the mapping intake's routes use
from schakel.intake.domain import accept
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
    if isinstance(body, SignalIn):
        channel = Channel.ZELFMELDING if body.about_self else Channel.WEBFORMULIER
        intake = _intake(body, body.person, channel, body.signaler_role, None)
    else:
        intake = _intake(body, body.patient, Channel.WELZIJN_OP_RECEPT, SignalerRole.HUISARTS, None)
    received = accept(intake).event
    decision = triage(facts_of(received), BOOK)
    return decision, propose(
        need_of(triaged_payload(received.referral_id, decision)), list(DEMO_OFFERS)
    )


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
