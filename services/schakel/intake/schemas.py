"""What intake accepts over HTTP. Unknown fields are refused, so typos get a clear 422."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schakel.contracts.vocabulary import AgeBand, Observation, PrescribedTo, SignalerRole
from schakel.intake.domain import normalise_postcode

Name = Annotated[str, Field(min_length=1, max_length=200)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,20}$")]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
Note = Annotated[str, Field(max_length=2000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonIn(_Strict):
    """The person the signal is about. Kept only in intake's encrypted vault."""

    name: Name
    phone: Phone | None = None
    email: Email | None = None
    street_address: Annotated[str, Field(max_length=200)] | None = None
    postcode: str = Field(examples=["3562 AB"])

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        return normalise_postcode(value)


class PatientIn(PersonIn):
    date_of_birth: date | None = None


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
    signaler_organisation: Annotated[str, Field(max_length=100)] | None = None
    about_self: bool = False
    person: PersonIn

    @model_validator(mode="after")
    def _self_report(self) -> SignalIn:
        if self.signaler_role is SignalerRole.ZELF:
            self.about_self = True
        if self.about_self:
            self.signaler_role = SignalerRole.ZELF
        return self


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
