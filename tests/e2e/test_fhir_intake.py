"""A GP practice's FHIR ServiceRequest through the gateway of the running stack: the Task
intake answers with is the Task feedback then serves, which the pipeline moves on."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.contract.validators import fhir_problems
from tests.e2e.conftest import eventually, login
from tests.integration.test_intake_fhir import bundle, service_request

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("path", "resource"),
    [("/api/v1/fhir/ServiceRequest", service_request), ("/api/v1/fhir", bundle)],
)
def test_a_fhir_prescription_is_followed_through_its_task(
    gateway: httpx.Client, path: str, resource: Any
) -> None:
    gp = {**login(gateway, "huisarts"), "Content-Type": "application/fhir+json"}
    sent = gateway.post(path, json=resource(), headers=gp)
    assert sent.status_code == 201, sent.text
    answered = sent.json()
    assert fhir_problems(answered) == []

    def served() -> dict[str, Any] | None:
        found = gateway.get(sent.headers["location"], headers=gp)
        task: dict[str, Any] = found.json()
        return task if found.status_code == 200 and "owner" in task else None

    task = eventually(served, within=60, what="feedback's Task with an owner")
    assert fhir_problems(task) == []
    assert (task["id"], task["basedOn"], task["requester"]) == (
        answered["id"],
        answered["basedOn"],
        answered["requester"],
    )
    # The exercise broker the prescription named owns it (triage's route for beweegmakelaar).
    assert "beweeg" in task["owner"]["identifier"]["value"]
    other_gp = login(gateway, "huisarts-zuilen")
    assert gateway.get(sent.headers["location"], headers=other_gp).status_code == 404
