"""What the CloudEvents reader says about a record it cannot read: the words that end up in a
dead letter's ``dlq-error`` header, where an operator reads why a record was set aside."""

from __future__ import annotations

import pytest

from schakel.contracts.envelope import UnreadableEvent
from schakel.contracts.kafka_binding import (
    MAX_JSON_DEPTH,
    read_attributes,
    read_payload,
    to_record,
)
from tests.integration.rig import event_for

HEADERS = dict(to_record(event_for("ref-reader"))[2])


def without(*names: str) -> dict[str, bytes]:
    return {k: v for k, v in HEADERS.items() if k not in names}


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (without("ce_id", "ce_time"), "missing CloudEvents header(s): ce_id, ce_time"),
        ({**HEADERS, "ce_specversion": b"0.3"}, "unsupported CloudEvents specversion '0.3'"),
        (
            {**HEADERS, "ce_time": b"gisteren"},
            "invalid CloudEvents attributes: ce_time: Invalid isoformat string: 'gisteren'",
        ),
        ({**HEADERS, "ce_id": b"\xff"}, "header 'ce_id' is not UTF-8"),
    ],
    ids=["missing", "specversion", "time", "encoding"],
)
def test_unreadable_attributes_are_named_exactly(headers: dict[str, bytes], reason: str) -> None:
    with pytest.raises(UnreadableEvent) as refused:
        read_attributes(headers)
    assert str(refused.value) == reason


def test_headers_read_as_a_mapping_or_pairs_and_as_text_or_bytes() -> None:
    as_pairs = read_attributes(list(HEADERS.items()))
    as_text = read_attributes({k: v.decode() for k, v in HEADERS.items()})
    assert as_pairs == as_text == read_attributes(HEADERS)
    assert as_text.subject == "ref-reader" and as_text.causationid is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "record has no value"),
        (b"[1, 2]", "value is not a JSON object"),
        (b"{" * (MAX_JSON_DEPTH + 1), f"value is nested deeper than {MAX_JSON_DEPTH} levels"),
        (b'{"a": ' + b"x" * 300, "value is not JSON: Expecting value: line 1 column 7 (char 6)"),
    ],
    ids=["none", "array", "deep", "not json"],
)
def test_an_unreadable_value_is_named_exactly(value: bytes | None, reason: str) -> None:
    with pytest.raises(UnreadableEvent) as refused:
        read_payload(value)
    assert str(refused.value) == reason


def test_json_exactly_as_deep_as_allowed_is_read() -> None:
    deep = b'{"a": ' * (MAX_JSON_DEPTH - 1) + b"{}" + b"}" * (MAX_JSON_DEPTH - 1)
    assert isinstance(read_payload(deep), dict)
    brackets_in_text = b'{"a": "' + b"[" * (MAX_JSON_DEPTH + 5) + b'"}'
    with pytest.raises(UnreadableEvent, match="nested deeper"):  # an upper bound, on purpose
        read_payload(brackets_in_text)
    shallow_but_many = b'{"a": [' + b"[], " * (MAX_JSON_DEPTH + 5) + b"[]]}"
    assert len(read_payload(shallow_but_many)["a"]) == MAX_JSON_DEPTH + 6
