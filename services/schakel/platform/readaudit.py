"""Reads are audited: a service that shows someone a view of a referral records it as a
``nl.schakel.referral.viewed.v1`` event (through its outbox, so the audit archives it in the
referral's timeline), once per account, view and day (Europe/Amsterdam's day is close
enough to UTC's for this: the UTC date is used), so a page that refreshes adds nothing."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo.errors import CollectionInvalid, DuplicateKeyError

from schakel.contracts.envelope import new_event
from schakel.contracts.persons import DetailsReader, ReferralView, ReferralViewed
from schakel.platform.auth import Principal
from schakel.platform.mongo import MongoStore, Transaction, ensure_ttl_index

VIEWS = "referral_views"
RECORD_SECONDS = 5.0  # someone waits for the view
# A key only matters on its day (the event is the record): then MongoDB's TTL monitor drops it.
VIEW_KEY_RETENTION = timedelta(days=2)
_prepared: set[str] = set()  # databases whose collection exists


def acting_role(principal: Principal) -> str:
    """The role a view is recorded under: the account's roles, by name, joined."""
    return "+".join(sorted(principal.roles)) or "none"


async def ensure_views(store: MongoStore) -> None:
    """The collection before its first use, which is then not inside a transaction."""
    if store.db.name in _prepared:
        return
    with contextlib.suppress(CollectionInvalid):  # there already
        await store.db.create_collection(VIEWS)
    await ensure_ttl_index(store.db[VIEWS], "at", VIEW_KEY_RETENTION)
    _prepared.add(store.db.name)


async def record_view(
    store: MongoStore,
    principal: Principal,
    referral_id: str,
    view: ReferralView,
    *,
    source: str,
    correlation_id: str,
) -> bool:
    """True when this was the account's first view of the referral today (an event)."""
    await ensure_views(store)
    at = datetime.now(UTC)
    key = f"{referral_id}|{principal.username}|{view.value}|{at.date().isoformat()}"
    viewed = ReferralViewed(
        referral_id=referral_id,
        viewed_by=DetailsReader(
            username=principal.username,
            organisation=principal.organisation,
            role=acting_role(principal),
        ),
        view=view,
        viewed_at=at,
    )

    async def work(tx: Transaction) -> bool:
        if await tx[VIEWS].find_one({"_id": key}) is not None:
            return False
        await tx[VIEWS].insert_one({"_id": key, "at": at})
        event = new_event(viewed, source=source, subject=referral_id, correlation_id=correlation_id)
        tx.emit(event)
        return True

    try:
        return await store.transaction(work, within=RECORD_SECONDS)
    except DuplicateKeyError:  # the same account, in another tab, at the same moment
        return False


@dataclass(frozen=True)
class ViewRecorder:
    """``record_view`` for one request (its database and correlation id); routes get it as
    the ``RecordView`` dependency."""

    store: MongoStore
    correlation_id: str

    async def __call__(
        self, principal: Principal, referral_id: str, view: ReferralView, *, source: str
    ) -> bool:
        return await record_view(
            self.store,
            principal,
            referral_id,
            view,
            source=source,
            correlation_id=self.correlation_id,
        )
