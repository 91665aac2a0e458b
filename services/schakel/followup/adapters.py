"""Follow-up's MongoDB: one document per referral (its state, folded from events, and its
log, whose notes are sealed with the referral's data key), the wrapped data keys, and the
answers kept for Idempotency-Keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import TypeAdapter
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from schakel.contracts.vocabulary import DeadlineKind, EscalationLevel
from schakel.followup.domain.deadlines import Pending, Within
from schakel.followup.domain.log import LogEntry
from schakel.followup.domain.state import Referral
from schakel.followup.notes import NoteSealer, WrappedKey, open_note, seal
from schakel.platform.mongo import Document, MongoStore, Transaction

REFERRALS = "referrals"
# One wrapped data key per referral that has notes; erasure deletes it (crypto-shredding).
NOTE_KEYS = "note_keys"
IDEMPOTENCY = "idempotency"
INBOX_LIMIT = 200

_STATE = TypeAdapter(Referral)
CodeKind = Literal["receipt_hash", "helper_code_hash"]
_LOG = TypeAdapter(list[LogEntry])


class StaleReferral(RuntimeError):
    """Someone else changed the referral since it was read: decide again on the new state."""


@dataclass(frozen=True)
class Remembered:
    """The answer given to a request with an Idempotency-Key, to give again on a retry."""

    fingerprint: str
    status_code: int
    body: dict[str, Any]


class ReferralStore(Protocol):
    async def get(self, referral_id: str) -> Referral | None: ...

    async def by_code(self, code: CodeKind, hashed: str) -> Referral | None:
        """The referral whose receipt or helper code has the hash ``hashed``."""
        ...

    async def log(self, referral_id: str) -> list[LogEntry]: ...

    async def save(self, state: Referral, read_version: int, entries: list[LogEntry]) -> None:
        """Store ``state`` and append ``entries``; StaleReferral when the stored version is no
        longer ``read_version`` (0: not stored yet)."""
        ...

    async def forget_notes(self, referral_id: str) -> int:
        """The person was erased: drop every note typed about them (free text could name
        them) and the key they were sealed with; the log's codes and times stay. How many
        notes were dropped."""
        ...


class IdempotencyStore(Protocol):
    async def remembered(self, key: str) -> Remembered | None: ...

    async def remember(self, key: str, answer: Remembered) -> None: ...


def state_to_doc(state: Referral) -> Document:
    doc: Document = _STATE.dump_python(state, mode="json")
    doc.pop("referral_id")
    return {
        "_id": state.referral_id,
        "state": doc,
        # Plain fields to query and sort the inbox by (the state holds them as text).
        "owner_organisation": state.owner_organisation,
        "status": None if state.status is None else state.status.value,
        "closed": state.closed,
        "escalated_to": sorted({e.organisation for e in state.escalations}),
        "receipt_hash": state.receipt_hash,
        "helper_code_hash": state.helper_code_hash,
        "version": state.version,
    }


def state_from_doc(doc: Document) -> Referral:
    return _STATE.validate_python({**doc["state"], "referral_id": doc["_id"]})


def log_to_docs(entries: list[LogEntry]) -> list[Document]:
    docs: list[Document] = _LOG.dump_python(entries, mode="json")
    return docs


def log_from_docs(docs: list[Document]) -> list[LogEntry]:
    return _LOG.validate_python(docs)


KeyDoc = Callable[[], Awaitable[Document | None]]


def unwrapped(sealer: NoteSealer, referral_id: str, doc: Document | None) -> bytes | None:
    """The referral's data key from its stored document; None when there is none (no note
    yet, or shredded)."""
    if doc is None:
        return None
    return sealer.unwrap(referral_id, WrappedKey(doc["nonce"], doc["wrapped_key"]))


async def opened_log(
    sealer: NoteSealer, referral_id: str, docs: list[Document], key_doc: KeyDoc
) -> list[LogEntry]:
    """The stored log with its notes opened for the owner's views."""
    if not any(isinstance(d.get("note"), bytes) for d in docs):
        return log_from_docs(docs)
    key = unwrapped(sealer, referral_id, await key_doc())
    return log_from_docs([_opened(d, key, referral_id) for d in docs])


def _opened(doc: Document, key: bytes | None, referral_id: str) -> Document:
    note = doc.get("note")
    if not isinstance(note, bytes):
        return doc
    # Without its key (shredded) a note is unreadable: none.
    opened = None if key is None else open_note(key, referral_id, doc["event_id"], note)
    return {**doc, "note": opened}


class MongoReferrals:
    def __init__(self, tx: Transaction, notes: NoteSealer) -> None:
        self._tx = tx
        self._notes = notes

    async def get(self, referral_id: str) -> Referral | None:
        doc = await self._tx[REFERRALS].find_one({"_id": referral_id}, projection={"log": 0})
        return None if doc is None else state_from_doc(doc)

    async def by_code(self, code: CodeKind, hashed: str) -> Referral | None:
        doc = await self._tx[REFERRALS].find_one({code: hashed}, projection={"log": 0})
        return None if doc is None else state_from_doc(doc)

    async def log(self, referral_id: str) -> list[LogEntry]:
        doc = await self._tx[REFERRALS].find_one({"_id": referral_id}, projection={"log": 1})
        docs = [] if doc is None else doc.get("log", [])
        return await opened_log(self._notes, referral_id, docs, self._key_doc(referral_id))

    def _key_doc(self, referral_id: str) -> KeyDoc:
        return lambda: self._tx[NOTE_KEYS].find_one({"_id": referral_id})

    async def save(self, state: Referral, read_version: int, entries: list[LogEntry]) -> None:
        doc = state_to_doc(state)
        log = await self._sealed(state.referral_id, entries)
        if read_version == 0:
            try:
                await self._tx[REFERRALS].insert_one({**doc, "log": log})
            except DuplicateKeyError as exc:
                raise StaleReferral(state.referral_id) from exc
            return
        fields = {k: v for k, v in doc.items() if k != "_id"}
        result = await self._tx[REFERRALS].update_one(
            {"_id": state.referral_id, "version": read_version},
            {"$set": fields, "$push": {"log": {"$each": log}}},
        )
        if result.matched_count != 1:
            raise StaleReferral(state.referral_id)

    async def _sealed(self, referral_id: str, entries: list[LogEntry]) -> list[Document]:
        """The entries to store, each note sealed with the referral's data key (made with
        the first note): a note is never written in plain text, not even to the oplog."""
        docs = log_to_docs(entries)
        if not any(d.get("note") is not None for d in docs):
            return docs
        key = await self._note_key_or_new(referral_id)
        return [
            d
            if d.get("note") is None
            else {**d, "note": seal(key, referral_id, d["event_id"], d["note"])}
            for d in docs
        ]

    async def _note_key_or_new(self, referral_id: str) -> bytes:
        key = unwrapped(self._notes, referral_id, await self._key_doc(referral_id)())
        if key is not None:
            return key
        key, wrapped = self._notes.new_key(referral_id)
        try:
            await self._tx[NOTE_KEYS].insert_one(
                {"_id": referral_id, "nonce": wrapped.nonce, "wrapped_key": wrapped.wrapped}
            )
        except DuplicateKeyError as exc:  # another unit of work made it meanwhile
            raise StaleReferral(referral_id) from exc
        return key

    async def forget_notes(self, referral_id: str) -> int:
        await self._tx[NOTE_KEYS].delete_one({"_id": referral_id})
        doc = await self._tx[REFERRALS].find_one({"_id": referral_id}, projection={"log": 1})
        entries = [] if doc is None else doc.get("log", [])
        noted = sum(1 for entry in entries if entry.get("note") is not None)
        if noted:
            kept = [{**entry, "note": None} for entry in entries]
            await self._tx[REFERRALS].update_one({"_id": referral_id}, {"$set": {"log": kept}})
        return noted


class MongoIdempotency:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def remembered(self, key: str) -> Remembered | None:
        doc = await self._tx[IDEMPOTENCY].find_one({"_id": key})
        if doc is None:
            return None
        return Remembered(doc["fingerprint"], int(doc["status_code"]), dict(doc["body"]))

    async def remember(self, key: str, answer: Remembered) -> None:
        await self._tx[IDEMPOTENCY].insert_one(
            {
                "_id": key,
                "fingerprint": answer.fingerprint,
                "status_code": answer.status_code,
                "body": answer.body,
            }
        )


async def prepare(store: MongoStore) -> None:
    """On start: the indexes the inbox queries use."""
    referrals = store.db[REFERRALS]
    await referrals.create_index([("owner_organisation", ASCENDING), ("closed", ASCENDING)])
    await referrals.create_index([("escalated_to", ASCENDING)])
    for code in ("receipt_hash", "helper_code_hash"):
        await referrals.create_index([(code, ASCENDING)], sparse=True)
    await store.db[DEADLINES].create_index([("state", ASCENDING), ("due_at", ASCENDING)])
    await store.db[DEADLINES].create_index([("referral_id", ASCENDING), ("state", ASCENDING)])


async def find_referral(
    store: MongoStore, notes: NoteSealer, referral_id: str
) -> tuple[Referral, list[LogEntry]] | None:
    doc = await store.db[REFERRALS].find_one({"_id": referral_id})
    if doc is None:
        return None
    key_doc = lambda: store.db[NOTE_KEYS].find_one({"_id": referral_id})  # noqa: E731
    log = await opened_log(notes, referral_id, doc.get("log", []), key_doc)
    return state_from_doc(doc), log


async def inbox_of(store: MongoStore, organisation: str, closed: bool) -> list[Referral]:
    """Referrals the organisation owns, or that were escalated to it (the coordination
    point), open ones unless ``closed``; at most INBOX_LIMIT, sorted by the caller."""
    query: Document = {
        "$or": [{"owner_organisation": organisation}, {"escalated_to": organisation}],
        "status": {"$ne": None},
    }
    if not closed:
        query["closed"] = False
    docs = await store.db[REFERRALS].find(query, projection={"log": 0}).limit(INBOX_LIMIT).to_list()
    return [state_from_doc(d) for d in docs]


# --- deadlines ------------------------------------------------------------------------------

DEADLINES = "deadlines"
PENDING, FIRED, CANCELLED = "pending", "fired", "cancelled"
_WITHIN = TypeAdapter(Within)


class DeadlineStore(Protocol):
    """The levels of deadlines waiting to fire, written in the unit of work that sets them."""

    async def add(self, pending: Pending) -> None: ...

    async def cancel_pending(self, referral_id: str) -> None:
        """Every level of the referral's deadlines still waiting: it will not fire."""
        ...

    async def claim(self, deadline_id: str, now: datetime) -> Pending | None:
        """Mark the level fired if it is still pending and due at ``now``, and give it; None
        when it is not (fired or cancelled meanwhile, by another instance too)."""
        ...

    async def pending_for(self, referral_id: str) -> list[Pending]: ...


def pending_to_doc(pending: Pending) -> Document:
    return {
        "_id": pending.deadline_id,
        "referral_id": pending.referral_id,
        "key": pending.key,
        "rule_id": pending.rule_id,
        "kind": pending.kind.value,
        "level": pending.level.value,
        "due_at": pending.due_at,
        "deadline_due_at": pending.deadline_due_at,
        "escalate_after": _WITHIN.dump_python(pending.escalate_after, mode="json"),
        "policy_version": pending.policy_version,
        "state": PENDING,
    }


def pending_from_doc(doc: Document) -> Pending:
    return Pending(
        deadline_id=str(doc["_id"]),
        referral_id=doc["referral_id"],
        key=doc["key"],
        rule_id=doc["rule_id"],
        kind=DeadlineKind(doc["kind"]),
        level=EscalationLevel(doc["level"]),
        due_at=doc["due_at"],
        deadline_due_at=doc["deadline_due_at"],
        escalate_after=_WITHIN.validate_python(doc["escalate_after"]),
        policy_version=doc["policy_version"],
    )


class MongoDeadlines:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, pending: Pending) -> None:
        await self._tx[DEADLINES].insert_one(pending_to_doc(pending))

    async def cancel_pending(self, referral_id: str) -> None:
        await self._tx[DEADLINES].update_many(
            {"referral_id": referral_id, "state": PENDING}, {"$set": {"state": CANCELLED}}
        )

    async def claim(self, deadline_id: str, now: datetime) -> Pending | None:
        claimed = await self._tx[DEADLINES].update_one(
            {"_id": deadline_id, "state": PENDING, "due_at": {"$lte": now}},
            {"$set": {"state": FIRED, "fired_at": now}},
        )
        if claimed.modified_count != 1:
            return None
        doc = await self._tx[DEADLINES].find_one({"_id": deadline_id})
        return None if doc is None else pending_from_doc(doc)

    async def pending_for(self, referral_id: str) -> list[Pending]:
        docs = (
            await self._tx[DEADLINES]
            .find({"referral_id": referral_id, "state": PENDING})
            .sort("due_at", ASCENDING)
            .to_list()
        )
        return [pending_from_doc(d) for d in docs]


async def due_deadlines(store: MongoStore, now: datetime, limit: int) -> list[str]:
    """Ids of the levels due at ``now``, the earliest first (claimed one by one after)."""
    docs = (
        await store.db[DEADLINES]
        .find({"state": PENDING, "due_at": {"$lte": now}}, projection={"_id": 1})
        .sort("due_at", ASCENDING)
        .limit(limit)
        .to_list()
    )
    return [str(d["_id"]) for d in docs]
