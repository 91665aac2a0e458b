"""What feedback shows: the signaler's view (progress only) and the organisations' view of
the read model."""

from __future__ import annotations

import json
from dataclasses import replace

from schakel.contracts.vocabulary import CloseOutcome, Grade, Route, TaskStatus
from schakel.feedback.domain import receipt_hash
from schakel.feedback.views import referral_view, signaler_view
from tests.unit.test_feedback_domain import (
    GP,
    OWNER,
    PSEUDONYM,
    RECEIPT,
    REFERRAL,
    fold,
    match_proposed,
    received,
    triaged,
    waitlisted,
)
from tests.unit.test_feedback_lifecycle import accepted, closed, started, talked


def test_signaler_status_view_contains_nothing_personal() -> None:
    state, _ = fold(received(), triaged(), match_proposed())

    view = signaler_view(state, " k7qm-4xpd")
    text = json.dumps(view)

    assert set(view) == {
        "receipt",
        "status",
        "stage",
        "stages",
        "outcome",
        "status_text",
        "handled_by",
        "received_at",
        "updated_at",
    }
    # Neither the owner (it names the district, and a buurtteam means the grade is severe)
    # nor anything else of triage's.
    for withheld in (
        PSEUDONYM,
        REFERRAL,
        "ernstig",
        "overvecht",
        "buurtteam-",
        OWNER,
        "3563",
        GP,
        "Psychiatriemaatje",
        receipt_hash(RECEIPT),
    ):
        assert withheld not in text
    assert view["status"] == "hulp_voorgesteld"
    assert view["receipt"] == RECEIPT
    assert set(view["status_text"]) == {"nl", "en"}
    assert view["handled_by"]["nl"] == "een sociaal makelaar of het buurtteam in uw wijk"
    assert view["received_at"] == "2026-11-20T09:30:00+00:00"


def test_the_kind_of_organisation_does_not_tell_the_urgency() -> None:
    """Triage sends urgent referrals to a buurtteam, the rest to social brokers: a signaler
    reads the same words for both, and nothing before triage has named an owner."""
    urgent, _ = fold(received(), triaged())
    assert urgent.route is Route.BUURTTEAM
    milder = replace(
        urgent,
        route=Route.SOCIAAL_MAKELAAR,
        owner_organisation="sociaal-makelaars-zuid",
        grade=Grade.PREVENTIE,
    )
    at_point = replace(urgent, route=Route.COORDINATIEPUNT, owner_organisation="meldpunt-x")
    new, _ = fold(received())

    assert (
        signaler_view(urgent, RECEIPT)["handled_by"] == signaler_view(milder, RECEIPT)["handled_by"]
    )
    assert "meldpunt-x" not in json.dumps(signaler_view(at_point, RECEIPT))
    assert "coordination point" in signaler_view(at_point, RECEIPT)["handled_by"]["en"]
    assert signaler_view(new, RECEIPT)["handled_by"] is None


def test_every_signaler_status_has_a_dutch_and_an_english_text() -> None:
    for events in (
        (received(),),
        (received(), triaged()),
        (received(), triaged(), waitlisted()),
        (received(), triaged(), match_proposed()),
    ):
        state, _ = fold(*events)
        texts = signaler_view(state, RECEIPT)["status_text"]
        assert texts["nl"] and texts["en"] and texts["nl"] != texts["en"]


def test_referral_view_is_the_read_model_without_the_receipt_hash() -> None:
    state, _ = fold(received(), triaged(), match_proposed())

    view = referral_view(state)

    assert "receipt_hash" not in view and receipt_hash(RECEIPT) not in json.dumps(view)
    assert view["referrer_organisation"] == GP
    assert view["signaler_status"] == "hulp_voorgesteld"
    assert view["proposal"] == {
        "kind": "maatje",
        "title": "Psychiatriemaatje",
        "provider_organisation": "Humanitas Utrecht",
    }
    assert [h["type"] for h in view["history"]][-1] == "nl.schakel.referral.match-proposed.v1"


def test_only_the_owner_view_carries_the_persons_pseudonym() -> None:
    state, _ = fold(received(), triaged())

    referrer_view = referral_view(state)
    owner_view = referral_view(state, with_pseudonym=True)

    assert "person_pseudonym" not in referrer_view
    assert state.person_pseudonym is not None
    assert state.person_pseudonym not in json.dumps(referrer_view)
    assert owner_view["person_pseudonym"] == state.person_pseudonym


def test_the_signaler_hears_where_the_report_went_and_nothing_more() -> None:
    """Status texts say only what someone has done: no 'in behandeling' before anyone acted,
    no 'suitable help found' before the owner has talked with the person."""
    texts = {
        steps: signaler_view(fold(*events)[0], RECEIPT)["status_text"]["nl"]
        for steps, events in {
            "received": (received(),),
            "triaged": (received(), triaged()),
            "proposed": (received(), triaged(), match_proposed()),
            "waitlisted": (received(), triaged(), waitlisted()),
        }.items()
    }

    assert texts["received"].startswith("Uw melding is ontvangen")
    assert texts["triaged"] == (
        "Uw melding is doorgegeven aan een sociaal makelaar of het buurtteam in uw wijk."
    )
    assert texts["proposed"] == texts["waitlisted"] == texts["triaged"]
    for text in texts.values():
        assert "behandeling" not in text and "hulp" not in text and "signaal" not in text


def test_a_report_at_the_coordination_point_says_so() -> None:
    state, _ = fold(received(), triaged())
    at_point = replace(state, route=Route.COORDINATIEPUNT)

    assert "coördinatiepunt" in signaler_view(at_point, RECEIPT)["status_text"]["nl"]
    assert (
        "social broker"
        in signaler_view(replace(state, route=Route.SOCIAAL_MAKELAAR), RECEIPT)["status_text"]["en"]
    )


def test_each_stage_says_what_was_done_with_dates_and_a_closed_one_only_a_plain_outcome() -> None:
    steps = [received(), triaged(), accepted(), talked(), started()]
    texts = []
    for n in range(1, len(steps) + 1):
        view = signaler_view(fold(*steps[:n])[0], RECEIPT)
        texts.append(view["status_text"])
    done = fold(*steps, closed(CloseOutcome.OVERLEDEN, TaskStatus.CANCELLED))[0]
    final = signaler_view(done, RECEIPT)

    assert [t["en"] for t in texts[2:]] == [
        "Your report has been taken up by a social broker or the neighbourhood team in your area.",
        "A social broker or the neighbourhood team in your area has been in touch following "
        "your report.",
        "Support has started following your report.",
    ]
    assert texts[2]["nl"] == (
        "Uw melding is opgepakt door een sociaal makelaar of het buurtteam in uw wijk."
    )
    assert final["stage"] == "afgesloten" and final["outcome"] == "afgerond"
    assert final["status_text"]["nl"] == "Uw melding is afgesloten."
    assert [s["stage"] for s in final["stages"]] == [
        "ontvangen",
        "doorgezet",
        "opgepakt",
        "in_contact",
        "hulp_gestart",
        "afgesloten",
    ]
    assert final["updated_at"] == final["stages"][-1]["at"]
    for withheld in ("overleden", "maatje", "buurtteam-", "cancelled", "Buurtteam Overvecht"):
        assert withheld not in json.dumps(final)


def test_the_referrer_reads_the_lifecycle_who_accepted_the_support_and_the_outcome() -> None:
    steps = (received(), triaged(), accepted(), talked(), started())
    view = referral_view(fold(*steps, closed(CloseOutcome.HULP_GEKREGEN, TaskStatus.COMPLETED))[0])

    assert (view["task_status"], view["status_reason"], view["stage"]) == (
        "completed",
        "hulp_gekregen",
        "afgesloten",
    )
    assert view["accepted_by"]["organisation"] == OWNER
    assert (view["accepted_by"]["name"], view["accepted_by"]["role"]) == (
        "Buurtteam Overvecht",
        "sociaal_makelaar",
    )
    assert (view["support_kind"], view["outcome"], view["follow_up_djg_score"]) == (
        "maatje",
        "hulp_gekregen",
        2,
    )
    json.dumps(view)  # every value is plain JSON
