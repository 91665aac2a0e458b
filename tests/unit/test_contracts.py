"""The event contract: CloudEvents binary mode on Kafka, unreadable records, compatibility."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from schakel.contracts import new_event
from schakel.contracts.compat import breaking_changes
from schakel.contracts.envelope import UnreadableEvent
from schakel.contracts.events import FeedbackRecorded, ReferralReceived, ReferralTriaged, Signaler
from schakel.contracts.export import check
from schakel.contracts.kafka_binding import from_record, read_raw, to_record
from schakel.contracts.lifecycle import (
    LIFECYCLE_PAYLOADS,
    Actor,
    LifecycleEvent,
    PutOnHold,
    ReferralRegraded,
)
from schakel.contracts.registry import REGISTRY
from schakel.contracts.topics import FOLLOWUP_EVENTS, REFERRAL_EVENTS_TOPIC
from schakel.contracts.vocabulary import (
    ActorRole,
    Channel,
    Grade,
    HoldReason,
    RiskGroup,
    Route,
    SignalerRole,
    SignalerStage,
    TaskStatus,
    Urgency,
)
from tests import payloads

ROOT = Path(__file__).resolve().parents[2]


def received() -> ReferralReceived:
    return ReferralReceived(
        referral_id="ref-1",
        channel=Channel.WEBFORMULIER,
        signaler=Signaler(role=SignalerRole.FIETSKOERIER, organisation="fietskoerier-utrecht"),
        person_pseudonym="ps-" + "0" * 32,
        postcode_area="3562",
        received_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
    )


def test_event_travels_as_cloudevents_binary_mode() -> None:
    event = new_event(received(), source="/schakel/intake", subject="ref-1")
    key, value, headers = to_record(event)
    named = dict(headers)
    assert key == b"ref-1"
    assert named["ce_type"] == b"nl.schakel.referral.received.v2"
    assert named["ce_subject"] == b"ref-1"
    assert named["ce_correlationid"] == event.id.encode()
    assert json.loads(value)["signaler"]["role"] == "fietskoerier"
    assert from_record(headers, value) == event


def test_caused_event_inherits_correlation_and_names_its_cause() -> None:
    cause = new_event(
        received(), source="/schakel/intake", subject="ref-1", correlation_id="corr-42"
    )
    triaged = payloads.triaged("ref-1", urgency=Urgency.DIRECT, route=Route.BUURTTEAM)
    effect = new_event(triaged, source="/schakel/triage", subject="ref-1", cause=cause)
    assert effect.correlationid == "corr-42"
    assert effect.causationid == cause.id


@pytest.mark.parametrize(
    ("headers", "value", "reason"),
    [
        ([], b"{}", "missing CloudEvents header"),
        ("ce_type=nl.schakel.referral.received.v9", b"{}", "unknown event type"),
        ("ce_type=referral-received", b"{}", "is not of the form"),
        ("", b"not json", "value is not JSON"),
        ("", b"[1, 2]", "not a JSON object"),
        ("", b'{"referral_id": "ref-1"}', "payload invalid: channel: Field required"),
    ],
)
def test_unreadable_record_says_why(headers: Any, value: bytes, reason: str) -> None:
    good = dict(to_record(new_event(received(), source="/s", subject="ref-1"))[2])
    if isinstance(headers, str):
        if headers:
            name, _, text = headers.partition("=")
            good[name] = text.encode()
        headers = list(good.items())
    with pytest.raises(UnreadableEvent, match=reason):
        from_record(headers, value)


def test_a_record_of_a_newer_version_is_readable_as_written_only() -> None:
    """What the audit needs to keep history whole while a newer producer is deployed first."""
    _, _, headers = to_record(new_event(received(), source="/s", subject="ref-1"))
    newer = [(n, b"nl.schakel.referral.received.v9" if n == "ce_type" else v) for n, v in headers]
    value = b'{"referral_id": "ref-1", "new_field": 1}'
    with pytest.raises(UnreadableEvent, match="unknown event type"):
        from_record(newer, value)
    raw = read_raw(newer, value)
    assert (raw.type, raw.subject, raw.data["new_field"]) == (
        "nl.schakel.referral.received.v9",
        "ref-1",
        1,
    )
    foreign = [(n, b"com.example.order.v1" if n == "ce_type" else v) for n, v in headers]
    with pytest.raises(UnreadableEvent, match="is not of the form"):
        read_raw(foreign, value)


OLD: dict[str, Any] = {
    "type": "object",
    "required": ["a", "grade"],
    "properties": {
        "a": {"type": "string"},
        "grade": {"enum": ["preventie", "ernstig"], "type": "string"},
        "n": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
    },
}


def _with(**changes: Any) -> dict[str, Any]:
    new: dict[str, Any] = json.loads(json.dumps(OLD))
    for path, value in changes.items():
        target = new
        *parents, last = path.split("__")
        for p in parents:
            target = target[p]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return new


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_with(required=["a", "grade", "n"]), "n: newly required"),
        (_with(properties__a=None), "a: field removed"),
        (_with(properties__grade={"enum": ["ernstig"], "type": "string"}), "enum values removed"),
        (_with(properties__a={"type": "integer"}), "type string no longer accepted"),
        (_with(properties__n={"type": "integer"}), "no branch of the new schema reads"),
        (_with(properties__a={"type": "string", "maxLength": 3}), "maxLength lowered"),
    ],
)
def test_incompatible_changes_are_caught(change: dict[str, Any], problem: str) -> None:
    assert any(problem in p for p in breaking_changes(OLD, change)), breaking_changes(OLD, change)


@pytest.mark.parametrize(
    "change",
    [
        _with(properties__extra={"type": "string"}),
        _with(
            properties__grade={
                "enum": ["preventie", "ernstig", "licht_tot_matig"],
                "type": "string",
            }
        ),
        _with(required=["a"]),
        _with(properties__n={"anyOf": [{"type": "number"}, {"type": "null"}]}),
    ],
)
def test_compatible_changes_pass(change: dict[str, Any]) -> None:
    assert breaking_changes(OLD, change) == []


def test_published_schemas_are_current_and_compatible() -> None:
    """Fails when a model changed without `make schemas`, or changed incompatibly."""
    assert check(ROOT / "schemas") == []


def test_a_breaking_model_change_is_refused(tmp_path: Path) -> None:
    published = json.loads(
        (ROOT / "schemas/events/nl.schakel.referral.triaged.v1.json").read_text()
    )
    published["required"] = [r for r in published["required"] if r != "urgency"]
    published["properties"]["urgency"] = {"type": "string"}  # once any string was allowed
    events = tmp_path / "events"
    events.mkdir()
    (events / "nl.schakel.referral.triaged.v1.json").write_text(json.dumps(published))
    problems = [p for p in check(tmp_path) if "triaged.v1 vs" in p]
    assert problems and "urgency" in problems[0]


def test_a_header_without_value_counts_as_absent() -> None:
    event = new_event(received(), source="/schakel/intake", subject="ref-1")
    _, value, headers = to_record(event)
    with_null: list[tuple[str, bytes | None]] = [*headers, ("ce_causationid", None)]
    assert from_record(with_null, value).causationid is None


def test_a_foreign_header_in_any_encoding_leaves_the_event_readable() -> None:
    """Tracing systems add headers of their own; only the binding's ce_* headers are read."""
    event = new_event(received(), source="/schakel/intake", subject="ref-1")
    _, value, headers = to_record(event)
    assert from_record([*headers, ("x-trace", b"\xff\xfe\x80")], value) == event
    with pytest.raises(UnreadableEvent, match="'ce_id' is not UTF-8"):
        read_raw([(n, b"\xff" if n == "ce_id" else v) for n, v in headers], value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "record has no value"),
        (b"[" * 10_000 + b"]" * 10_000, "nested deeper than 64 levels"),
        (b'{"referral_id": ' + b"9" * 5_000 + b"}", "value is not JSON"),
        (b'{"a": ' * 70 + b"1" + b"}" * 70, "nested deeper than 64 levels"),
    ],
)
def test_values_no_event_of_ours_can_have_are_unreadable(value: bytes | None, reason: str) -> None:
    _, _, headers = to_record(new_event(received(), source="/schakel/intake", subject="ref-1"))
    with pytest.raises(UnreadableEvent, match=reason):
        read_raw(headers, value)


def test_triaged_v1_reads_as_v2_without_inventing_what_v1_did_not_say() -> None:
    """The upcaster's mapping (schakel.contracts.upcasters.triaged_v1_to_v2), edge by edge."""
    v1 = {
        "referral_id": "ref-1",
        "grade": "licht_tot_matig",
        "kinds": ["emotioneel"],
        "urgency": "routine",
        "risk_groups": ["mantelzorgers", "written-by-hand"],
        "district": "zuid",
        "owner_organisation": "wijkteam-zuid",
        "reasons": ["licht_tot_matig: low mood", ""],
        "rule_set_version": "2026.11-1",
    }
    newest, payload = REGISTRY.read("nl.schakel.referral.triaged.v1", v1)
    assert newest == "nl.schakel.referral.triaged.v2"
    assert isinstance(payload, ReferralTriaged)
    assert payload.grade is Grade.LICHT_TOT_MATIG and payload.grade_provisional
    # An owner whose kind cannot be told from its id is for the coordination point to assign.
    assert payload.route is Route.COORDINATIEPUNT
    assert (payload.owner_organisation, payload.owner_name) == ("wijkteam-zuid", "wijkteam-zuid")
    assert payload.risk_groups == [RiskGroup.MANTELZORGERS]
    assert [(r.rule_id, r.reason) for r in payload.rules_fired] == [
        (None, "licht_tot_matig: low mood")
    ]
    assert payload.consent_to_contact is False and payload.assign_within_hours is None


def test_feedback_recorded_v1_reads_as_v2_without_the_owner_id() -> None:
    """A proposal or waitlist was news for the owner: v2 calls every v1 status after
    triage "passed on", and never carries the owner's id."""
    for status, stage in (
        ("ontvangen", SignalerStage.ONTVANGEN),
        ("in_behandeling", SignalerStage.DOORGEZET),
        ("hulp_voorgesteld", SignalerStage.DOORGEZET),
        ("wachtlijst", SignalerStage.DOORGEZET),
    ):
        v1 = {
            "referral_id": "ref-1",
            "signaler_status": status,
            "owner_organisation": "buurtteam-overvecht",
            "caused_by_type": "nl.schakel.referral.triaged.v1",
        }
        newest, payload = REGISTRY.read("nl.schakel.referral.feedback-recorded.v1", v1)
        assert newest == "nl.schakel.referral.feedback-recorded.v2"
        assert isinstance(payload, FeedbackRecorded)
        assert payload.stage is stage and payload.outcome is None
        assert "buurtteam" not in payload.model_dump_json()


REGRADED = ReferralRegraded.event_name
ACTOR = Actor(organisation="sociaal-makelaars-overvecht", role=ActorRole.SOCIAAL_MAKELAAR)


@pytest.mark.parametrize(
    "status",
    [TaskStatus.REJECTED, TaskStatus.CANCELLED, TaskStatus.ON_HOLD, TaskStatus.FAILED],
)
def test_a_lifecycle_event_in_a_status_fhir_explains_needs_a_reason(status: TaskStatus) -> None:
    with pytest.raises(ValidationError, match="needs a status_reason"):
        PutOnHold(
            referral_id="ref-1",
            actor=ACTOR,
            status=status,
            owner_organisation="sociaal-makelaars-overvecht",
            occurred_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
            reason=HoldReason.OPNAME,
        )


def test_every_followup_event_type_has_a_model_and_is_in_the_topic_plan() -> None:
    for event_type in FOLLOWUP_EVENTS:
        model = REGISTRY.model(event_type)
        assert issubclass(model, LifecycleEvent), event_type
        assert event_type in REFERRAL_EVENTS_TOPIC.event_types
    assert [m.event_type() for m in LIFECYCLE_PAYLOADS if m.event_name != REGRADED] == list(
        FOLLOWUP_EVENTS
    )
