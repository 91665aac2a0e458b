"""The events page (``GET /asyncapi``): the topics and messages of the AsyncAPI document, as a
readable table. The document itself is served as ``/asyncapi.json``."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter, Request, Response

from schakel.contracts.asyncapi import asyncapi_document
from schakel.gateway.pages.base import context, render
from schakel.gateway.pages.texts import language

router = APIRouter(include_in_schema=False)


@router.get("/asyncapi")
async def asyncapi_page(request: Request) -> Response:
    lang = language(request.query_params.get("lang"))
    channels, messages = event_overview()
    values = context(request, lang, channels=channels, messages=messages)
    return render(request, "asyncapi.html", values)


@cache
def cached_asyncapi() -> dict[str, Any]:
    """The document is generated from code and never changes while the process runs."""
    return asyncapi_document()


def event_overview() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    document = cached_asyncapi()
    schemas = document["components"]["schemas"]
    channels = [
        {
            "address": c["address"],
            "description": c.get("description", ""),
            "messages": [ref["$ref"].rsplit("/", 1)[-1] for ref in c.get("messages", {}).values()],
        }
        for c in document["channels"].values()
    ]
    messages = [
        {
            "id": key,
            "name": m["name"],
            "summary": m.get("summary", ""),
            "fields": _fields(schemas, m["payload"]["$ref"].rsplit("/", 1)[-1]),
        }
        for key, m in document["components"]["messages"].items()
    ]
    return channels, messages


def _fields(schemas: dict[str, Any], model: str) -> list[dict[str, Any]]:
    schema = schemas.get(model, {})
    required = set(schema.get("required", []))
    return [
        {"name": name, "type": _type_of(prop), "required": name in required}
        for name, prop in schema.get("properties", {}).items()
    ]


def _type_of(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_of(option) for option in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list[{_type_of(schema.get('items', {}))}]"
    return str(schema.get("format") or schema.get("type") or "any")
