"""Matching's registry of helpers in MongoDB: one document per helper, holding the profile
as its coordinator last gave it (the contracts' ``HelperProfile``), the places in use and
whether the helper stopped. The location is derived from the profile's PC4 on reading."""

from __future__ import annotations

from typing import Protocol

from pymongo import ASCENDING

from schakel.contracts.events import HelperProfile
from schakel.matching.domain.helpers import AnyHelper, Buddy, HelperStatus, HomeCook
from schakel.matching.domain.registry import helper_of
from schakel.matching.postcodes import locate
from schakel.platform.mongo import Document, MongoStore, Transaction

HELPERS = "helpers"


class HelperStore(Protocol):
    async def get(self, helper_id: str) -> AnyHelper | None: ...

    async def save(self, helper: AnyHelper) -> None:
        """Insert or replace the helper (profile, places in use, status)."""
        ...

    async def of_organisation(self, organisation: str) -> list[AnyHelper]:
        """The organisation's helpers, stopped ones too, by id."""
        ...

    async def active(self) -> list[AnyHelper]:
        """Every helper that has not stopped, by id: the candidates for matching."""
        ...

    async def take_place(self, helper_id: str) -> bool:
        """One more place in use; False when the helper is full, stopped or unknown."""
        ...

    async def free_place(self, helper_id: str) -> None:
        """One place fewer in use (never below none)."""
        ...


def profile_of(helper: AnyHelper) -> HelperProfile:
    """The profile a helper was made from (the inverse of ``helper_of``)."""
    common = {
        "kind": helper.kind,
        "postcode_area": helper.location.pc4 if helper.location else None,
        "capacity": helper.capacity,
        "languages": sorted(helper.languages),
        "age_groups": sorted(helper.age_groups),
        "availability": sorted(helper.availability),
    }
    if isinstance(helper, Buddy):
        return HelperProfile(
            **common, buddy_type=helper.buddy_type, interests=sorted(helper.interests)
        )
    if isinstance(helper, HomeCook):
        return HelperProfile(
            **common, diets=sorted(helper.cooks), meals_per_week=helper.meals_per_week
        )
    return HelperProfile(
        **common,
        title=helper.title,
        grades=sorted(helper.serves),
        district=helper.district,
        schedule=helper.schedule or None,
    )


def helper_to_doc(helper: AnyHelper) -> Document:
    return {
        "_id": helper.helper_id,
        "organisation": helper.organisation,
        "profile": profile_of(helper).model_dump(mode="json"),
        "in_use": helper.in_use,
        "free": helper.free,  # kept beside in_use: taking a place is one conditional update
        "status": helper.status.value,
    }


def helper_from_doc(doc: Document) -> AnyHelper:
    return helper_of(
        str(doc["_id"]),
        doc["organisation"],
        HelperProfile.model_validate(doc["profile"]),
        locate,
        in_use=int(doc["in_use"]),
        status=HelperStatus(doc["status"]),
    )


class MongoHelpers:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def get(self, helper_id: str) -> AnyHelper | None:
        doc = await self._tx[HELPERS].find_one({"_id": helper_id})
        return None if doc is None else helper_from_doc(doc)

    async def save(self, helper: AnyHelper) -> None:
        doc = helper_to_doc(helper)
        await self._tx[HELPERS].replace_one({"_id": doc["_id"]}, doc, upsert=True)

    async def of_organisation(self, organisation: str) -> list[AnyHelper]:
        cursor = self._tx[HELPERS].find({"organisation": organisation}, sort=[("_id", 1)])
        return [helper_from_doc(d) for d in await cursor.to_list()]

    async def active(self) -> list[AnyHelper]:
        cursor = self._tx[HELPERS].find({"status": HelperStatus.ACTIVE.value}, sort=[("_id", 1)])
        return [helper_from_doc(d) for d in await cursor.to_list()]

    async def take_place(self, helper_id: str) -> bool:
        result = await self._tx[HELPERS].update_one(
            {"_id": helper_id, "status": HelperStatus.ACTIVE.value, "free": {"$gt": 0}},
            {"$inc": {"in_use": 1, "free": -1}},
        )
        return result.matched_count == 1

    async def free_place(self, helper_id: str) -> None:
        await self._tx[HELPERS].update_one(
            {"_id": helper_id, "in_use": {"$gt": 0}}, {"$inc": {"in_use": -1, "free": 1}}
        )


async def prepare_helpers(store: MongoStore) -> None:
    await store.db[HELPERS].create_index([("organisation", ASCENDING)])
    await store.db[HELPERS].create_index([("status", ASCENDING)])
