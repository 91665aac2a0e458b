"""Records as schakel writes them, read the way a consumer outside schakel reads them: the
official CloudEvents SDK's Kafka binding, then the published schemas (`RecordChecker`). The
records of a real run are checked the same way in tests/e2e/test_published_contracts.py."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schakel.contracts import new_event
from schakel.contracts.events import ReferralReceived, Signaler
from schakel.contracts.kafka_binding import Headers, to_record
from schakel.contracts.registry import REGISTRY
from schakel.contracts.vocabulary import Channel, SignalerRole
from tests.contract.validators import ContractViolation, RecordChecker

SAMPLES = sorted((Path(__file__).parent / "samples").glob("*.json"))


def received() -> ReferralReceived:
    return ReferralReceived(
        referral_id="ref-1",
        channel=Channel.WEBFORMULIER,
        signaler=Signaler(role=SignalerRole.APOTHEKER, organisation="apotheek-overvecht"),
        person_pseudonym="ps-" + "0" * 32,
        postcode_area="3562",
        received_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
    )


def record() -> tuple[bytes, bytes, Headers]:
    cause = new_event(received(), source="/schakel/intake", subject="ref-1")
    return to_record(new_event(received(), source="/schakel/intake", subject="ref-1", cause=cause))


def test_a_record_as_schakel_writes_it_is_a_valid_cloudevent_of_its_published_type(
    record_checker: RecordChecker,
) -> None:
    key, value, headers = record()
    event = record_checker.check(headers, key, value)
    assert event.get_specversion() == "1.0"
    assert event.get_type() == "nl.schakel.referral.received.v2"
    assert event.get_subject() == "ref-1"
    assert event.get_extension("correlationid") and event.get_extension("causationid")
    assert event.get_datacontenttype() == "application/json"


def test_every_published_type_has_a_schema_the_checker_knows(
    record_checker: RecordChecker,
) -> None:
    assert record_checker.event_types == REGISTRY.event_types


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_stored_records_of_old_versions_are_valid_against_their_published_schema(
    record_checker: RecordChecker, sample: Path
) -> None:
    stored = json.loads(sample.read_text())
    headers = [(k, v.encode()) for k, v in stored["headers"].items()]
    key = stored["headers"]["ce_subject"].encode()
    event = record_checker.check(headers, key, json.dumps(stored["value"]).encode())
    # A sample is named by its type, optionally followed by what it shows (".no-signs…").
    assert sample.stem.startswith(f"{event.get_type()}.") or sample.stem == event.get_type()


def test_a_record_without_ce_specversion_is_reported(record_checker: RecordChecker) -> None:
    """The SDK alone would take it (it assumes 1.0); the published header schema does not."""
    key, value, headers = record()
    broken = [(n, v) for n, v in headers if n != "ce_specversion"]
    with pytest.raises(ContractViolation, match="'ce_specversion' is a required property"):
        record_checker.check(broken, key, value)


def test_a_payload_that_breaks_its_published_schema_is_reported(
    record_checker: RecordChecker,
) -> None:
    key, value, headers = record()
    data = json.loads(value)
    data["signaler"]["role"] = "ziener"  # not a role of the vocabulary
    del data["person_pseudonym"]
    with pytest.raises(ContractViolation) as found:
        record_checker.check(headers, key, json.dumps(data).encode())
    assert "data: signaler/role: 'ziener' is not one of" in str(found.value)
    assert "'person_pseudonym' is a required property" in str(found.value)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("ce_time", b"gisteren"), "ce_time: 'gisteren' is not a 'date-time'"),
        (("ce_type", b"nl.schakel.referral.received"), "ce_type: 'nl.schakel.referral"),
        (("ce_type", b"nl.schakel.referral.reopened.v1"), "no published schema for type"),
        (("ce_source", b""), "ce_source: '' should be non-empty"),
        (("ce_subject", b"ref-2"), "record key b'ref-1' is not the subject 'ref-2'"),
        (("content-type", b"text/plain"), "content-type: 'application/json' was expected"),
    ],
)
def test_a_record_whose_cloudevents_attributes_break_the_contract_is_reported(
    record_checker: RecordChecker, change: tuple[str, bytes], reason: str
) -> None:
    key, value, headers = record()
    name, new = change
    broken = [(n, new if n == name else v) for n, v in headers]
    with pytest.raises(ContractViolation, match=re.escape(reason)):
        record_checker.check(broken, key, value)


def test_a_value_that_is_no_json_object_is_reported(record_checker: RecordChecker) -> None:
    key, _, headers = record()
    with pytest.raises(ContractViolation, match="data is not a JSON object"):
        record_checker.check(headers, key, b"not json")
