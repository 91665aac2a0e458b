"""Which schema changes would leave a published event unreadable, each named with where it is:
what a contributor reads when ``make schemas`` refuses a model change."""

from __future__ import annotations

from typing import Any

import pytest

from schakel.contracts.compat import breaking_changes

Schema = dict[str, Any]


def field(schema: Schema) -> Schema:
    return {"type": "object", "properties": {"f": schema}}


@pytest.mark.parametrize(
    ("old", "new", "problems"),
    [
        (
            {"type": "string"},
            {"type": "integer"},
            ["$.f: type string no longer accepted (now ['integer'])"],
        ),
        ({"type": "integer"}, {"type": "number"}, []),
        (
            {"type": "number"},
            {"type": "integer"},
            ["$.f: type number no longer accepted (now ['integer'])"],
        ),
        ({}, {"type": "string"}, ["$.f: type any no longer accepted (now ['string'])"]),
        ({"type": "string"}, {}, []),
        (
            {"type": ["string", "null"]},
            {"type": "string"},
            ["$.f: type null no longer accepted (now ['string'])"],
        ),
        ({"type": "string"}, {"type": ["string", "null"]}, []),
        ({"enum": ["a", "b"]}, {"enum": ["a"]}, ["$.f: enum values removed"]),
        ({"enum": ["a"]}, {"enum": ["a", "b"]}, []),
        ({"type": "string"}, {"type": "string", "enum": ["a"]}, ["$.f: enum values removed"]),
        ({"const": "a"}, {"const": "b"}, ["$.f: constant changed"]),
        ({"const": "a"}, {"const": "a"}, []),
        ({}, {"const": "a"}, ["$.f: constant changed"]),
        ({"pattern": "^a$"}, {"pattern": "^b$"}, ["$.f: pattern changed"]),
        ({"pattern": "^a$"}, {}, []),
        ({"format": "date"}, {"format": "date-time"}, ["$.f: format changed"]),
        ({"format": "date"}, {"format": "date"}, []),
        ({"minLength": 1}, {"minLength": 2}, ["$.f: minLength raised"]),
        ({"minLength": 2}, {"minLength": 1}, []),
        ({}, {"minimum": 0}, ["$.f: minimum raised"]),
        ({}, {"exclusiveMinimum": 0}, ["$.f: exclusiveMinimum raised"]),
        ({"minItems": 1}, {"minItems": 1}, []),
        ({"maxLength": 5}, {"maxLength": 4}, ["$.f: maxLength lowered"]),
        ({"maxLength": 4}, {"maxLength": 5}, []),
        ({}, {"maximum": 9}, ["$.f: maximum lowered"]),
        ({}, {"exclusiveMaximum": 9}, ["$.f: exclusiveMaximum lowered"]),
        ({"maxItems": 3}, {"maxItems": 3}, []),
        (
            {"type": "array", "items": {"type": "string"}},
            {"type": "array", "items": {"type": "integer"}},
            ["$.f[]: type string no longer accepted (now ['integer'])"],
        ),
        (
            {"type": "object", "properties": {"g": {"type": "string"}}},
            {"type": "object", "properties": {}, "required": ["h"]},
            ["$.f.h: newly required", "$.f.g: field removed"],
        ),
        (
            {"type": "object"},
            {"type": "object", "additionalProperties": False},
            ["$.f: additional properties now forbidden"],
        ),
        (
            {"type": "object", "additionalProperties": False},
            {"type": "object", "additionalProperties": False},
            [],
        ),
    ],
)
def test_each_change_that_would_leave_an_event_unreadable_is_named(
    old: Schema, new: Schema, problems: list[str]
) -> None:
    assert breaking_changes(field(old), field(new)) == problems


def test_references_are_followed_on_both_sides() -> None:
    old = {
        "type": "object",
        "properties": {"s": {"$ref": "#/$defs/Signaler"}},
        "$defs": {"Signaler": {"$ref": "#/$defs/Inner"}, "Inner": field({"type": "string"})},
    }
    new = {
        "type": "object",
        "properties": {"s": {"$ref": "#/$defs/S2"}},
        "$defs": {"S2": field({"type": "integer"})},
    }
    assert breaking_changes(old, new) == ["$.s.f: type string no longer accepted (now ['integer'])"]
    assert breaking_changes(old, old) == []


def test_a_branch_no_new_branch_reads_is_shown_short() -> None:
    long_enum = {"enum": [f"value-{n}" for n in range(20)], "description": "not shown"}
    old = field({"anyOf": [long_enum, {"type": "null", "title": "Nothing"}]})
    new = field({"anyOf": [{"enum": ["value-0"]}, {"type": "integer"}]})
    [long, short] = breaking_changes(old, new)
    assert long.startswith("$.f: no branch of the new schema reads {'enum': ['value-0', ")
    assert long.endswith("...") and len(long) == len("$.f: no branch of the new schema reads ") + 80
    assert short == "$.f: no branch of the new schema reads {'type': 'null'}"
    assert breaking_changes(old, field({"oneOf": [long_enum, {"type": "null"}]})) == []
