"""Who may do what, through the public URL of the running stack: every role, anonymous and an
expired token, against every endpoint, for a referral of their own organisation, one of
another organisation and one whose anonymous signaler typed their organisation's name.

Four referrals go through the whole pipeline first:

- ``own``: a wellbeing prescription of huisartsenpraktijk-overvecht, owned after triage by
  sociaal-makelaars-overvecht (the social brokers' own);
- ``partner``: a signal apotheek-overvecht sent with its token (the partner's own);
- ``other``: a prescription of huisartsenpraktijk-zuilen, owned by buurtteam-noordwest;
- ``claimed``: an anonymous signal whose form said "huisartsenpraktijk-overvecht" (item 4 of
  the hardening issue: typed text grants nothing).

The owners' inbox and actions (followup), concerns by referral id and the referrer's FHIR
Task are in the table too; the one action tried (accept) succeeds for the owner only. So is
matching's registry of helpers, for a provider's coordinator: a helper of its own provider and
one of another provider (``registered_helpers``).

The table ``EXPECTED`` is the authorisation design; the test fails on any cell that differs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from schakel.platform.auth import Principal, Role, issue_token
from schakel_dev.stack import Stack
from tests.e2e.conftest import eventually, login
from tests.integration.test_intake_fhir import service_request

pytestmark = pytest.mark.e2e

PROVIDER = "handje-helpen"  # the provider whose coordinator keeps its helpers in matching
# Who asks: (organisation, role); None for anonymous. "expired" is a GP's token past its time.
CALLERS: dict[str, tuple[str, Role] | None] = {
    "anonymous": None,
    "expired": ("huisartsenpraktijk-overvecht", Role.HUISARTS),
    "huisarts": ("huisartsenpraktijk-overvecht", Role.HUISARTS),
    "signaleringspartner": ("apotheek-overvecht", Role.SIGNALERINGSPARTNER),
    "sociaal_makelaar": ("sociaal-makelaars-overvecht", Role.SOCIAAL_MAKELAAR),
    "gemeente": ("gemeente-utrecht", Role.GEMEENTE),
    "auditor": ("rekenkamer-utrecht", Role.AUDITOR),
    "provider_coordinator": (PROVIDER, Role.PROVIDER_COORDINATOR),
}
ROLES = tuple(CALLERS)
# Each caller's own referral; the municipality owns and sends none ("own" is one in its city).
OWN = {
    "anonymous": "own",
    "expired": "own",
    "huisarts": "own",
    "signaleringspartner": "partner",
    "sociaal_makelaar": "own",
    "gemeente": "own",
    "auditor": "own",
    "provider_coordinator": "own",
}
TARGETS = ("own", "other", "claimed")

# A referral and its timeline: for the organisation that sent or owns it, and auditors; to
# anyone else it answers like a missing one (404), so that its existence is not revealed.
SENT_OR_OWNED: dict[str, tuple[int, ...]] = {
    "own": (401, 401, 200, 200, 200, 404, 200, 404),
    "other": (401, 401, 404, 404, 404, 404, 200, 404),
    "claimed": (401, 401, 404, 404, 404, 404, 200, 404),
}
# endpoint -> {target: statuses in the order of ROLES}:
#            anonymous, expired, huisarts, partner, makelaar, gemeente, auditor,
#            provider_coordinator
EXPECTED: dict[str, dict[str, tuple[int, ...]]] = {
    # Public: anyone may report; a token that is sent must be valid. A partner's token names it.
    "POST /api/v1/signals": {"new": (202, 401, 202, 202, 202, 202, 202, 202)},
    # Public to whoever holds the receipt code: the code is the capability, tokens play no part.
    "GET /api/v1/signals/{receipt}/status": {
        "own": (200,) * 8,
        "other": (200,) * 8,
        "claimed": (200,) * 8,
    },
    "GET /ontvangen/{receipt}": {"own": (200,) * 8, "other": (200,) * 8},
    "POST /api/v1/referrals": {"new": (401, 401, 202, 403, 403, 403, 403, 403)},
    "POST /api/v1/fhir/ServiceRequest": {"new": (401, 401, 201, 403, 403, 403, 403, 403)},
    # The list holds what the caller's organisation sent or owns (checked by content below).
    "GET /api/v1/referrals": {"list": (401, 401, 200, 200, 200, 200, 200, 200)},
    "GET /api/v1/referrals/{id}": SENT_OR_OWNED,
    "GET /api/v1/referrals/{id}/timeline": SENT_OR_OWNED,
    "GET /api/v1/proposals/{id}": {
        "own": (401, 401, 403, 403, 200, 404, 200, 403),
        "other": (401, 401, 403, 403, 404, 404, 200, 403),
        "claimed": (401, 401, 403, 403, 404, 404, 200, 403),
    },
    "GET /api/v1/audit/correlations/{correlation}": {
        "own": (401, 401, 403, 403, 403, 403, 200, 403),
        "other": (401, 401, 403, 403, 403, 403, 200, 403),
    },
    "GET /api/v1/audit/verify": {"all": (401, 401, 403, 403, 403, 403, 200, 403)},
    "GET /api/v1/offers": {"all": (401, 401, 403, 403, 200, 200, 200, 403)},
    "GET /api/v1/triage/rules": {"all": (401, 401, 200, 200, 200, 200, 200, 200)},
    # followup: the owners' inbox and actions, for the owning organisation only.
    "GET /api/v1/inbox": {"list": (401, 401, 403, 403, 200, 403, 403, 403)},
    "GET /api/v1/inbox/{id}": {
        "own": (401, 401, 403, 403, 200, 403, 403, 403),
        "other": (401, 401, 403, 403, 404, 403, 403, 403),
        "claimed": (401, 401, 403, 403, 404, 403, 403, 403),
    },
    "POST /api/v1/referrals/{id}/accept": {
        "own": (401, 401, 403, 403, 200, 403, 403, 403),
        "other": (401, 401, 403, 403, 404, 403, 403, 403),
        "claimed": (401, 401, 403, 403, 404, 403, 403, 403),
    },
    # A concern by referral id: a professional of the organisation that sent it (by token,
    # never by typed name) or owns it; anyone else is told it was not found. (Helpers and
    # receipt holders report with a code, without a token.)
    "POST /api/v1/concerns": {
        "own": (404, 401, 202, 202, 202, 404, 404, 404),
        "other": (404, 401, 404, 404, 404, 404, 404, 404),
        "claimed": (404, 401, 404, 404, 404, 404, 404, 404),
    },
    # feedback: the referral as a FHIR Task, for the organisation that sent it only.
    "GET /api/v1/fhir/Task/{id}": {
        "own": (401, 401, 200, 200, 404, 404, 404, 404),
        "other": (401, 401, 404, 404, 404, 404, 404, 404),
        "claimed": (401, 401, 404, 404, 404, 404, 404, 404),
    },
    # matching's registry of helpers: the providers' coordinators only, each for its own
    # organisation's helpers; another organisation's helper answers like a missing one (404).
    # Every other role is refused (403), auditors too: a provider's volunteers are its own to
    # keep, and owners and auditors meet a helper only as the offer a proposal names.
    "GET /api/v1/helpers": {"list": (401, 401, 403, 403, 403, 403, 403, 200)},
    "POST /api/v1/helpers": {"new": (401, 401, 403, 403, 403, 403, 403, 201)},
    "PUT /api/v1/helpers/{helper}": {
        "own": (401, 401, 403, 403, 403, 403, 403, 200),
        "other": (401, 401, 403, 403, 403, 403, 403, 404),
    },
    "POST /api/v1/helpers/{helper}/stop": {
        "own": (401, 401, 403, 403, 403, 403, 403, 200),
        "other": (401, 401, 403, 403, 403, 403, 403, 404),
    },
    # Renewing a match: the coordinator of the helper's organisation only; another's helper
    # (with another's referral) answers like a missing one.
    "POST /api/v1/helpers/{helper}/matches/{id}/renew": {
        "other": (401, 401, 403, 403, 403, 403, 403, 404),
    },
}
# The helpers the matrix changes, registered by the ``registered_helpers`` fixture: ours (one
# to update, one to stop, so that the order of the cells does not matter) and another
# provider's. A partner's "own" is ours too: it is refused by role all the same.
RUN = uuid.uuid4().hex[:12]
HELPERS = {
    "own": f"authz-own-{RUN}",
    "partner": f"authz-own-{RUN}",
    "own-stop": f"authz-own-stop-{RUN}",
    "partner-stop": f"authz-own-stop-{RUN}",
    "other": f"authz-other-{RUN}",
    "other-stop": f"authz-other-{RUN}",
}
OTHER_PROVIDER = "thuisgekookt-utrecht"
# A visiting buddy with no free place: registering it proposes nobody, the matrix stays
# apart from matching's proposals.
BUDDY = {"kind": "maatje", "buddy_type": "bezoekmaatje", "postcode_area": "3563", "capacity": 0}


@dataclass(frozen=True)
class Referral:
    referral_id: str
    receipt: str
    correlation: str


def _token(stack: Stack, caller: str) -> dict[str, str]:
    found = CALLERS[caller]
    if found is None:
        return {}
    organisation, role = found
    ttl = timedelta(seconds=-5) if caller == "expired" else timedelta(hours=1)
    token = issue_token(Principal(caller, organisation, frozenset({role})), stack.auth_secret, ttl)
    return {"Authorization": f"Bearer {token}"}


def _prescription(postcode: str, observations: list[str]) -> dict[str, Any]:
    patient = {"name": "Mevrouw Matrix", "postcode": postcode}
    return {"patient": patient, "observations": observations, "consent_to_contact": True}


def _signal(postcode: str, observations: list[str], typed: str | None = None) -> dict[str, Any]:
    return {
        "signaler_role": "apotheker",
        "signaler_organisation": typed,
        "person": {"name": "Meneer Matrix", "postcode": postcode},
        "observations": observations,
        "consent_to_contact": True,
    }


@pytest.fixture(scope="module")
def referrals(gateway: httpx.Client, stack: Stack) -> dict[str, Referral]:
    gp = {**_token(stack, "huisarts")}
    other_gp = {
        "Authorization": "Bearer "
        + issue_token(
            Principal("zuilen", "huisartsenpraktijk-zuilen", frozenset({Role.HUISARTS})),
            stack.auth_secret,
        )
    }
    sends: dict[str, tuple[str, dict[str, Any], dict[str, str]]] = {
        "own": ("/api/v1/referrals", _prescription("3563 AB", ["weinig_contact"]), gp),
        "partner": (
            "/api/v1/signals",
            _signal("3562 AB", ["somber"]),
            _token(stack, "signaleringspartner"),
        ),
        "other": ("/api/v1/referrals", _prescription("3554 AB", ["ondervoeding"]), other_gp),
        "claimed": (
            "/api/v1/signals",
            _signal("3555 AB", ["wil_contact"], typed="huisartsenpraktijk-overvecht"),
            {},
        ),
    }
    auditor = _token(stack, "auditor")
    found: dict[str, Referral] = {}
    for name, (path, body, headers) in sends.items():
        correlation = f"authz-{name}-{uuid.uuid4().hex[:12]}"
        answer = gateway.post(path, json=body, headers={**headers, "X-Correlation-ID": correlation})
        assert answer.status_code == 202, answer.text
        found[name] = Referral(
            _referral_id(gateway, auditor, correlation), answer.json()["receipt"], correlation
        )
    for referral in found.values():
        _wait_for_the_whole_path(gateway, stack, auditor, referral.referral_id)
    return found


def _referral_id(gateway: httpx.Client, auditor: dict[str, str], correlation: str) -> str:
    def archived() -> str | None:
        found = gateway.get(f"/api/v1/audit/correlations/{correlation}", headers=auditor)
        events = found.json().get("events", []) if found.is_success else []
        return str(events[0]["data"]["referral_id"]) if events else None

    return eventually(archived, what=f"the referral of {correlation}")


def _wait_for_the_whole_path(
    gateway: httpx.Client, stack: Stack, auditor: dict[str, str], ref: str
) -> None:
    """Owned in feedback, decided in matching, triaged in the archive, in its owner's inbox."""

    def in_the_inbox(owner: str) -> bool:
        principal = Principal("matrix", owner, frozenset({Role.SOCIAAL_MAKELAAR}))
        headers = {"Authorization": f"Bearer {issue_token(principal, stack.auth_secret)}"}
        return gateway.get(f"/api/v1/inbox/{ref}", headers=headers).status_code == 200

    def done() -> bool:
        state = gateway.get(f"/api/v1/referrals/{ref}", headers=auditor)
        proposal = gateway.get(f"/api/v1/proposals/{ref}", headers=auditor)
        timeline = gateway.get(f"/api/v1/referrals/{ref}/timeline", headers=auditor)
        types = (
            [e["type"] for e in timeline.json().get("events", [])] if timeline.is_success else []
        )
        owner = state.json().get("owner_organisation") if state.is_success else None
        return (
            owner is not None
            and proposal.is_success
            and "nl.schakel.referral.triaged.v2" in types
            and in_the_inbox(owner)
        )

    eventually(done, within=60, what=f"{ref} through triage, matching, feedback and audit")


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: dict[str, Any] | None = None


def _calls(endpoint: str, target: str, refs: dict[str, Referral]) -> Call:
    method, template = endpoint.split(" ", 1)
    ref = refs.get(target)
    path = template
    if ref is not None:
        path = (
            template.replace("{id}", ref.referral_id)
            .replace("{receipt}", ref.receipt)
            .replace("{correlation}", ref.correlation)
        )
    if "{helper}" in template:
        path = path.replace("{helper}", HELPERS[f"{target}-stop" if "stop" in path else target])
    body: dict[str, Any] | None = None
    if endpoint == "POST /api/v1/signals":
        body = _signal("3512 AB", ["alleen_wonend"])
    elif endpoint == "POST /api/v1/referrals":
        body = _prescription("3512 AB", ["alleen_wonend"])
    elif endpoint == "POST /api/v1/fhir/ServiceRequest":
        body = service_request()
    elif endpoint == "POST /api/v1/helpers":
        body = {"helper_id": f"authz-new-{uuid.uuid4().hex[:12]}", "profile": BUDDY}
    elif endpoint == "PUT /api/v1/helpers/{helper}":
        body = {**BUDDY, "languages": ["nl", "en"]}
    elif endpoint == "POST /api/v1/concerns" and ref is not None:
        body = {"referral_id": ref.referral_id, "observations": ["somber"]}
    return Call(method, path, body)


def _cells() -> Iterator[tuple[str, str, str, int]]:
    for endpoint, by_target in EXPECTED.items():
        for target, statuses in by_target.items():
            for caller, status in zip(ROLES, statuses, strict=True):
                yield endpoint, target, caller, status


def _coordinator(stack: Stack, organisation: str) -> dict[str, str]:
    principal = Principal("coordinator", organisation, frozenset({Role.PROVIDER_COORDINATOR}))
    return {"Authorization": f"Bearer {issue_token(principal, stack.auth_secret)}"}


@pytest.fixture(scope="module")
def registered_helpers(gateway: httpx.Client, stack: Stack) -> None:
    for helper_id, organisation in (
        (HELPERS["own"], PROVIDER),
        (HELPERS["own-stop"], PROVIDER),
        (HELPERS["other"], OTHER_PROVIDER),
    ):
        answer = gateway.post(
            "/api/v1/helpers",
            json={"helper_id": helper_id, "profile": BUDDY},
            headers=_coordinator(stack, organisation),
        )
        assert answer.status_code == 201, answer.text


@pytest.mark.usefixtures("registered_helpers")
def test_every_role_on_every_endpoint_for_own_and_other_organisations(
    gateway: httpx.Client, stack: Stack, referrals: dict[str, Referral]
) -> None:
    wrong: list[str] = []
    cells = 0
    for endpoint, target, caller, expected in _cells():
        chosen = OWN[caller] if target == "own" else target
        call = _calls(endpoint, chosen, referrals)
        answer = gateway.request(
            call.method, call.path, json=call.body, headers=_token(stack, caller)
        )
        cells += 1
        if answer.status_code != expected:
            wrong.append(f"{endpoint} [{target}] as {caller}: {answer.status_code}, not {expected}")
    assert wrong == [], "\n".join(wrong)
    assert cells == sum(len(by_target) * len(ROLES) for by_target in EXPECTED.values())


@pytest.mark.usefixtures("registered_helpers")
def test_a_coordinator_lists_and_changes_only_its_own_organisations_helpers(
    gateway: httpx.Client, stack: Stack
) -> None:
    ours, theirs = _coordinator(stack, PROVIDER), _coordinator(stack, OTHER_PROVIDER)
    listed = {
        h["helper_id"] for h in gateway.get("/api/v1/helpers", headers=ours).json()["helpers"]
    }
    assert {HELPERS["own"], HELPERS["own-stop"]} <= listed
    assert HELPERS["other"] not in listed
    # The other provider's helper is untouched by our refused change.
    refused = gateway.put(f"/api/v1/helpers/{HELPERS['other']}", json=BUDDY, headers=ours)
    assert refused.status_code == 404
    found = gateway.get("/api/v1/helpers", headers=theirs).json()["helpers"]
    other = next(h for h in found if h["helper_id"] == HELPERS["other"])
    assert (other["organisation"], other["status"]) == (OTHER_PROVIDER, "active")


def _listed(gateway: httpx.Client, stack: Stack, caller: str) -> set[str]:
    answer = gateway.get("/api/v1/referrals", headers=_token(stack, caller))
    assert answer.status_code == 200
    return {r["referral_id"] for r in answer.json()["referrals"]}


def test_each_organisation_lists_what_it_sent_or_owns_and_a_typed_name_adds_nothing(
    gateway: httpx.Client, stack: Stack, referrals: dict[str, Referral]
) -> None:
    ids = {name: ref.referral_id for name, ref in referrals.items()}
    gp, partner = (
        _listed(gateway, stack, "huisarts"),
        _listed(gateway, stack, "signaleringspartner"),
    )
    brokers = _listed(gateway, stack, "sociaal_makelaar")
    assert ids["own"] in gp and {ids["other"], ids["claimed"], ids["partner"]}.isdisjoint(gp)
    assert ids["partner"] in partner and {ids["own"], ids["other"], ids["claimed"]}.isdisjoint(
        partner
    )
    assert {ids["own"], ids["partner"]} <= brokers  # both owned by the Overvecht brokers
    assert {ids["other"], ids["claimed"]}.isdisjoint(brokers)
    # The municipality and the auditor send and own nothing: an auditor reads by id.
    assert set(ids.values()).isdisjoint(_listed(gateway, stack, "gemeente"))
    assert set(ids.values()).isdisjoint(_listed(gateway, stack, "auditor"))


def test_what_a_referrer_sees_of_its_referral_and_what_the_owner_sees(
    gateway: httpx.Client, stack: Stack, referrals: dict[str, Referral]
) -> None:
    own = referrals["own"].referral_id
    as_gp = gateway.get(f"/api/v1/referrals/{own}", headers=_token(stack, "huisarts")).json()
    as_owner = gateway.get(
        f"/api/v1/referrals/{own}", headers=_token(stack, "sociaal_makelaar")
    ).json()
    assert as_gp["referrer_organisation"] == "huisartsenpraktijk-overvecht"
    assert "person_pseudonym" not in as_gp  # the referrer follows the outcome, no handle
    assert as_owner["person_pseudonym"].startswith("ps-")
    partner = referrals["partner"].referral_id
    sent = gateway.get(f"/api/v1/referrals/{partner}", headers=_token(stack, "auditor")).json()
    assert (sent["referrer_organisation"], sent["channel"]) == (
        "apotheek-overvecht",
        "signalerings_api",
    )
    claimed = referrals["claimed"].referral_id
    typed = gateway.get(f"/api/v1/referrals/{claimed}", headers=_token(stack, "auditor")).json()
    assert typed["referrer_organisation"] is None
    assert typed["channel"] == "webformulier"


# --- administrators and organisations' API keys -----------------------------------------------
# The administrator issues and revokes API keys and sees no person: on every endpoint above
# it answers like the municipality's token, or is refused the role (403).
ADMINISTRATOR = ("schakel-beheer", Role.ADMINISTRATOR)
ADMINISTRATOR_EXPECTED: dict[str, dict[str, int]] = {
    "POST /api/v1/signals": {"new": 202},
    "GET /api/v1/signals/{receipt}/status": {"own": 200},
    "POST /api/v1/referrals": {"new": 403},
    "POST /api/v1/fhir/ServiceRequest": {"new": 403},
    "GET /api/v1/referrals": {"list": 200},
    "GET /api/v1/referrals/{id}": {"own": 404, "other": 404},
    "GET /api/v1/referrals/{id}/timeline": {"own": 404},
    "GET /api/v1/proposals/{id}": {"own": 403},
    "GET /api/v1/audit/verify": {"all": 403},
    "GET /api/v1/offers": {"all": 403},
    "GET /api/v1/inbox": {"list": 403},
    "POST /api/v1/referrals/{id}/accept": {"own": 403},
    "POST /api/v1/concerns": {"own": 404},
    "GET /api/v1/fhir/Task/{id}": {"own": 404},
    "GET /api/v1/helpers": {"list": 403},
    "POST /api/v1/helpers": {"new": 403},
    "PUT /api/v1/helpers/{helper}": {"own": 403},
    "POST /api/v1/helpers/{helper}/stop": {"own": 403},
}
# The key endpoints: administrators only (statuses in the order of ROLES, then administrator).
KEY_ADMIN_EXPECTED: dict[str, tuple[int, ...]] = {
    "GET /api/v1/admin/api-keys": (401, 401, 403, 403, 403, 403, 403, 403, 200),
    "POST /api/v1/admin/api-keys": (401, 401, 403, 403, 403, 403, 403, 403, 201),
}
# A key signals and does nothing else: with any other endpoint the gateway refuses it (403),
# so a key of one organisation reads no referral, its own organisation's neither. The
# receipt page is a page for people: a key there is ignored and grants nothing.
KEYS = ("key-a", "key-b", "revoked", "unknown")
KEY_EXPECTED: dict[str, tuple[int, ...]] = {
    "POST /api/v1/signals": (202, 202, 401, 401),
    "GET /ontvangen/{receipt}": (200, 200, 200, 200),
    **{
        endpoint: (403,) * len(KEYS)
        for endpoint in EXPECTED
        if endpoint not in ("POST /api/v1/signals", "GET /ontvangen/{receipt}")
    },
    **{endpoint: (403,) * len(KEYS) for endpoint in KEY_ADMIN_EXPECTED},
}


def _administrator(stack: Stack) -> dict[str, str]:
    organisation, role = ADMINISTRATOR
    token = issue_token(Principal("beheerder", organisation, frozenset({role})), stack.auth_secret)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def api_keys(gateway: httpx.Client) -> dict[str, str]:
    """Keys issued through the gateway by the demo administrator: apotheek-overvecht's (the
    partner's own organisation), a courier company's, and one revoked."""
    admin = login(gateway, "beheerder")
    issued: dict[str, str] = {}
    for name, organisation, role in (
        ("key-a", "apotheek-overvecht", "apotheker"),
        ("key-b", "fietskoerier-utrecht", "fietskoerier"),
        ("revoked", "thuisgekookt-utrecht", "thuiskok"),
    ):
        answer = gateway.post(
            "/api/v1/admin/api-keys",
            json={"organisation": organisation, "signaler_role": role},
            headers=admin,
        )
        assert answer.status_code == 201, answer.text
        issued[name] = answer.json()["key"]
    key_id = issued["revoked"].split("_")[1]
    revoked = gateway.post(f"/api/v1/admin/api-keys/{key_id}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    issued["unknown"] = "schakel_00000000_" + "u" * 43
    return issued


def test_the_administrator_on_every_endpoint(
    gateway: httpx.Client, stack: Stack, referrals: dict[str, Referral]
) -> None:
    admin = _administrator(stack)
    wrong: list[str] = []
    for endpoint, by_target in ADMINISTRATOR_EXPECTED.items():
        for target, expected in by_target.items():
            call = _calls(endpoint, target, referrals)
            answer = gateway.request(call.method, call.path, json=call.body, headers=admin)
            if answer.status_code != expected:
                wrong.append(f"{endpoint} [{target}]: {answer.status_code}, not {expected}")
    for endpoint, statuses in KEY_ADMIN_EXPECTED.items():
        callers = [_token(stack, caller) for caller in ROLES] + [admin]
        for headers, expected in zip(callers, statuses, strict=True):
            call = _key_admin_call(endpoint)
            answer = gateway.request(call.method, call.path, json=call.body, headers=headers)
            if answer.status_code != expected:
                wrong.append(f"{endpoint} as {headers}: {answer.status_code}, not {expected}")
    assert wrong == [], "\n".join(wrong)


def _key_admin_call(endpoint: str) -> Call:
    method, path = endpoint.split(" ", 1)
    body = {"organisation": "supermarkt-matrix", "signaler_role": "supermarkt"}
    return Call(method, path, body if method == "POST" else None)


def test_every_api_key_on_every_endpoint(
    gateway: httpx.Client, referrals: dict[str, Referral], api_keys: dict[str, str]
) -> None:
    wrong: list[str] = []
    for endpoint, statuses in KEY_EXPECTED.items():
        for name, expected in zip(KEYS, statuses, strict=True):
            target = "partner" if "{" in endpoint else "new"
            call = (
                _key_admin_call(endpoint)
                if endpoint in KEY_ADMIN_EXPECTED
                else _calls(endpoint, target, referrals)
            )
            headers = {"X-Api-Key": api_keys[name]}
            answer = gateway.request(call.method, call.path, json=call.body, headers=headers)
            if answer.status_code != expected:
                wrong.append(f"{endpoint} with {name}: {answer.status_code}, not {expected}")
    assert wrong == [], "\n".join(wrong)


def test_a_keys_signal_is_its_organisations_and_only_that_organisation_follows_it(
    gateway: httpx.Client, stack: Stack, api_keys: dict[str, str]
) -> None:
    correlation = f"authz-key-{uuid.uuid4().hex[:12]}"
    body = {**_signal("3562 AB", ["niet_gesproken"], typed="huisartsenpraktijk-overvecht")}
    sent = gateway.post(
        "/api/v1/signals",
        json=body,
        headers={"X-Api-Key": api_keys["key-b"], "X-Correlation-ID": correlation},
    )
    assert sent.status_code == 202, sent.text
    ref = _referral_id(gateway, _token(stack, "auditor"), correlation)
    courier = issue_token(
        Principal("koerier", "fietskoerier-utrecht", frozenset({Role.SIGNALERINGSPARTNER})),
        stack.auth_secret,
    )

    def followed() -> dict[str, Any] | None:
        answer = gateway.get(
            f"/api/v1/referrals/{ref}", headers={"Authorization": f"Bearer {courier}"}
        )
        return answer.json() if answer.status_code == 200 else None

    seen = eventually(followed, what="the courier company following its key's signal")
    assert (seen["referrer_organisation"], seen["channel"]) == (
        "fietskoerier-utrecht",
        "signalerings_api",
    )
    # Another organisation (the pharmacy, whose key is key-a) does not see it.
    pharmacy = gateway.get(f"/api/v1/referrals/{ref}", headers=_token(stack, "signaleringspartner"))
    assert pharmacy.status_code == 404
