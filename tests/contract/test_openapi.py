"""The HTTP APIs' OpenAPI documents, checked by openapi-spec-validator: each service's own and
the gateway's public one, as their apps serve them (in-process here; the gateway's again from
the running stack in tests/e2e/test_published_contracts.py)."""

from __future__ import annotations

import copy
import importlib
from typing import Any

import httpx
import pytest

from schakel.gateway.app import build as build_gateway
from tests.contract.validators import openapi_problems

SERVICES = ("intake", "triage", "matching", "feedback", "audit")


def service_document(service: str) -> dict[str, Any]:
    """The document the service serves at /openapi.json, through its app's public interface."""
    app = importlib.import_module(f"schakel.{service}.app").build()
    document: dict[str, Any] = app.openapi()
    return document


@pytest.mark.parametrize("service", SERVICES)
def test_each_services_openapi_document_is_valid(service: str) -> None:
    document = service_document(service)
    assert document["paths"], f"{service} documents no path"
    assert openapi_problems(document) == []


async def test_the_gateways_public_document_is_valid() -> None:
    transport = httpx.ASGITransport(app=build_gateway())
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        answer = await client.get("/openapi.json")
    assert answer.status_code == 200, answer.text
    document = answer.json()
    for service in SERVICES:  # every service has a public route in it
        assert any(service in str(item) for item in document["paths"].values()), service
    assert openapi_problems(document) == []


def test_the_validator_reports_a_deliberately_broken_copy() -> None:
    document = copy.deepcopy(service_document("feedback"))
    operation = next(iter(next(iter(document["paths"].values())).values()))
    for response in operation["responses"].values():
        del response["description"]  # required by OpenAPI 3.1
    del document["info"]["title"]

    problems = openapi_problems(document)

    assert any("'description' is a required property" in p for p in problems), problems
    assert any(p.startswith("info") and "'title'" in p for p in problems), problems


def test_a_reference_to_nowhere_is_reported() -> None:
    document = copy.deepcopy(service_document("feedback"))
    operation = next(iter(next(iter(document["paths"].values())).values()))
    status = next(iter(operation["responses"]))
    operation["responses"][status]["content"] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/Nowhere"}}
    }
    assert any("Nowhere" in p for p in openapi_problems(document))
