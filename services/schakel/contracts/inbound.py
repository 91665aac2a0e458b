"""What GP systems write to ``schakel.gp-referrals.inbound``: a wellbeing prescription as a
CloudEvent (binary mode, as every schakel topic), read by intake.

Unlike the lifecycle events this one carries personal details (the patient): it is the GP's
message to intake, not part of the pseudonymous history. The topic keeps records 7 days
only, and only the GP messaging integration may write to it (a Kafka ACL, see
deploy/README.md): that write right is what vouches for ``gp_practice``, as a token does on
the HTTP API. The CloudEvent ``id`` is the GP system's message id and must be unique across
all GP systems (a UUID): intake applies each id once, so a message sent again is no second
referral. ``source`` names the GP system, ``subject`` (the Kafka key) repeats the id.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from schakel.contracts.envelope import EventPayload
from schakel.contracts.vocabulary import Observation, PrescribedTo

ORGANISATION_PATTERN = r"^[a-z0-9][a-z0-9-]{1,79}$"


class InboundPatient(BaseModel):
    """The patient as the GP system knows them; intake keeps it in its vault only."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=200)
    postcode: str = Field(description="Dutch postcode, e.g. 3562 AB")
    date_of_birth: date | None = None
    phone: str | None = None
    email: str | None = None
    street_address: str | None = Field(default=None, max_length=200)


class GpReferralSubmitted(EventPayload):
    """A GP practice's wellbeing prescription (*Welzijn op recept*), sent from its system.
    Intake holds it to the rules of ``POST /api/v1/referrals`` (a Dutch postcode, a plausible
    birth date, consent) and dead-letters what breaks them, with the reason."""

    event_name: ClassVar[str] = "nl.schakel.gp-referral.submitted"
    event_version: ClassVar[int] = 1

    gp_practice: str = Field(
        pattern=ORGANISATION_PATTERN,
        description="The practice's organisation id, as on its tokens (vouched for by the "
        "topic's write ACL)",
    )
    patient: InboundPatient
    prescribed_to: PrescribedTo = PrescribedTo.SOCIAAL_MAKELAAR
    observations: list[Observation] = Field(default_factory=list)
    consent_to_contact: bool = Field(
        description="The patient agreed to be contacted; a prescription without it is refused"
    )
    note: str | None = Field(default=None, max_length=2000)


INBOUND_PAYLOADS: tuple[type[EventPayload], ...] = (GpReferralSubmitted,)
