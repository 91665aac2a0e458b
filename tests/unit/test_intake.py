"""Intake: receipts, postcodes, the person vault, and what leaves intake in the event."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from pydantic import BaseModel, ValidationError

from schakel.contracts.receipts import receipt_hash
from schakel.contracts.vocabulary import (
    Channel,
    ContactWay,
    Observation,
    PrescribedTo,
    SignalerRole,
)
from schakel.intake.domain import (
    Intake,
    accept,
    birth_date_problem,
    new_receipt_code,
    normalise_postcode,
)
from schakel.intake.schemas import ReferralIn, SignalIn, today_in_utrecht
from schakel.intake.vault import Sealer


def test_receipt_codes_are_readable_aloud_and_unique() -> None:
    codes = {new_receipt_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(
        re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}", c)
        for c in codes
    )


def test_receipt_typed_in_lower_case_with_spaces_finds_the_same_status() -> None:
    assert receipt_hash(" k7qm-4xwd-2p ") == receipt_hash("K7QM-4XWD-2P")


@pytest.mark.parametrize(("typed", "normal"), [("3562ab", "3562 AB"), (" 3562 AB ", "3562 AB")])
def test_postcodes_are_normalised(typed: str, normal: str) -> None:
    assert normalise_postcode(typed) == normal


@pytest.mark.parametrize("bad", ["0562 AB", "35621", "ABCD EF", ""])
def test_non_dutch_postcodes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="Dutch postcode"):
        normalise_postcode(bad)


def test_event_carries_pseudonym_and_area_but_nothing_personal() -> None:
    accepted = accept(
        Intake(
            channel=Channel.WEBFORMULIER,
            signaler_role=SignalerRole.APOTHEKER,
            signaler_organisation=None,
            postcode="3562 AB",
            received_at=datetime.now(UTC),
            observations=(Observation.SOMBER, Observation.SOMBER),
        )
    )
    event = accepted.event
    assert event.person_pseudonym == accepted.pseudonym
    assert event.postcode_area == "3562"
    assert event.observations == [Observation.SOMBER]
    assert event.receipt_hash == receipt_hash(accepted.receipt)
    assert "3562 AB" not in event.model_dump_json()
    assert accepted.receipt not in event.model_dump_json()


def test_self_report_is_marked_as_such() -> None:
    body = SignalIn.model_validate(
        {
            "about_self": True,
            "signaler_role": "apotheker",
            "person": {"name": "A", "postcode": "3512AB"},
        }
    )
    assert body.signaler_role is SignalerRole.ZELF


def test_prescription_without_consent_is_refused() -> None:
    with pytest.raises(ValueError, match="consent"):
        ReferralIn.model_validate(
            {"patient": {"name": "A", "postcode": "3512AB"}, "consent_to_contact": False}
        )


def test_a_prescription_refers_to_the_social_or_the_exercise_broker() -> None:
    """004 §5.4: the GP refers "naar de sociaal makelaar of de beweegmakelaar"."""
    patient = {"patient": {"name": "A", "postcode": "3554AB"}, "consent_to_contact": True}
    assert ReferralIn.model_validate(patient).prescribed_to is PrescribedTo.SOCIAAL_MAKELAAR
    exercise = ReferralIn.model_validate({**patient, "prescribed_to": "beweegmakelaar"})
    intake = Intake(
        channel=Channel.WELZIJN_OP_RECEPT,
        signaler_role=SignalerRole.HUISARTS,
        signaler_organisation="huisartsenpraktijk-zuilen",
        postcode="3554 AB",
        received_at=datetime.now(UTC),
        prescribed_to=exercise.prescribed_to,
    )
    assert accept(intake).event.prescribed_to is PrescribedTo.BEWEEGMAKELAAR
    with pytest.raises(ValueError, match="prescribed_to"):
        SignalIn.model_validate({"person": patient["patient"], "prescribed_to": "beweegmakelaar"})


def test_vault_seals_per_person_and_opens_only_for_that_person() -> None:
    sealer = Sealer(os.urandom(32))
    sealed = sealer.seal("ps-a", {"name": "Mevrouw de Vries", "phone": "030 123 4567"})
    assert b"de Vries" not in sealed.ciphertext
    assert sealer.open(sealed)["name"] == "Mevrouw de Vries"
    with pytest.raises(InvalidTag):
        sealer.open(replace(sealed, pseudonym="ps-b"))


def test_another_master_key_cannot_open_the_vault() -> None:
    sealed = Sealer(os.urandom(32)).seal("ps-a", {"name": "X"})
    with pytest.raises(InvalidTag):
        Sealer(os.urandom(32)).open(sealed)


def a_signal(**person: Any) -> dict[str, Any]:
    return {"person": {"name": "Mevrouw de Vries", "postcode": "3512AB", **person}}


def problem(model: type[BaseModel], body: dict[str, Any]) -> tuple[str, str]:
    """(field, reason) of the one problem pydantic finds, as the 422 would name them."""
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    [error] = refused.value.errors()
    return ".".join(str(p) for p in error["loc"]), error["msg"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (a_signal(name="Mevrouw\x00de Vries"), "person.name"),
        (a_signal(name="\x1b[31mrood"), "person.name"),
        (a_signal(email="a\x00b@example.org"), "person.email"),
        (a_signal(street_address="Dorpsstraat\x7f 1"), "person.street_address"),
        ({**a_signal(), "signaler_organisation": "Apotheek\x07"}, "signaler_organisation"),
        ({**a_signal(), "note": "eerst\x00dan"}, "note"),
    ],
)
def test_control_characters_are_refused_naming_the_field(body: dict[str, Any], field: str) -> None:
    where, reason = problem(SignalIn, body)
    assert where == field
    assert "control character U+" in reason


def test_half_a_character_is_refused_naming_the_field() -> None:
    """A lone surrogate (``"\\ud800"`` in JSON) could not be stored: pydantic refuses it."""
    assert problem(SignalIn, {**a_signal(), "note": "half \ud800 teken"})[0] == "note"


def test_a_note_keeps_its_line_breaks_and_names_their_letters() -> None:
    note = "Regel een\r\nRegel twee\n\tingesprongen; Ümit, Zoë, 李"
    body = SignalIn.model_validate({**a_signal(name="Zoë Ümit-李"), "note": note})
    assert body.note == note
    assert body.person.name == "Zoë Ümit-李"


def a_referral(born: date) -> dict[str, Any]:
    patient = {"name": "Dhr. Yilmaz", "postcode": "3526 KL", "date_of_birth": born.isoformat()}
    return {"patient": patient, "consent_to_contact": True}


@pytest.mark.parametrize(
    ("born", "reason"),
    [
        (timedelta(days=1), "future"),
        (date(2999, 1, 1), "future"),
        (date(1850, 6, 1), "130 years"),
        (-timedelta(days=365 * 131), "130 years"),
    ],
)
def test_an_impossible_date_of_birth_is_refused(born: date | timedelta, reason: str) -> None:
    when = born if isinstance(born, date) else today_in_utrecht() + born
    where, message = problem(ReferralIn, a_referral(when))
    assert where == "patient.date_of_birth"
    assert reason in message


@pytest.mark.parametrize("age", [timedelta(0), timedelta(days=365 * 129), timedelta(days=30)])
def test_a_plausible_date_of_birth_is_kept(age: timedelta) -> None:
    born = today_in_utrecht() - age
    assert ReferralIn.model_validate(a_referral(born)).patient.date_of_birth == born


def test_130_years_counts_from_today_also_across_a_leap_day() -> None:
    leap_day = date(2028, 2, 29)
    assert birth_date_problem(date(1898, 3, 1), leap_day) is None
    assert birth_date_problem(date(1898, 2, 28), leap_day) is not None
    assert birth_date_problem(date(2028, 3, 1), leap_day) is not None
    assert birth_date_problem(leap_day, leap_day) is None


def test_a_lay_signaler_may_give_a_birth_date_and_an_impossible_one_is_refused() -> None:
    assert SignalIn.model_validate(a_signal()).person.date_of_birth is None
    given = SignalIn.model_validate(a_signal(date_of_birth="1941-05-02"))
    assert given.person.date_of_birth == date(1941, 5, 2)
    where, reason = problem(SignalIn, a_signal(date_of_birth="2999-01-01"))
    assert (where, "future" in reason) == ("person.date_of_birth", True)


@pytest.mark.parametrize(
    ("way", "detail"),
    [
        ("telefoon", {"person": {"phone": "030 123 4567"}}),
        ("email", {"person": {"email": "ik@example.org"}}),
        ("brief", {"person": {"street_address": "Kerkstraat 12"}}),
        ("via_huisarts", {"gp_practice": "Huisartsenpraktijk De Linde"}),
    ],
)
def test_a_way_of_contact_needs_its_detail(way: str, detail: dict[str, Any]) -> None:
    body = {**a_signal(), "about_self": True, "consent_to_contact": True, "contact_way": way}
    with pytest.raises(ValidationError, match=f"contact_way {way} needs"):
        SignalIn.model_validate(body)
    person = {**body["person"], **detail.get("person", {})}
    extra = {k: v for k, v in detail.items() if k != "person"}
    accepted = SignalIn.model_validate({**body, **extra, "person": person})
    assert accepted.contact_way == way


def test_the_event_says_only_the_way_of_contact() -> None:
    accepted = accept(
        Intake(
            channel=Channel.ZELFMELDING,
            signaler_role=SignalerRole.ZELF,
            signaler_organisation=None,
            postcode="3562 AB",
            received_at=datetime.now(UTC),
            contact_way=ContactWay.BRIEF,
        )
    )
    assert accepted.event.contact_preference is ContactWay.BRIEF
