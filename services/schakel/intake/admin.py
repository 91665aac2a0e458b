"""Organisations' API keys over HTTP: an administrator issues, lists and revokes them, and
``signalling_key`` reads the key a signal is sent with (``X-Api-Key``).

A key only signals: intake accepts it on ``POST /api/v1/signals`` alone, and the gateway
refuses a request carrying one anywhere else (403).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated

from fastapi import Depends, HTTPException, Path, status
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field

from schakel.contracts.vocabulary import SignalerRole
from schakel.intake.adapters import IntakeUnitOfWork, MongoIntakeUnitOfWork
from schakel.intake.keys import ApiKey, key_id_of, matches, new_key
from schakel.intake.routes import router
from schakel.platform.auth import Authenticated, Role, require_role
from schakel.platform.dependencies import Store
from schakel.platform.logging import get_logger

log = get_logger(__name__)
API_KEY_HEADER = "X-Api-Key"
REQUEST_SECONDS = 5.0  # as for signals: someone is waiting
ORGANISATION_PATTERN = r"^[a-z0-9][a-z0-9-]{1,79}$"

TAGS: list[str | Enum] = ["intake: API keys"]
_key_header = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="An organisation's API key (from an administrator); signals only",
)


def _uow(store: Store) -> IntakeUnitOfWork:
    return MongoIntakeUnitOfWork(store, within=REQUEST_SECONDS)


UnitOfWork = Annotated[IntakeUnitOfWork, Depends(_uow)]


def _refused(reason: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, reason, headers={"WWW-Authenticate": "ApiKey"}
    )


async def signalling_key(
    uow: UnitOfWork, sent: Annotated[str | None, Depends(_key_header)]
) -> ApiKey | None:
    """The organisation's key a request is sent with; None without one, 401 for a key that
    is not (or no longer) valid."""
    if sent is None:
        return None
    key_id = key_id_of(sent)
    if key_id is None:
        raise _refused("not an API key: it looks like schakel_<8 hex digits>_<secret>")
    found = await uow(lambda records: records.api_key(key_id))
    if found is None or not matches(sent, found):
        log.info("unknown api key", key_id=key_id)
        raise _refused("unknown API key")
    if found.revoked:
        log.info("revoked api key used", key_id=key_id, organisation=found.organisation)
        raise _refused("this API key was revoked; ask your administrator for a new one")
    return found


SignallingKey = Annotated[ApiKey | None, Depends(signalling_key)]


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: str = Field(
        pattern=ORGANISATION_PATTERN,
        examples=["apotheek-overvecht"],
        description="The organisation's id: every signal sent with the key is this "
        "organisation's, and its staff (signaleringspartner tokens) follow them",
    )
    signaler_role: SignalerRole = Field(
        description="What kind of signaler the organisation is (apotheker, fietskoerier, "
        "thuiskok, supermarkt, …); not huisarts (GP practices send prescriptions) nor zelf"
    )


class KeyListing(BaseModel):
    key_id: str = Field(description="The key's prefix: schakel_<key_id>_…")
    organisation: str
    signaler_role: SignalerRole
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    revoked_by: str | None


class IssuedKey(KeyListing):
    key: str = Field(description="The key itself: shown only now, kept only as a hash")


class KeyList(BaseModel):
    keys: list[KeyListing]


def _listing(key: ApiKey) -> KeyListing:
    return KeyListing(
        key_id=key.key_id,
        organisation=key.organisation,
        signaler_role=key.signaler_role,
        created_at=key.created_at,
        created_by=key.created_by,
        revoked_at=key.revoked_at,
        revoked_by=key.revoked_by,
    )


@router.post(
    "/admin/api-keys",
    tags=TAGS,
    status_code=201,
    response_model=IssuedKey,
    summary="Issue an organisation's API key for signalling (administrators); shown once",
)
async def issue_key(uow: UnitOfWork, body: KeyRequest, principal: Authenticated) -> IssuedKey:
    require_role(principal, Role.ADMINISTRATOR)
    try:
        made = new_key(body.organisation, body.signaler_role, principal.username, _now())
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    await uow(lambda records: records.add_api_key(made.record))
    log.info("api key issued", key_id=made.record.key_id, organisation=body.organisation)
    return IssuedKey(key=made.key, **_listing(made.record).model_dump())


@router.get(
    "/admin/api-keys",
    tags=TAGS,
    response_model=KeyList,
    summary="Every API key issued, revoked ones too, without the keys (administrators)",
)
async def list_keys(uow: UnitOfWork, principal: Authenticated) -> KeyList:
    require_role(principal, Role.ADMINISTRATOR)
    keys = await uow(lambda records: records.api_keys())
    return KeyList(keys=[_listing(k) for k in keys])


@router.post(
    "/admin/api-keys/{key_id}/revoke",
    tags=TAGS,
    response_model=KeyListing,
    summary="Revoke an API key: it is refused from now on (administrators)",
    responses={404: {"description": "No key has this id"}},
)
async def revoke_key(
    uow: UnitOfWork,
    principal: Authenticated,
    key_id: Annotated[str, Path(pattern=r"^[0-9a-f]{8}$")],
) -> KeyListing:
    require_role(principal, Role.ADMINISTRATOR)
    revoked = await uow(lambda records: records.revoke_api_key(key_id, _now(), principal.username))
    if revoked is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no API key has this id")
    log.info("api key revoked", key_id=key_id, organisation=revoked.organisation)
    return _listing(revoked)


def _now() -> datetime:
    return datetime.now(UTC)
