"""The duplicate rule (issue 11, item 4): a table of pairs, each compared on keyed hashes
only, as intake stores them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from schakel.intake.duplicates import (
    BlindIndex,
    Feature,
    PersonKeys,
    Verdict,
    best,
    compare,
    features,
    house_number,
    phone_number,
    sound,
)

INDEX = BlindIndex(b"k" * 32)
SAME, UNCERTAIN, DIFFERENT = Verdict.SAME, Verdict.UNCERTAIN, Verdict.DIFFERENT
BORN = date(1941, 3, 7)
HOME = {"postcode": "3563 AB", "street_address": "Kastanjelaan 12"}


def person(name: str, **details: Any) -> PersonKeys:
    return INDEX.blind(features(name, **details))


# (first signal, second signal, verdict): at least 20 pairs, every outcome and reason.
PAIRS: list[tuple[str, dict[str, Any], str, dict[str, Any], Verdict]] = [
    # Sure: the full name (however spelled) with one identifier.
    ("Jan Jansen", {"birth_date": BORN}, "Jan Janssen", {"birth_date": BORN}, SAME),
    ("Jan Jansen", {"birth_date": BORN}, "jan JANSEN", {"birth_date": BORN}, SAME),
    ("José Pérez", {"phone": "06 12 34 56 78"}, "Jose Perez", {"phone": "+31612345678"}, SAME),
    ("Jan van der Berg", HOME, "Jan Berg", {**HOME, "street_address": "Kastanjelaan 12"}, SAME),
    (
        "Jan van der Berg",
        {"phone": "0031612345678"},
        "Jan v.d. Berg",
        {"phone": "0612345678"},
        SAME,
    ),
    ("Truus Meijer", {"birth_date": BORN}, "Truus Meyer", {"birth_date": BORN}, SAME),
    ("Anna de Vries", HOME, "Anna de Fries", HOME, SAME),
    ("Mulder, Kees", {"phone": "030 123 4567"}, "Kees Mulders", {"phone": "0301234567"}, SAME),
    ("  Jan   Jansen ", {"birth_date": BORN}, "Jan Jansen", {"birth_date": BORN}, SAME),
    # Sure: an initial or no given name, but two identifiers.
    ("J. Jansen", {**HOME, "birth_date": BORN}, "Jan Jansen", {**HOME, "birth_date": BORN}, SAME),
    (
        "Mevrouw Pinas",
        {**HOME, "phone": "0612345678"},
        "T. Pinas",
        {**HOME, "phone": "0612345678"},
        SAME,
    ),
    # Uncertain: an initial or title only, with one identifier.
    ("J. Jansen", {"birth_date": BORN}, "Jan Jansen", {"birth_date": BORN}, UNCERTAIN),
    ("Mevrouw Pinas", HOME, "Truus Pinas", HOME, UNCERTAIN),
    ("A.M. de Wit", {"phone": "0612345678"}, "Anna de Wit", {"phone": "0612345678"}, UNCERTAIN),
    # Uncertain: a name past the phonetic key, but birth date and address agree.
    (
        "Fatima El Amrani",
        {**HOME, "birth_date": BORN},
        "Fatma Amrani-Bouzid",
        {**HOME, "birth_date": BORN},
        UNCERTAIN,
    ),
    # Uncertain: everything agrees but the birth date (a typo likelier than a twin).
    (
        "Jan Jansen",
        {**HOME, "phone": "0612345678", "birth_date": BORN},
        "Jan Jansen",
        {**HOME, "phone": "0612345678", "birth_date": date(1941, 7, 3)},
        UNCERTAIN,
    ),
    # Different: a name alone, or a name with nothing else that agrees.
    ("Jan Jansen", {}, "Jan Jansen", {}, DIFFERENT),
    ("Jan Jansen", {"postcode": "3563 AB"}, "Jan Jansen", {"postcode": "3563 AB"}, DIFFERENT),
    ("Jan Jansen", {"birth_date": BORN}, "Jan Jansen", {"birth_date": date(1950, 1, 1)}, DIFFERENT),
    ("Jan Jansen", {"phone": "0612345678"}, "Jan Jansen", {"phone": "0687654321"}, DIFFERENT),
    # Different: two people at one address or on one landline.
    ("Jan Jansen", HOME, "Piet Jansen", HOME, DIFFERENT),
    ("Jan Jansen", {"phone": "030 123 4567"}, "Marie Jansen", {"phone": "0301234567"}, DIFFERENT),
    ("Jan Jansen", HOME, "Fatima El Amrani", HOME, DIFFERENT),
    # Different: father and son of one name at one address, birth dates apart.
    (
        "Jan Jansen",
        {**HOME, "birth_date": BORN},
        "Jan Jansen",
        {**HOME, "birth_date": date(1970, 5, 2)},
        DIFFERENT,
    ),
    # Different: same house number, another postcode.
    (
        "Jan Jansen",
        HOME,
        "Jan Jansen",
        {"postcode": "3511 AB", "street_address": "Oudegracht 12"},
        DIFFERENT,
    ),
    ("Jan Jansen", {"birth_date": BORN}, "Karel Pietersen", {"birth_date": BORN}, DIFFERENT),
]


@pytest.mark.parametrize(
    ("first", "first_details", "second", "second_details", "verdict"),
    PAIRS,
    ids=[f"{a}~{b}->{v.value}" for a, _, b, _, v in PAIRS],
)
def test_the_rule_on_a_table_of_pairs(
    first: str,
    first_details: dict[str, Any],
    second: str,
    second_details: dict[str, Any],
    verdict: Verdict,
) -> None:
    known, new = person(first, **first_details), person(second, **second_details)
    assert compare(new, known).verdict is verdict
    assert compare(known, new).verdict is verdict  # the order of arrival does not matter


def test_the_table_has_every_outcome_and_at_least_20_pairs() -> None:
    assert len(PAIRS) >= 20
    assert {v for *_, v in PAIRS} == set(Verdict)


def test_only_keyed_hashes_are_kept_never_the_values() -> None:
    keys = person("Jan Jansen", phone="0612345678", birth_date=BORN, **HOME)
    stored = " ".join(keys.hashes.values())
    for plain in ("jan", "jansen", "612345678", "1941", "3563AB"):
        assert plain not in stored
    assert len(keys.blocks) == 3  # birth date, address, phone: the name never blocks


def test_another_key_gives_other_hashes_so_they_cannot_be_compared_across() -> None:
    other = BlindIndex(b"o" * 32)
    found = features("Jan Jansen", birth_date=BORN)
    mine, theirs = INDEX.blind(found), other.blind(found)
    assert mine.get(Feature.BIRTH_DATE) != theirs.get(Feature.BIRTH_DATE)
    assert compare(mine, theirs).verdict is DIFFERENT


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        BlindIndex(b"short")


@pytest.mark.parametrize(
    ("spelled", "said"),
    [("Jansen", "Janssen"), ("Meijer", "Meyer"), ("Vries", "Fries"), ("Claassen", "Klasen")],
)
def test_names_said_alike_share_a_phonetic_key(spelled: str, said: str) -> None:
    assert sound(spelled.lower()) == sound(said.lower())


def test_names_said_differently_do_not() -> None:
    assert sound("jansen") != sound("jonker")


@pytest.mark.parametrize(
    "written", ["06 12 34 56 78", "+31 6 12345678", "0031612345678", "06-12345678"]
)
def test_a_dutch_mobile_number_however_written(written: str) -> None:
    assert phone_number(written) == "612345678"


def test_a_foreign_number_keeps_its_country_and_a_short_one_is_none() -> None:
    assert phone_number("+32 470 12 34 56") == "+32470123456"
    assert phone_number("112") is None


@pytest.mark.parametrize(
    ("address", "number"),
    [
        ("Kastanjelaan 12", "12"),
        ("Hoofdstraat 3-A", "3a"),
        ("Hoofdstraat 3a", "3a"),
        ("Oudegracht 101 bis", "101bis"),
        ("Postbus", None),
    ],
)
def test_house_numbers(address: str, number: str | None) -> None:
    assert house_number(address) == number


def test_the_best_candidate_is_a_sure_one_before_an_uncertain_one() -> None:
    new = person("Jan Jansen", birth_date=BORN, phone="0612345678")
    candidates = {
        "ref-uncertain": person("J. Jansen", birth_date=BORN),
        "ref-sure": person("Jan Janssen", phone="06 12 34 56 78"),
        "ref-other": person("Piet Jansen", birth_date=BORN),
    }
    found = best(new, candidates)
    assert found is not None and found[0] == "ref-sure"
    assert found[1].verdict is SAME and "phone" in found[1].matched_on
    assert best(new, {"ref-other": candidates["ref-other"]}) is None
