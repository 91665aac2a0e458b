"""An AsyncAPI 3.1 document of every topic, generated from the topic plan and the payload models.

Every topic of the plan (``ALL_TOPICS``) becomes a channel with its Kafka binding (binding
0.5.0: typed topic configuration), every party that writes or reads it an operation. The
document is published as ``schemas/asyncapi.json`` and served by the gateway; the AsyncAPI CLI
validates it in the contract tests.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic.json_schema import models_json_schema

from schakel.contracts.envelope import EventPayload
from schakel.contracts.registry import REGISTRY
from schakel.contracts.topics import (
    ALL_TOPICS,
    CONSUMED_BY,
    CONSUMERS,
    DLQ_HEADERS,
    DLQ_PREFIX,
    PRODUCED_BY,
    REFERRAL_EVENTS,
    TopicSpec,
    consumer_group,
)

ASYNCAPI_VERSION = "3.1.0"
KAFKA_BINDING_VERSION = "0.5.0"
REDRIVEN_FROM = "redriven-from"
DEAD_LETTER_MESSAGE = "dead_letter"

_REF = "#/components/schemas/{model}"
_INTEGER = re.compile(r"^-?[0-9]+$")
# Topic configs that Kafka takes as a comma-separated list (the binding wants an array).
_LIST_CONFIGS = frozenset({"cleanup.policy"})

CE_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes, Kafka binary content mode (header values are "
    "UTF-8 text)",
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_subject",
        "ce_time",
        "ce_correlationid",
    ],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {
            "type": "string",
            "minLength": 1,
            "description": "Unique event id; consumers deduplicate on it",
        },
        "ce_source": {"type": "string", "minLength": 1, "description": "/schakel/<service>"},
        "ce_type": {
            "type": "string",
            "pattern": r"^nl\.schakel\.[a-z0-9.-]+\.v[1-9][0-9]*$",
            "description": "Event type with version",
        },
        "ce_subject": {
            "type": "string",
            "minLength": 1,
            "description": "Referral id, equal to the record key",
        },
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_correlationid": {
            "type": "string",
            "minLength": 1,
            "description": "Shared by all events of one signal",
        },
        "ce_causationid": {"type": "string", "description": "Id of the causing event"},
        "content-type": {"type": "string", "const": "application/json"},
        REDRIVEN_FROM: {
            "type": "string",
            "description": "Only on a record an operator redrove from a dead-letter topic: "
            "<dead-letter topic>/<partition>/<offset> it was taken from",
        },
    },
}

_DLQ_HEADER_SCHEMAS: dict[str, dict[str, Any]] = {
    "dlq-reason": {
        "type": "string",
        "enum": ["unreadable", "handler-failed"],
        "description": "unreadable: no CloudEvents envelope, unknown version, invalid JSON or "
        "payload; handler-failed: the handler failed three times",
    },
    "dlq-error": {"type": "string", "description": "The error, at most 2,000 characters"},
    "dlq-origin-topic": {"type": "string", "description": "Topic the record came from"},
    "dlq-origin-partition": {
        "type": "string",
        "pattern": "^[0-9]+$",
        "description": "Its partition",
    },
    "dlq-origin-offset": {"type": "string", "pattern": "^[0-9]+$", "description": "Its offset"},
    "dlq-consumer-group": {
        "type": "string",
        "pattern": "^schakel-[a-z]+$",
        "description": "The consumer group that gave up, e.g. schakel-matching",
    },
    "dlq-failed-at": {
        "type": "string",
        "format": "date-time",
        "description": "When (ISO 8601, UTC)",
    },
}
if set(_DLQ_HEADER_SCHEMAS) != set(DLQ_HEADERS):  # the topic plan names them; describe each
    raise RuntimeError("the AsyncAPI dead-letter headers differ from topics.DLQ_HEADERS")

DEAD_LETTER_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "The original record's headers, unchanged (the ce_* attributes when it had "
    "them), plus the dlq-* headers that say why and where it failed",
    "required": list(DLQ_HEADERS),
    "properties": {name: _DLQ_HEADER_SCHEMAS[name] for name in DLQ_HEADERS},
}
DEAD_LETTER_VALUE: dict[str, Any] = {
    "description": "The original record's value, byte for byte: usually the JSON payload of a "
    "schakel event, but whatever could not be read is kept as it came",
}


def _message_id(event_type: str) -> str:
    return event_type.removeprefix("nl.schakel.").replace(".", "_").replace("-", "_")


def channel_id(topic: TopicSpec) -> str:
    return topic.name.removeprefix("schakel.").replace(".", "_").replace("-", "_")


def _is_dead_letter_topic(topic: TopicSpec) -> bool:
    return topic.name.startswith(DLQ_PREFIX)


def topic_configuration(config: dict[str, str]) -> dict[str, Any]:
    """The plan's topic configs (strings, as Kafka's admin API takes them) typed as the Kafka
    channel binding wants them: lists as arrays, numbers as integers."""
    typed: dict[str, Any] = {}
    for name, value in config.items():
        if name in _LIST_CONFIGS:
            typed[name] = [part.strip() for part in value.split(",") if part.strip()]
        elif _INTEGER.match(value):
            typed[name] = int(value)
        elif value in ("true", "false"):
            typed[name] = value == "true"
        else:
            typed[name] = value
    return typed


def _channel_messages(topic: TopicSpec) -> list[str]:
    if _is_dead_letter_topic(topic):
        return [DEAD_LETTER_MESSAGE]
    return [_message_id(t) for t in topic.event_types]


def _channel(topic: TopicSpec) -> dict[str, Any]:
    return {
        "address": topic.name,
        "description": f"{topic.purpose} Key: {topic.key}.",
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in _channel_messages(topic)},
        "bindings": {
            "kafka": {
                "partitions": topic.partitions,
                "topicConfiguration": topic_configuration(topic.config),
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _message_refs(topic: TopicSpec, messages: list[str]) -> list[dict[str, str]]:
    return [{"$ref": f"#/channels/{channel_id(topic)}/messages/{m}"} for m in messages]


def _summary(party: str, action: str, topic: TopicSpec) -> str:
    if topic.name == REFERRAL_EVENTS:
        if action == "send":
            return f"{party} publishes its events (through its transactional outbox)"
        return f"{party} consumes the events it acts on and passes the others by"
    if _is_dead_letter_topic(topic):
        if action == "send":
            return f"{party} dead-letters a record it cannot read or handle, with dlq-* headers"
        return f"{party} inspect the dead letters; `make redrive` puts them back after a fix"
    return f"{party} {'writes to' if action == 'send' else 'reads'} {topic.name}"


def _operation(party: str, action: str, topic: TopicSpec) -> dict[str, Any]:
    messages = _channel_messages(topic)
    if topic.name == REFERRAL_EVENTS and party in PRODUCED_BY and action == "send":
        messages = [_message_id(t) for t in PRODUCED_BY[party]]
    elif topic.name == REFERRAL_EVENTS and party in CONSUMED_BY and action == "receive":
        messages = [_message_id(t) for t in CONSUMED_BY[party]]
    operation: dict[str, Any] = {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel_id(topic)}"},
        "summary": _summary(party, action, topic),
        "messages": _message_refs(topic, messages),
    }
    if action == "receive" and party in CONSUMERS:
        group = consumer_group(party)
        operation["bindings"] = {
            "kafka": {
                "groupId": {"type": "string", "enum": [group]},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        }
    return operation


def _operations() -> dict[str, Any]:
    """Who writes and who reads each topic of the plan, as its producers and consumers say."""
    ops: dict[str, Any] = {}
    for topic in ALL_TOPICS:
        for action, parties in (("send", topic.producers), ("receive", topic.consumers)):
            for party in parties:
                ops[f"{party}_{action}_{channel_id(topic)}"] = _operation(party, action, topic)
    referral_events = next(t for t in ALL_TOPICS if t.name == REFERRAL_EVENTS)
    ops[f"operators_redrive_{channel_id(referral_events)}"] = {
        "action": "send",
        "channel": {"$ref": f"#/channels/{channel_id(referral_events)}"},
        "summary": "operators redrive dead letters after a fix (`make redrive`)",
        "description": "Each dead event not applied since is put back on its origin topic once, "
        f"with its original key, value and headers plus a `{REDRIVEN_FROM}` header.",
        "messages": _message_refs(referral_events, _channel_messages(referral_events)),
    }
    return ops


def _subject(model: type[EventPayload]) -> str:
    """What an event is about: a helper for the registries' events, else a referral."""
    return "helper id" if model.event_name.startswith("nl.schakel.helper.") else "referral id"


def _event_message(model: type[EventPayload]) -> dict[str, Any]:
    return {
        "name": model.event_type(),
        "title": model.__name__,
        "summary": (model.__doc__ or "").strip().split("\n")[0],
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/CloudEventsHeaders"},
        "payload": {"$ref": _REF.format(model=model.__name__)},
        "correlationId": {
            "description": "Shared by every event that one signal caused",
            "location": "$message.header#/ce_correlationid",
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"{_subject(model)} (= ce_subject)"},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _dead_letter_message() -> dict[str, Any]:
    return {
        "name": "dead-letter",
        "title": "DeadLetter",
        "summary": "A record a consumer set aside, with the reason and its origin in headers.",
        "contentType": "application/octet-stream",
        "headers": {"$ref": "#/components/schemas/DeadLetterHeaders"},
        "payload": {"$ref": "#/components/schemas/DeadLetterValue"},
        "bindings": {
            "kafka": {
                "key": {"description": "the original record's key, unchanged"},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def asyncapi_document(version: str = "0.1.0") -> dict[str, Any]:
    models: list[type[EventPayload]] = [REGISTRY.model(t) for t in REGISTRY.event_types]
    _, schemas = models_json_schema([(m, "validation") for m in models], ref_template=_REF)
    messages = {_message_id(m.event_type()): _event_message(m) for m in models}
    if any(_is_dead_letter_topic(t) for t in ALL_TOPICS):
        messages[DEAD_LETTER_MESSAGE] = _dead_letter_message()
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "schakel events",
            "version": version,
            "description": "Versioned CloudEvents exchanged by intake, triage, matching, "
            "followup, feedback and audit, the referrer updates for GP systems, and the "
            "dead-letter topics of the consumers. Older versions are read through upcasters.",
            "license": {"name": "EUPL-1.2"},
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {"host": "127.0.0.1:9092", "protocol": "kafka", "description": "make run"}
        },
        "channels": {channel_id(t): _channel(t) for t in ALL_TOPICS},
        "operations": _operations(),
        "components": {
            "messages": messages,
            "schemas": {
                **schemas.get("$defs", {}),
                "CloudEventsHeaders": CE_HEADERS,
                "DeadLetterHeaders": DEAD_LETTER_HEADERS,
                "DeadLetterValue": DEAD_LETTER_VALUE,
            },
        },
    }
