"""The blind index of open referrals (see ``duplicates``): per open referral, and per signal
waiting for its owner's answer, the person's features as keyed hashes, never a value.

An entry lives as long as its referral is open: the closing event removes it, so a closed
referral is never matched and its hashes are not kept beyond need. ``MongoPersonIndex`` is
mixed into ``MongoIntakeRecords``, so the handlers use it inside their unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from pymongo import ASCENDING

from schakel.intake.duplicates import Feature, PersonKeys
from schakel.platform.mongo import MongoStore, Transaction

PERSON_INDEX = "person_index"


class EntryState(StrEnum):
    OPEN = "open"  # a referral of its own, still open: new signals may attach to it
    HELD = "held"  # a signal suspected of being about ``suspected_of``'s person


@dataclass(frozen=True)
class IndexEntry:
    entry_id: str  # the referral id (open) or the held signal's id
    pseudonym: str
    keys: PersonKeys
    state: EntryState = EntryState.OPEN
    suspected_of: str | None = None
    # A held signal's received event (no personal details), sent when the owner rejects.
    received: dict[str, Any] | None = None
    correlation_id: str | None = None
    matched_on: tuple[str, ...] = ()  # why it is held (feature names)


class PersonIndex(Protocol):
    async def index(self, entry: IndexEntry) -> None: ...

    async def open_candidates(self, blocks: tuple[str, ...]) -> dict[str, PersonKeys]:
        """The open referrals sharing one of ``blocks`` (identifier hashes), by id."""
        ...

    async def index_entry(self, entry_id: str) -> IndexEntry | None: ...

    async def held_for(self, referral_id: str) -> list[IndexEntry]:
        """The signals waiting for an answer about ``referral_id``."""
        ...

    async def open_entry(self, entry_id: str) -> None:
        """A held signal became a referral of its own: it is open for matching now."""
        ...

    async def unindex(self, entry_id: str) -> None: ...


def entry_to_doc(entry: IndexEntry) -> dict[str, Any]:
    return {
        "_id": entry.entry_id,
        "pseudonym": entry.pseudonym,
        "keys": {feature.value: value for feature, value in entry.keys.hashes.items()},
        "blocks": list(entry.keys.blocks),
        "state": entry.state.value,
        "suspected_of": entry.suspected_of,
        "received": entry.received,
        "correlation_id": entry.correlation_id,
        "matched_on": list(entry.matched_on),
    }


def keys_from_doc(doc: dict[str, Any]) -> PersonKeys:
    return PersonKeys({Feature(feature): value for feature, value in doc["keys"].items()})


def entry_from_doc(doc: dict[str, Any]) -> IndexEntry:
    return IndexEntry(
        entry_id=doc["_id"],
        pseudonym=doc["pseudonym"],
        keys=keys_from_doc(doc),
        state=EntryState(doc["state"]),
        suspected_of=doc.get("suspected_of"),
        received=doc.get("received"),
        correlation_id=doc.get("correlation_id"),
        matched_on=tuple(doc.get("matched_on", ())),
    )


class MongoPersonIndex:
    _tx: Transaction

    async def index(self, entry: IndexEntry) -> None:
        await self._tx[PERSON_INDEX].insert_one(entry_to_doc(entry))

    async def open_candidates(self, blocks: tuple[str, ...]) -> dict[str, PersonKeys]:
        if not blocks:
            return {}
        query = {"state": EntryState.OPEN.value, "blocks": {"$in": list(blocks)}}
        docs = await self._tx[PERSON_INDEX].find(query).to_list()
        return {doc["_id"]: keys_from_doc(doc) for doc in docs}

    async def index_entry(self, entry_id: str) -> IndexEntry | None:
        doc = await self._tx[PERSON_INDEX].find_one({"_id": entry_id})
        return None if doc is None else entry_from_doc(doc)

    async def held_for(self, referral_id: str) -> list[IndexEntry]:
        query = {"state": EntryState.HELD.value, "suspected_of": referral_id}
        docs = await self._tx[PERSON_INDEX].find(query, sort=[("_id", ASCENDING)]).to_list()
        return [entry_from_doc(doc) for doc in docs]

    async def open_entry(self, entry_id: str) -> None:
        change = {"state": EntryState.OPEN.value, "suspected_of": None, "received": None}
        await self._tx[PERSON_INDEX].update_one({"_id": entry_id}, {"$set": change})

    async def unindex(self, entry_id: str) -> None:
        await self._tx[PERSON_INDEX].delete_one({"_id": entry_id})


async def create_index_collection(store: MongoStore) -> None:
    collection = store.db[PERSON_INDEX]
    if PERSON_INDEX not in await store.db.list_collection_names():
        await store.db.create_collection(PERSON_INDEX)
    await collection.create_index([("blocks", ASCENDING), ("state", ASCENDING)])
    await collection.create_index([("suspected_of", ASCENDING)])
