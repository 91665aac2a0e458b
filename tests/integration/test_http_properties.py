"""Property-based: whatever a careless client or an attacker sends, no public endpoint of the
gateway or of a service answers 5xx.

Every route of each app is found from the app itself (a new route is covered without editing
this file) and called in-process over ASGI with generated path parameters (any text, encoded
separators, dot segments, 9 KiB), queries, headers (non-ASCII bytes, 70 KB values, forged,
expired and valid tokens of any role and organisation) and bodies (near-valid signals,
referrals, credentials and forms, any field of which may be missing or anything JSON can
hold; owners' actions and concerns with near-valid values; random JSON, random bytes). The
services run on the session's real MongoDB-protocol server, seeded with a referral (in
feedback and in followup, its owner's inbox), its archive and the demo offers, so lookups and
actions also find something. The gateway forwards to the same service apps in-process.

The number of cases and the status codes per app are printed in the test report ("HTTP
properties"); ``SCHAKEL_PROPERTY_SCALE=10`` runs ten times as many. Not covered: the services'
``/readyz``, which answers 503 here by design: their Kafka clients are not started in-process.
"""

from __future__ import annotations

import base64
import json
import os
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import partial
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import jwt
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import BaseRoute, Mount, Route

from schakel.audit.adapters import MongoChain
from schakel.audit.adapters import ensure_indexes as audit_indexes
from schakel.audit.app import AuditSettings
from schakel.audit.app import build as audit_app
from schakel.audit.domain.chain import ArchiveEntry, ChainHead
from schakel.contracts.vocabulary import (
    AgeBand,
    CloseOutcome,
    DeclineReason,
    DietNeed,
    Grade,
    HoldReason,
    Observation,
    OfferKind,
    RejectReason,
    SignalerRole,
    TransferReason,
)
from schakel.contracts.vocabulary import Route as OwnerKind
from schakel.feedback.adapters import REFERRALS, state_to_doc
from schakel.feedback.adapters import prepare as feedback_indexes
from schakel.feedback.app import FeedbackSettings
from schakel.feedback.app import build as feedback_app
from schakel.followup.adapters import prepare as followup_indexes
from schakel.followup.app import FollowupSettings
from schakel.followup.app import build as followup_app
from schakel.followup.handlers import Ports
from schakel.followup.handlers import follow as follow_up
from schakel.gateway.app import GatewaySettings
from schakel.gateway.app import build as gateway_app
from schakel.gateway.pages.form import FORM_FIELDS
from schakel.intake.adapters import create_indexes as intake_indexes
from schakel.intake.app import IntakeSettings
from schakel.intake.app import build as intake_app
from schakel.matching.adapters import prepare as matching_indexes
from schakel.matching.app import MatchingSettings
from schakel.matching.app import build as matching_app
from schakel.platform.auth import Principal, Role, issue_token
from schakel.platform.mongo import MongoStore, Transaction
from schakel.platform.settings import ServiceSettings
from schakel.triage.app import TriageSettings
from schakel.triage.app import build as triage_app
from tests.support import report
from tests.unit import test_audit_domain as archived
from tests.unit import test_feedback_domain as followed
from tests.unit.test_gateway import write_users

pytestmark = pytest.mark.integration

SECRET = "property-tests-secret-" + "k" * 24
METRICS_TOKEN = "property-tests-metrics"
VAULT_KEY = base64.b64encode(b"property-tests-vault-key-32bytes").decode()
SIGNING_KEY = base64.b64encode(b"property-tests-audit-signing-key").decode()
SERVICES = ("intake", "triage", "matching", "followup", "feedback", "audit")
TEXT_FIELDS = "intake, any text in a valid signal"
# Cases per app: the whole file stays well under a minute on a shared two-core machine.
# SCHAKEL_PROPERTY_SCALE=10 looks ten times as long.
SCALE = float(os.environ.get("SCHAKEL_PROPERTY_SCALE", "1"))
EXAMPLES = {
    name: max(1, round(n * SCALE))
    for name, n in {
        "gateway": 350,
        "intake": 150,
        "followup": 100,
        "feedback": 80,
        "audit": 80,
        "matching": 60,
        "triage": 40,
        TEXT_FIELDS: 60,
    }.items()
}
# A service's readiness needs its Kafka clients, not started here: 503 by design. (The
# gateway's asks the services' /healthz, and is generated.)
NOT_HERE = ("GET", "/readyz")
WEIGHTED = ("/api/", "/melden", "/ontvangen/")  # drawn three times as often as the rest
OUTCOMES: dict[str, Counter[int]] = {
    name: Counter() for name in ("gateway", *SERVICES, TEXT_FIELDS)
}
KNOWN_ORGANISATIONS = (
    followed.GP,
    followed.OWNER,
    "huisartsenpraktijk-overvecht",
    archived.PRACTICE,
    archived.OWNER,
)
KNOWN_IDS = (followed.REFERRAL, followed.RECEIPT, "r-1", "corr-1", "psy", "K7QM-4XWD-2P")


# --- the apps -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Apps:
    by_name: dict[str, FastAPI]
    stores: tuple[MongoStore, ...]


def _settings(kind: type[ServiceSettings], mongodb_uri: str, **extra: Any) -> Any:
    return kind(
        mongodb_uri=mongodb_uri,
        mongodb_database=f"props_{kind.__name__.lower()}_{uuid.uuid4().hex[:8]}",
        auth_secret=SECRET,
        metrics_token=METRICS_TOKEN,
        **extra,
    )


async def _seed(feedback: MongoStore, audit: MongoStore, followup: FastAPI) -> None:
    """A referral feedback and followup follow (receipt K7QM-4XPD; in its owner's inbox)
    and an archived one (r-1)."""
    state, _ = followed.fold(followed.received(), followed.triaged(), followed.match_proposed())
    await feedback.db[REFERRALS].insert_one(state_to_doc(state))
    setup, store = followup.state.setup, followup.state.runtime.store
    for event in (followed.received(), followed.triaged()):
        await store.transaction(
            lambda tx, e=event: follow_up(e, Ports.of(tx, setup), setup, tx.emit, e.time)
        )
    head: ChainHead | None = None
    for entry in archived.chain(archived.received("r-1"), archived.triaged("r-1")):
        await audit.transaction(partial(_append, entry=entry, after=head))
        head = entry.head


async def _append(tx: Transaction, entry: ArchiveEntry, after: ChainHead | None) -> None:
    await MongoChain(tx).append(entry, after=after)


@pytest.fixture(scope="module")
async def apps(mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Apps]:
    intake_settings = _settings(IntakeSettings, mongodb_uri, vault_master_key=VAULT_KEY)
    services = {
        "intake": intake_app(intake_settings),
        "triage": triage_app(_settings(TriageSettings, mongodb_uri)),
        "matching": matching_app(_settings(MatchingSettings, mongodb_uri)),
        "followup": followup_app(_settings(FollowupSettings, mongodb_uri)),
        "feedback": feedback_app(_settings(FeedbackSettings, mongodb_uri)),
        "audit": audit_app(_settings(AuditSettings, mongodb_uri, audit_signing_key=SIGNING_KEY)),
    }
    stores = {name: app.state.runtime.store for name, app in services.items()}
    await intake_indexes(stores["intake"], intake_settings.idempotency_key_retention)
    await matching_indexes(stores["matching"])
    await feedback_indexes(stores["feedback"])
    await followup_indexes(stores["followup"])
    await audit_indexes(stores["audit"])
    await _seed(stores["feedback"], stores["audit"], services["followup"])
    network = Network(services)
    users = write_users(tmp_path_factory.mktemp("users") / "users.json")
    gateway = gateway_app(
        GatewaySettings(
            intake_url="http://intake",
            triage_url="http://triage",
            matching_url="http://matching",
            feedback_url="http://feedback",
            audit_url="http://audit",
            followup_url="http://followup",
            users_file=str(users),
            auth_secret=SECRET,
            metrics_token=METRICS_TOKEN,
            rate_limit_signals="100000/60",  # the limiter runs, the properties look beyond it
            rate_limit_sign_in="100000/60",
            rate_limit_sign_in_failures="100000/60",
        ),
        transport=network,
    )
    try:
        yield Apps({"gateway": gateway, **services}, tuple(stores.values()))
    finally:
        for store in stores.values():
            await store.client.drop_database(store.db.name)
            await store.close()
        report("HTTP properties", list(_summary()))


def _summary() -> Iterator[str]:
    total = sum(sum(c.values()) for c in OUTCOMES.values())
    classes: Counter[str] = Counter()
    for name, counts in OUTCOMES.items():
        shown = ", ".join(f"{code}: {n}" for code, n in sorted(counts.items()))
        yield f"{name}: {sum(counts.values())} cases ({shown})"
        for code, n in counts.items():
            classes[f"{code // 100}xx"] += n
    yield f"all: {total} cases; " + ", ".join(f"{k}: {n}" for k, n in sorted(classes.items()))


class Network(httpx.AsyncBaseTransport):
    """The gateway's way to the services: each one in-process, by host name."""

    def __init__(self, services: dict[str, FastAPI]) -> None:
        self.transports = {
            name: httpx.ASGITransport(app=app, raise_app_exceptions=False)
            for name, app in services.items()
        }

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transports[request.url.host].handle_async_request(request)


@pytest.fixture(scope="module")
async def clients(apps: Apps) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    opened = {
        name: httpx.AsyncClient(
            # An exception inside an app becomes the 500 a real server would send.
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url=f"http://{name}",
            timeout=30,
        )
        for name, app in apps.by_name.items()
    }
    try:
        yield opened
    finally:
        for client in opened.values():
            await client.aclose()


# --- what a client may send -----------------------------------------------------------------

ANY_CHAR = st.characters(codec=None, exclude_categories=())  # control chars, surrogates too
ANY_TEXT = st.text(ANY_CHAR, max_size=40)
FORM_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)  # a form is encoded as UTF-8
PRINTABLE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)
NAME = st.one_of(st.text(st.characters(categories=["L", "Zs"]), min_size=1, max_size=30), ANY_TEXT)
ODD_SEGMENTS = st.sampled_from(
    [
        "..",
        ".",
        "%2e%2e",
        "..%2F..%2Faudit%2Fverify",
        "a%2Fb",
        "a%5Cb",
        "%00",
        "%FF",
        "%3F",
        "%23",
        "A" * 9000,
    ]
)
SEGMENT = st.one_of(
    st.sampled_from(KNOWN_IDS),
    ANY_TEXT.map(lambda text: quote(text.encode("utf-8", "surrogatepass"), safe="")),
    st.from_regex(r"(%[0-9A-Fa-f]{2}|[A-Za-z0-9._~-]){0,30}", fullmatch=True),
    ODD_SEGMENTS,
)
QUERY = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(["kind", "district", "grade", "include_city_wide", "lang", "q"]),
        FORM_TEXT,
        max_size=3,
    ).map(urlencode),
    st.from_regex(r"([A-Za-z0-9_=&+.-]|%[0-9A-Fa-f]{2}){0,60}", fullmatch=True),
)


def _tokens() -> st.SearchStrategy[str]:
    principal = st.builds(
        Principal,
        username=ANY_TEXT,
        organisation=st.one_of(st.sampled_from(KNOWN_ORGANISATIONS), ANY_TEXT),
        roles=st.frozensets(st.sampled_from(Role)),
    )
    valid = st.builds(lambda p: issue_token(p, SECRET), principal)
    expired = st.builds(lambda p: issue_token(p, SECRET, timedelta(hours=-1)), principal)
    forged = st.builds(lambda p: issue_token(p, "another-secret" * 3), principal)
    unsigned = st.just(jwt.encode({"sub": "x", "org": followed.OWNER}, "", algorithm="none"))
    return st.one_of(valid, valid, valid, expired, forged, unsigned, PRINTABLE)


ID_LIKE = st.from_regex(r"[A-Za-z0-9._:-]{1,40}", fullmatch=True).map(str.encode)
HEADER_VALUE = st.one_of(
    ID_LIKE,  # what a header usually holds, so that requests also get past the checks
    ID_LIKE,
    PRINTABLE.map(str.encode),
    st.binary(max_size=40),
    st.sampled_from(
        [b"x" * 70_000, b"y" * 129, "Caf\xe9".encode("latin-1"), b"nl,\xff", b"valid-id.1:2_3"]
    ),
)
AUTHORIZATION = st.one_of(
    _tokens().map(lambda token: f"Bearer {token}".encode("utf-8", "surrogatepass")),
    HEADER_VALUE,
)
OTHER_HEADERS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                b"x-correlation-id",
                b"idempotency-key",
                b"accept-language",
                b"content-type",
                b"accept",
                b"x-forwarded-for",
                b"host",
                b"cookie",
                b"x-anything",
            ]
        ),
        HEADER_VALUE,
    ),
    max_size=3,
)
HEADERS = st.builds(
    lambda others, auth: [*others, *([(b"authorization", auth)] if auth else [])],
    OTHER_HEADERS,
    st.one_of(AUTHORIZATION, st.none()),
)


def _mostly(shape: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually the right shape, sometimes anything JSON can hold."""
    return st.one_of(shape, shape, shape, JSON_VALUES)


def _near(
    required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """A body of this shape, any field of which may be missing or be something else."""
    return st.fixed_dictionaries(
        {key: _mostly(value) for key, value in required.items()},
        optional={key: _mostly(value) for key, value in optional.items()},
    )


def _person(**extra: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return _near(
        {
            "name": NAME,
            "postcode": st.one_of(st.sampled_from(["3562 AB", "3512ab", "1234 AB"]), ANY_TEXT),
        },
        {
            "phone": st.one_of(st.just("030 123 4567"), ANY_TEXT),
            "email": st.one_of(st.just("a@example.org"), ANY_TEXT),
            "street_address": NAME,
            **extra,
        },
    )


CONCERN = {
    "observations": st.lists(st.sampled_from([o.value for o in Observation]), max_size=4),
    "age_band": st.sampled_from([a.value for a in AgeBand]),
    "djg_score": st.integers(-2, 8),
    "note": st.one_of(NAME, ANY_TEXT),
}
SIGNAL = _near(
    {"person": _person(), "consent_to_contact": st.booleans()},
    {
        **CONCERN,
        "signaler_role": st.sampled_from([r.value for r in SignalerRole]),
        "signaler_organisation": st.one_of(st.sampled_from(KNOWN_ORGANISATIONS), ANY_TEXT),
        "about_self": st.booleans(),
    },
)
REFERRAL = _near(
    {
        "patient": _person(
            date_of_birth=st.one_of(st.dates().map(lambda d: d.isoformat()), ANY_TEXT)
        ),
        "consent_to_contact": st.booleans(),
    },
    CONCERN,
)


def _values(*vocabularies: type[StrEnum]) -> st.SearchStrategy[str]:
    return st.sampled_from([v.value for vocabulary in vocabularies for v in vocabulary])


# What an owner sends with an action: every action's fields, so each gets near-valid bodies.
OWNER_ACTION = _near(
    {},
    {
        "note": st.one_of(NAME, ANY_TEXT),
        "reason": st.one_of(
            _values(RejectReason, TransferReason, HoldReason, DeclineReason), ANY_TEXT
        ),
        "outcome": st.one_of(_values(CloseOutcome), ANY_TEXT),
        "djg_score": st.integers(-2, 8),
        "reached": st.booleans(),
        "knew_of_signal": st.booleans(),
        "consents_to_support": st.booleans(),
        "wishes": st.fixed_dictionaries(
            {},
            optional={
                "kinds": st.lists(_values(OfferKind), max_size=3),
                "languages": st.lists(st.sampled_from(["nl", "tr", "ar", "NL", ""]), max_size=2),
                "diet": st.lists(_values(DietNeed), max_size=2),
            },
        ),
        "grade": _values(Grade),
        "kind": _values(OfferKind),
        "provider_organisation": NAME,
        "to_organisation": st.one_of(st.sampled_from(KNOWN_ORGANISATIONS), ANY_TEXT),
        "to_name": NAME,
        "to_route": _values(OwnerKind),
    },
)
CONCERN_REPORT = _near(
    {"observations": st.lists(_values(Observation), max_size=4)},
    {
        "referral_id": st.one_of(st.sampled_from(KNOWN_IDS), ANY_TEXT),
        "receipt": st.one_of(st.sampled_from(KNOWN_IDS), ANY_TEXT),
        "helper_code": st.one_of(st.just("HK7QM-4XPD"), ANY_TEXT),
        "note": st.one_of(NAME, ANY_TEXT),
    },
)
CREDENTIALS = _near(
    {
        "username": st.one_of(st.just("huisarts"), ANY_TEXT),
        "password": st.one_of(st.just("geheim"), ANY_TEXT),
    },
    {"grant_type": st.one_of(st.just("password"), ANY_TEXT)},
)
FORM_REQUIRED = ("signaler_role", "name", "postcode", "consent")
FORM = st.fixed_dictionaries(
    {
        "signaler_role": st.one_of(st.sampled_from([r.value for r in SignalerRole]), FORM_TEXT),
        "name": FORM_TEXT,
        "postcode": st.one_of(st.just("3562 AB"), FORM_TEXT),
        "consent": st.sampled_from(["ja", "nee", ""]),
    },
    optional={
        **{
            name: FORM_TEXT
            for name in (*FORM_FIELDS, "lang", "idempotency_key")
            if name not in (*FORM_REQUIRED, "observations")
        },
        "observations": st.lists(FORM_TEXT),
    },
)


@dataclass(frozen=True)
class Body:
    content: bytes | None
    content_type: bytes | None


def _json(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Body]:
    # ASCII escapes: a lone surrogate travels as "\ud800", as a client's JSON may carry it.
    return values.map(lambda v: Body(json.dumps(v).encode(), b"application/json"))


def _form(values: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Body]:
    urlencoded = b"application/x-www-form-urlencoded"
    return values.map(lambda v: Body(urlencode(v, doseq=True).encode(), urlencoded))


ANY_BODY = st.one_of(
    st.just(Body(None, None)),
    _json(JSON_VALUES),
    st.binary(max_size=200).map(lambda raw: Body(raw, None)),
)
BODIES: dict[tuple[str, str], st.SearchStrategy[Body]] = {
    ("POST", "/api/v1/signals"): st.one_of(_json(SIGNAL), _json(SIGNAL), ANY_BODY),
    ("POST", "/api/v1/referrals"): st.one_of(_json(REFERRAL), _json(REFERRAL), ANY_BODY),
    ("POST", "/api/v1/auth/token"): st.one_of(_json(CREDENTIALS), _form(CREDENTIALS), ANY_BODY),
    ("POST", "/melden"): st.one_of(_form(FORM), _form(FORM), ANY_BODY),
    ("POST", "/api/v1/concerns"): st.one_of(_json(CONCERN_REPORT), _json(CONCERN_REPORT), ANY_BODY),
}
ACTION_PATH = re.compile(r"^/api/v1/referrals/\{referral_id\}/.+$")


def body_for(endpoint: Endpoint) -> st.SearchStrategy[Body]:
    found = BODIES.get((endpoint.method, endpoint.template))
    if found is None and endpoint.method == "POST" and ACTION_PATH.match(endpoint.template):
        return st.one_of(_json(OWNER_ACTION), _json(OWNER_ACTION), ANY_BODY)
    return found if found is not None else ANY_BODY


OTHER_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str  # Starlette syntax: /api/v1/referrals/{referral_id}, /static/{path:path}


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every route the app serves, as (method, path template)."""
    return _endpoints_of(app.routes, "")


def _endpoints_of(routes: Iterable[BaseRoute], prefix: str) -> list[Endpoint]:
    found: list[Endpoint] = []
    for route in routes:
        if isinstance(route, Mount):
            found.append(Endpoint("GET", prefix + route.path + "/{path:path}"))
        elif isinstance(route, Route):
            methods = sorted(route.methods or ())
            found += [Endpoint(m, prefix + route.path) for m in methods if m != "HEAD"]
        elif hasattr(route, "original_router"):  # FastAPI keeps an included router whole
            context = route.include_context  # type: ignore[attr-defined]
            found += _endpoints_of(route.original_router.routes, prefix + context.prefix)
    return found


PARAM = re.compile(r"\{([^}:]+)(:path)?\}")


@st.composite
def calls(draw: st.DrawFn, endpoint: Endpoint) -> tuple[str, str, list[Any], Body]:
    def segment(match: re.Match[str]) -> str:
        if match[2]:  # a path parameter spans segments
            return "/".join(draw(st.lists(SEGMENT, min_size=1, max_size=3)))
        return draw(SEGMENT)

    path = PARAM.sub(segment, endpoint.template)
    if (query := draw(QUERY)) is not None:
        path = f"{path}?{query}"
    method = draw(st.sampled_from([endpoint.method] * 9 + OTHER_METHODS))
    body = draw(body_for(endpoint))
    headers = draw(HEADERS)
    if body.content_type is not None and not any(n == b"content-type" for n, _ in headers):
        headers.append((b"content-type", body.content_type))
    return method, path, headers, body


def requests(name: str, app: FastAPI) -> st.SearchStrategy[tuple[str, str, list[Any], Body]]:
    found = endpoints(app)
    if name != "gateway":
        found = [e for e in found if (e.method, e.template) != NOT_HERE]
    # The API and the pages more often than the documents and probes.
    weighted = [e for e in found for _ in range(3 if e.template.startswith(WEIGHTED) else 1)]
    return st.sampled_from(weighted).flatmap(calls)


# --- the property ---------------------------------------------------------------------------

_REQUESTS: dict[str, st.SearchStrategy[tuple[str, str, list[Any], Body]]] = {}


def _no_5xx(name: str) -> Any:
    """The property for one app, as a test of its own (each with its number of cases)."""

    @settings(
        max_examples=EXAMPLES[name],
        deadline=None,  # the database's latency varies on a shared machine
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )
    @given(data=st.data())
    async def property(
        apps: Apps, clients: dict[str, httpx.AsyncClient], data: st.DataObject
    ) -> None:
        if name not in _REQUESTS:
            _REQUESTS[name] = requests(name, apps.by_name[name])
        method, path, headers, body = data.draw(_REQUESTS[name], label="request")
        answer = await clients[name].request(method, path, headers=headers, content=body.content)
        OUTCOMES[name][answer.status_code] += 1
        assert answer.status_code < 500, (method, path[:300], answer.text[:500])

    property.__name__ = f"test_{name}_never_answers_5xx"
    return property


test_gateway_never_answers_5xx = _no_5xx("gateway")
test_intake_never_answers_5xx = _no_5xx("intake")
test_triage_never_answers_5xx = _no_5xx("triage")
test_matching_never_answers_5xx = _no_5xx("matching")
test_followup_never_answers_5xx = _no_5xx("followup")
test_feedback_never_answers_5xx = _no_5xx("feedback")
test_audit_never_answers_5xx = _no_5xx("audit")


ANY_SIGNAL = st.fixed_dictionaries(
    {
        "person": st.fixed_dictionaries(
            {"name": ANY_TEXT, "postcode": st.just("3562 AB")},
            optional={"street_address": ANY_TEXT, "email": ANY_TEXT, "phone": ANY_TEXT},
        ),
        "consent_to_contact": st.booleans(),
    },
    optional={"note": ANY_TEXT, "signaler_organisation": ANY_TEXT},
)
TEXTS = {"person.name", "person.street_address", "person.email", "person.phone", "note"}


@settings(
    max_examples=EXAMPLES[TEXT_FIELDS],
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
@given(body=ANY_SIGNAL)
async def test_any_text_in_a_signal_is_kept_or_refused_naming_its_field(
    clients: dict[str, httpx.AsyncClient], body: dict[str, Any]
) -> None:
    """The path past every check to the vault and the outbox, with any text a field can hold
    (control characters, surrogates as JSON escapes, any script): kept (202), or refused
    with the field named (422)."""
    answer = await clients["intake"].post(
        "/api/v1/signals",
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    OUTCOMES[TEXT_FIELDS][answer.status_code] += 1
    assert answer.status_code in (202, 422), answer.text[:500]
    if answer.status_code == 422:
        named = {error["field"] for error in answer.json()["errors"]}
        assert named <= TEXTS | {"signaler_organisation", "(body)"}, named


def test_every_route_is_generated() -> None:
    """The routes are read from the apps: a check that the reading misses none."""
    gateway = {e.template for e in endpoints(gateway_app(GatewaySettings(auth_secret=SECRET)))}
    assert {"/", "/melden", "/ontvangen/{receipt}", "/api/v1/auth/token"} <= gateway
    assert {"/api/v1/referrals/{rest:path}", "/static/{path:path}", "/readyz"} <= gateway
    intake = endpoints(intake_app(IntakeSettings(auth_secret=SECRET)))
    assert {(e.method, e.template) for e in intake} >= {
        ("POST", "/api/v1/signals"),
        ("POST", "/api/v1/referrals"),
        ("GET", "/healthz"),
    }
