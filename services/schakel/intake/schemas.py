"""What intake accepts over HTTP. Unknown fields are refused, so typos get a clear 422.

No text field takes control characters (NUL, escape, …; pydantic itself refuses lone
surrogates): they have no place in a name or a postcode, can break what shows or stores the
text later, and would be kept in the vault for good. Only the free-text note keeps tabs and
line breaks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from schakel.contracts.vocabulary import (
    AgeBand,
    ContactWay,
    Observation,
    PrescribedTo,
    SignalerRole,
)
from schakel.intake.domain import MAX_AGE_YEARS, birth_date_problem, normalise_postcode

LINE_BREAKS = "\t\n\r"  # what a textarea sends (browsers send CRLF)


def _printable(allowed: str = "") -> Callable[[str], str]:
    def check(value: str) -> str:
        for char in value:
            if char not in allowed and unicodedata.category(char) == "Cc":
                raise ValueError(
                    f"contains the control character U+{ord(char):04X}; "
                    "only printable text is accepted"
                )
        return value

    return check


Printable = AfterValidator(_printable())
Name = Annotated[str, Field(min_length=1, max_length=200), Printable]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,20}$")]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254), Printable]
Note = Annotated[str, Field(max_length=2000), AfterValidator(_printable(LINE_BREAKS))]
Label = Annotated[str, Field(max_length=100), Printable]


def today_in_utrecht() -> date:
    """The date where the GP practices are (UTC's where the system has no time zone data)."""
    try:
        return datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    except ZoneInfoNotFoundError:
        return datetime.now(UTC).date()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonIn(_Strict):
    """The person the signal is about. Kept only in intake's encrypted vault."""

    name: Name
    phone: Phone | None = None
    email: Email | None = None
    street_address: Annotated[str, Field(max_length=200), Printable] | None = None
    postcode: str = Field(examples=["3562 AB"])  # its pattern admits no control character
    date_of_birth: date | None = Field(
        default=None,
        description="Optional (a neighbour seldom knows it); not in the future, not over "
        f"{MAX_AGE_YEARS} years ago. Kept only in the vault, never in an event.",
    )

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        return normalise_postcode(value)

    @field_validator("date_of_birth")
    @classmethod
    def _born(cls, value: date | None) -> date | None:
        if value is not None and (problem := birth_date_problem(value, today_in_utrecht())):
            raise ValueError(problem)
        return value


class PatientIn(PersonIn):
    """The patient of a wellbeing prescription: a person, as on any signal."""


# What each way of contact needs besides the way itself: the field that must be filled in.
CONTACT_DETAIL = {
    ContactWay.TELEFOON: "person.phone",
    ContactWay.EMAIL: "person.email",
    ContactWay.BRIEF: "person.street_address",
    ContactWay.VIA_HUISARTS: "gp_practice",
}


class _Concern(_Strict):
    age_band: AgeBand | None = None
    observations: list[Observation] = Field(default_factory=list, max_length=len(Observation))
    djg_score: int | None = Field(
        default=None, ge=0, le=6, description="De Jong Gierveld 6-item loneliness score (0–6)"
    )
    consent_to_contact: bool = False
    note: Note | None = Field(default=None, description="Free text; stays in intake's vault")


class SignalIn(_Concern):
    """A signal from anyone: a pharmacist, a courier, a neighbour, or the person themself."""

    signaler_role: SignalerRole = SignalerRole.ANDERS
    signaler_organisation: Label | None = Field(
        default=None,
        description="Free text, e.g. 'Apotheek Overvecht': a label kept with the note in the "
        "vault; it grants no access. An organisation is known only from its token.",
    )
    about_self: bool = False
    person: PersonIn
    contact_way: ContactWay | None = Field(
        default=None,
        description="How the person wants to be reached (mostly said by someone reporting "
        "about themself); each way needs its detail: telefoon person.phone, email "
        "person.email, brief person.street_address, via_huisarts gp_practice",
    )
    gp_practice: Label | None = Field(
        default=None,
        description="The person's own GP practice, for contact via_huisarts; kept in the vault",
    )

    @model_validator(mode="after")
    def _self_report(self) -> SignalIn:
        if self.signaler_role is SignalerRole.ZELF:
            self.about_self = True
        if self.about_self:
            self.signaler_role = SignalerRole.ZELF
        return self

    @model_validator(mode="after")
    def _reachable_the_way_asked(self) -> SignalIn:
        if self.contact_way is not None and not self._filled(CONTACT_DETAIL[self.contact_way]):
            raise ValueError(
                f"contact_way {self.contact_way.value} needs {CONTACT_DETAIL[self.contact_way]}"
            )
        return self

    def _filled(self, path: str) -> bool:
        owner: BaseModel = self.person if path.startswith("person.") else self
        return bool(getattr(owner, path.removeprefix("person.")))


class ReferralIn(_Concern):
    """A GP wellbeing prescription (*Welzijn op recept*)."""

    patient: PatientIn
    prescribed_to: PrescribedTo = Field(
        default=PrescribedTo.SOCIAAL_MAKELAAR,
        description="Refer to the social broker or the exercise broker (beweegmakelaar)",
    )

    @field_validator("consent_to_contact")
    @classmethod
    def _consent(cls, value: bool) -> bool:
        if not value:
            raise ValueError("a wellbeing prescription needs the patient's consent to be contacted")
        return value


class Message(BaseModel):
    nl: str
    en: str


class SignalReceipt(BaseModel):
    receipt: str
    status_url: str
    message: Message


class ReferralReceipt(SignalReceipt):
    referral_id: str
