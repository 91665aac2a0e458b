"""An AsyncAPI 3.0 document of every topic, generated from the topic plan and the payload models."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from schakel.contracts.envelope import EventPayload
from schakel.contracts.registry import REGISTRY
from schakel.contracts.topics import (
    ALL_TOPICS,
    CONSUMED_BY,
    PRODUCED_BY,
    REFERRAL_EVENTS_TOPIC,
    TopicSpec,
    dead_letter_topic,
)

_REF = "#/components/schemas/{model}"
CE_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes, Kafka binary content mode",
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
        "ce_id": {"type": "string", "description": "Unique event id; consumers deduplicate on it"},
        "ce_source": {"type": "string", "description": "/schakel/<service>"},
        "ce_type": {"type": "string", "description": "Event type with version"},
        "ce_subject": {"type": "string", "description": "Referral id, equal to the record key"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_correlationid": {"type": "string", "description": "Shared by all events of one signal"},
        "ce_causationid": {"type": "string", "description": "Id of the causing event"},
        "content-type": {"type": "string", "const": "application/json"},
    },
}


def _message_id(event_type: str) -> str:
    return event_type.removeprefix("nl.schakel.").replace(".", "_").replace("-", "_")


def _channel_id(topic: TopicSpec) -> str:
    return topic.name.removeprefix("schakel.").replace(".", "_").replace("-", "_")


def _channel(topic: TopicSpec) -> dict[str, Any]:
    messages = {
        _message_id(t): {"$ref": f"#/components/messages/{_message_id(t)}"}
        for t in topic.event_types
    }
    return {
        "address": topic.name,
        "description": f"{topic.purpose} Key: {topic.key}.",
        "messages": messages,
        "bindings": {
            "kafka": {
                "partitions": topic.partitions,
                "topicConfiguration": {k: v for k, v in topic.config.items()},
            }
        },
    }


_VERBS = {"send": "publishes (through its outbox)", "receive": "consumes"}


def _operations() -> dict[str, Any]:
    channel = {"$ref": f"#/channels/{_channel_id(REFERRAL_EVENTS_TOPIC)}"}
    ops: dict[str, Any] = {}
    for action, table in (("send", PRODUCED_BY), ("receive", CONSUMED_BY)):
        for service, types in table.items():
            ops[f"{service}_{action}"] = {
                "action": action,
                "channel": channel,
                "summary": f"{service} {_VERBS[action]}",
                "messages": [
                    {
                        "$ref": f"#/channels/{_channel_id(REFERRAL_EVENTS_TOPIC)}/messages/"
                        f"{_message_id(t)}"
                    }
                    for t in types
                ],
            }
    for topic in ALL_TOPICS:
        if topic is REFERRAL_EVENTS_TOPIC or not topic.event_types:
            continue  # the referral topic above; dead-letter topics below
        for action, parties in (("send", topic.producers), ("receive", topic.consumers)):
            for party in parties:
                ops[f"{party.replace('-', '_')}_{action}_{_channel_id(topic)}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{_channel_id(topic)}"},
                    "summary": f"{party} {_VERBS[action]} {topic.name}",
                    "messages": [
                        {"$ref": f"#/channels/{_channel_id(topic)}/messages/{_message_id(t)}"}
                        for t in topic.event_types
                    ],
                }
    for service in CONSUMED_BY:
        dlq = next(t for t in ALL_TOPICS if t.name == dead_letter_topic(service))
        ops[f"{service}_dead_letter"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{_channel_id(dlq)}"},
            "summary": f"{service} dead-letters records it cannot read, with dlq-* headers",
        }
    return ops


def asyncapi_document(version: str = "0.1.0") -> dict[str, Any]:
    models: list[type[EventPayload]] = [REGISTRY.model(t) for t in REGISTRY.event_types]
    _, schemas = models_json_schema([(m, "validation") for m in models], ref_template=_REF)
    messages = {
        _message_id(m.event_type()): {
            "name": m.event_type(),
            "title": m.__name__,
            "summary": (m.__doc__ or "").strip().split("\n")[0],
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/CloudEventsHeaders"},
            "payload": {"$ref": _REF.format(model=m.__name__)},
            "bindings": {"kafka": {"key": {"type": "string", "description": "referral id"}}},
        }
        for m in models
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "schakel events",
            "version": version,
            "description": "Versioned CloudEvents exchanged by intake, triage, matching, followup, "
            "feedback and audit, and the referrer updates for GP systems. Older versions are "
            "read through upcasters.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {"host": "127.0.0.1:9092", "protocol": "kafka", "description": "make run"}
        },
        "channels": {_channel_id(t): _channel(t) for t in ALL_TOPICS},
        "operations": _operations(),
        "components": {
            "messages": messages,
            "schemas": {**schemas.get("$defs", {}), "CloudEventsHeaders": CE_HEADERS},
        },
    }
