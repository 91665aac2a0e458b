"""GP prescriptions from the inbound Kafka topic (``schakel.gp-referrals.inbound``): each is
accepted as ``POST /api/v1/referrals`` accepts one (same rules, vault and events), once per
GP message id (the CloudEvent id, which must be unique: a UUID). What breaks intake's rules
raises ``Refused`` (fields and reasons only, never the values sent), so the platform consumer
dead-letters it with that reason."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.inbound import GpReferralSubmitted
from schakel.contracts.vocabulary import Channel, SignalerRole
from schakel.intake.adapters import MongoIntakeRecords
from schakel.intake.domain import Accepted, Intake
from schakel.intake.duplicates import BlindIndex
from schakel.intake.handlers import Submission, accept_in
from schakel.intake.schemas import ReferralIn
from schakel.intake.vault import Sealer
from schakel.platform.consumer import Handler
from schakel.platform.logging import get_logger
from schakel.platform.mongo import Transaction

log = get_logger(__name__)


class Refused(ValueError):
    """The message breaks intake's rules; its text names fields and reasons only."""


def _referral(event: GpReferralSubmitted) -> ReferralIn:
    body = event.model_dump(mode="json", exclude={"gp_practice"})
    body["patient"] = {k: v for k, v in body["patient"].items() if v is not None}
    try:
        return ReferralIn.model_validate(body)
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
            for e in exc.errors(include_url=False, include_input=False)
        )
        raise Refused(reasons) from None  # the pydantic error would carry the values


def handlers(
    sealer: Callable[[], Sealer], index: Callable[[], BlindIndex] | None = None
) -> Mapping[str, Handler]:
    async def submitted(envelope: EventEnvelope[Any], tx: Transaction) -> None:
        event: GpReferralSubmitted = envelope.data
        body = _referral(event)
        intake = Intake(
            channel=Channel.WELZIJN_OP_RECEPT,
            signaler_role=SignalerRole.HUISARTS,
            signaler_organisation=event.gp_practice,
            postcode=body.patient.postcode,
            received_at=datetime.now(UTC),
            observations=tuple(body.observations),
            consent_to_contact=body.consent_to_contact,
            prescribed_to=body.prescribed_to,
        )
        # No Idempotency-Key: the consumer applies each CloudEvent id (the GP's message id)
        # once, so a message sent again makes no second referral.
        submission = Submission(
            intake,
            body.patient.model_dump(mode="json", exclude_none=True),
            body.note,
            envelope.correlationid,
        )

        def respond(accepted: Accepted) -> dict[str, Any]:
            return {"referral_id": accepted.referral_id}

        records = MongoIntakeRecords(tx)
        blind = None if index is None else index()
        answer, new = await accept_in(records, sealer(), submission, respond, blind)
        log.info("gp message handled", new=new, referral_id=answer["referral_id"])

    return {GpReferralSubmitted.event_name: submitted}
