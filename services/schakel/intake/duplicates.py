"""One person, one open referral: is a new signal about someone who already has one? Pure
Python, no I/O.

The source documents say that anyone may signal and that one person is seen by several
signalers: the evaluation (``../shared/domain/seeds/004_…``, "Signaleren") names the courier
who passes what they notice on to the pharmacist who also serves the client, and the domain
summary (``../shared/domain/README.md``, "Signals that come back") the home cook, courier and
nurse who signal about someone already in care. They are silent on how to recognise that two
signals are about the same person: the features and thresholds below are ours.

Matching never sees a plaintext name outside the vault. ``features`` normalises what a
signaler typed (case, diacritics, titles, tussenvoegsels, initials, a Dutch phonetic key of
the surname, the phone number, postcode and house number, birth date); ``blind`` turns each
feature into a keyed hash (HMAC-SHA256 with a secret from configuration, a *blind index*),
and only those hashes are stored and compared. ``compare`` decides on equality of hashes
alone: a name on its own never matches, it must come TOGETHER with a birth date, a postcode
and house number, or a phone number.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# Words before a surname that are not part of how it is sorted or spelled consistently
# ("Jan van der Berg", "J. v.d. Berg", "Berg"), and forms of address.
TUSSENVOEGSELS = frozenset(
    {"van", "von", "vd", "v", "d", "de", "den", "der", "des", "di", "da", "du", "het", "'t"}
    | {"t", "in", "op", "onder", "over", "te", "ten", "ter", "aan", "bij", "la", "le", "uit"}
)
TITLES = frozenset(
    {"mevrouw", "mevr", "mw", "mvr", "meneer", "mijnheer", "dhr", "hr", "heer", "mr", "dr"}
    | {"drs", "ir", "ing", "prof", "wed", "weduwe", "sr", "jr"}
)
HOUSE_NUMBER = re.compile(r"\b(\d{1,5})\s*([a-z]{0,2})\b\s*(?:-?\s*(\w{1,4}))?\s*$")
MIN_KEY_BYTES = 32


class Verdict(StrEnum):
    SAME = "same"  # attach to the open referral
    UNCERTAIN = "uncertain"  # the owner confirms or rejects; never merged silently
    DIFFERENT = "different"


class Feature(StrEnum):
    """What is hashed per person (each a separate keyed hash)."""

    SURNAME = "surname"  # normalised spelling
    SURNAME_SOUND = "surname_sound"  # Dutch phonetic key: Jansen = Janssen
    GIVEN = "given"  # first given name, in full
    INITIAL = "initial"  # its first letter (also from "J.")
    BIRTH_DATE = "birth_date"
    ADDRESS = "address"  # postcode and house number (with addition)
    PHONE = "phone"  # national significant number: 06… = +316… = 00316…


IDENTIFIERS = (Feature.BIRTH_DATE, Feature.ADDRESS, Feature.PHONE)


@dataclass(frozen=True)
class PersonKeys:
    """A person's features as keyed hashes: what intake stores and compares."""

    hashes: Mapping[Feature, str]

    def get(self, feature: Feature) -> str | None:
        return self.hashes.get(feature)

    @property
    def blocks(self) -> tuple[str, ...]:
        """The hashes to look candidates up by: only identifiers (a name is too common)."""
        return tuple(h for f in IDENTIFIERS if (h := self.hashes.get(f)) is not None)


@dataclass(frozen=True)
class Match:
    verdict: Verdict
    matched_on: tuple[str, ...]  # feature names, for the owner and the log (no values)


def fold(text: str) -> str:
    """Lower case, no diacritics (é → e, ĳ → ij), letters, digits, hyphens and single
    spaces only; "J.Jansen" → "j jansen"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9' -]+", " ", bare.replace(".", ". ")).split())


def _name_parts(name: str) -> tuple[str | None, str | None, str | None]:
    """(given name, initial, surname): "Mevr. A.M. van der Berg-de Vries" → (None, "a",
    "bergvries"); the last remaining word is the surname (a double one joined, without its
    tussenvoegsels); "Jansen, Jan" is read as "Jan Jansen"."""
    if "," in name:
        surname_first, given_after = name.split(",", 1)
        name = f"{given_after} {surname_first}"
    tokens = [t.strip("'-") for t in fold(name).split()]
    words = [t for t in tokens if t and t not in TITLES and t not in TUSSENVOEGSELS]
    if not words:
        return None, None, None
    surname = "".join(p for p in words[-1].split("-") if p not in TUSSENVOEGSELS)
    given_words = words[:-1]
    if not given_words:
        return None, None, surname or None
    first = given_words[0]
    initial = first[0]
    given = first if len(first) > 1 else None  # "J" is an initial, not a name
    return given, initial, surname or None


# Spellings that sound alike in Dutch, rewritten to one form (order matters).
_SOUNDS = (
    ("sch", "s"),
    ("ij", "y"),
    ("ei", "y"),
    ("ch", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dt", "t"),
    ("ck", "k"),
    ("c", "k"),
    ("qu", "kw"),
    ("z", "s"),
    ("v", "f"),
    ("ou", "au"),
    ("ae", "a"),
    ("oe", "u"),
    ("ie", "i"),
    ("x", "ks"),
    ("h", ""),
)


def sound(surname: str) -> str:
    """A Dutch phonetic key: spellings said alike become one ("Janssen" and "Jansen",
    "Vries" and "Fries", "Meijer" and "Meyer"), doubled letters one, and the final s of a
    patronymic goes ("Mulders" and "Mulder")."""
    key = surname
    for spelled, said in _SOUNDS:
        key = key.replace(spelled, said)
    key = re.sub(r"(.)\1+", r"\1", key)  # doubled letters: ss → s, aa → a
    key = re.sub(r"d$", "t", key)  # final devoicing: Claasend = Claasent
    return key.removesuffix("s") if len(key) > 4 else key


def phone_number(phone: str) -> str | None:
    """The national significant number: ``06 12 34 56 78``, ``+31 6 12345678`` and
    ``0031612345678`` are all ``612345678``; None for too few digits."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+"):
        digits = digits.removeprefix("31") if digits.startswith("31") else "+" + digits
    elif digits.startswith("0031"):
        digits = digits[4:]
    else:
        digits = digits.removeprefix("0")
    return digits if len(digits.lstrip("+")) >= 9 else None


def house_number(street_address: str) -> str | None:
    """ "Kastanjelaan 12 bis" → ``12bis``; "Hoofdstraat 3-A" → ``3a``; None without one."""
    match = HOUSE_NUMBER.search(fold(street_address))
    if match is None:
        return None
    return "".join(part for part in match.groups() if part)


def features(
    name: str,
    *,
    postcode: str | None = None,
    street_address: str | None = None,
    phone: str | None = None,
    birth_date: date | None = None,
) -> dict[Feature, str]:
    """The person's normalised features (plaintext: hash them with ``blind`` at once)."""
    given, initial, surname = _name_parts(name)
    found: dict[Feature, str | None] = {
        Feature.SURNAME: surname,
        Feature.SURNAME_SOUND: sound(surname) if surname else None,
        Feature.GIVEN: given,
        Feature.INITIAL: initial,
        Feature.BIRTH_DATE: birth_date.isoformat() if birth_date else None,
        Feature.PHONE: phone_number(phone) if phone else None,
    }
    number = house_number(street_address) if street_address else None
    if postcode and number:
        found[Feature.ADDRESS] = f"{postcode.replace(' ', '').upper()}:{number}"
    return {feature: value for feature, value in found.items() if value}


class BlindIndex:
    """HMAC-SHA256 with a secret key: without the key the hashes cannot be tested against
    guessed names, dates or numbers (a plain hash of a birth date can be)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the blind index key must be at least {MIN_KEY_BYTES} bytes")
        self._key = key

    def hash(self, feature: Feature, value: str) -> str:
        message = f"{feature.value}\x00{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def blind(self, found: Mapping[Feature, str]) -> PersonKeys:
        return PersonKeys({feature: self.hash(feature, v) for feature, v in found.items()})


def _same(a: PersonKeys, b: PersonKeys, feature: Feature) -> bool | None:
    """True or False when both have the feature, None when either lacks it."""
    left, right = a.get(feature), b.get(feature)
    if left is None or right is None:
        return None
    return hmac.compare_digest(left, right)


class _Name(StrEnum):
    FULL = "name"  # surname (or its sound) and given name agree
    PARTIAL = "name_partial"  # surname agrees; the given name is an initial or missing
    NONE = "no_name"  # surnames differ, or the given names do


def _name(a: PersonKeys, b: PersonKeys) -> _Name:
    surname = _same(a, b, Feature.SURNAME) or _same(a, b, Feature.SURNAME_SOUND)
    if not surname:
        return _Name.NONE
    given = _same(a, b, Feature.GIVEN)
    if given is False or _same(a, b, Feature.INITIAL) is False:
        return _Name.NONE  # Jan and Piet Jansen at one address are two people
    return _Name.FULL if given else _Name.PARTIAL


def compare(new: PersonKeys, known: PersonKeys) -> Match:
    """Same person, uncertain, or different: on keyed hashes only.

    - same: the full name with one identifier (birth date, postcode and house number,
      phone), or a surname with an initial or none with two identifiers;
    - uncertain (the owner decides): a surname without a full given name and one
      identifier, or a different name with a birth date and one more identifier (a typo
      past the phonetic key, a married name);
    - different otherwise, and always when both birth dates are known and differ unless the
      full name, address and phone all agree (then a typo in the date is likelier: uncertain).
    """
    name = _name(new, known)
    agreed = tuple(f.value for f in IDENTIFIERS if _same(new, known, f))
    born_apart = _same(new, known, Feature.BIRTH_DATE) is False
    matched_on = (name.value, *agreed)
    if born_apart:
        likely_typo = name is _Name.FULL and len(agreed) >= 2
        return Match(Verdict.UNCERTAIN if likely_typo else Verdict.DIFFERENT, matched_on)
    if not agreed:
        return Match(Verdict.DIFFERENT, matched_on)
    if name is _Name.FULL or (name is _Name.PARTIAL and len(agreed) >= 2):
        return Match(Verdict.SAME, matched_on)
    if name is _Name.PARTIAL:
        return Match(Verdict.UNCERTAIN, matched_on)
    if Feature.BIRTH_DATE.value in agreed and len(agreed) >= 2:
        return Match(Verdict.UNCERTAIN, matched_on)
    return Match(Verdict.DIFFERENT, matched_on)


def best(new: PersonKeys, candidates: Mapping[str, PersonKeys]) -> tuple[str, Match] | None:
    """The open referral the new signal is most likely about: a sure match before an
    uncertain one, then the one agreeing on most; None when every candidate differs."""
    ranked = sorted(
        ((rid, compare(new, keys)) for rid, keys in candidates.items()),
        key=lambda pair: (pair[1].verdict is not Verdict.SAME, -len(pair[1].matched_on), pair[0]),
    )
    for referral_id, match in ranked:
        if match.verdict is not Verdict.DIFFERENT:
            return referral_id, match
    return None
