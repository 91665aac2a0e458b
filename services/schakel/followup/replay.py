"""What replay rebuilds of followup: every referral (its state, folded from the events, and
its log) and the levels of its deadlines, with the live fold and deadline keeping
(``handlers.rebuild``). The scheduler does not run: a deadline of the history passed when
its DeadlinePassed event says, never because the replay's clock says so."""

from __future__ import annotations

import os

from schakel.followup import duplicates
from schakel.followup.adapters import CANCELLED, DEADLINES, REFERRALS, prepare
from schakel.followup.app import settings, setup_of
from schakel.followup.handlers import replay_handlers
from schakel.followup.notes import KEY_BYTES, NoteSealer
from schakel.platform.handling import EventHandling
from schakel.platform.mongo import MongoStore
from schakel.platform.readmodels import ReadModel, Replaying

READ_MODELS = (
    # Notes are free text the owner typed with a command: kept only here, never in an event.
    # Sealed live (a referral's own key), none replayed.
    # Its log and the ids it applied are in the order followup applied them: an owner's
    # command decided while a consumed event of the same referral was on its way is applied
    # first live and archived after it, so these hold the same entries in another order.
    ReadModel(
        REFERRALS,
        ignore=frozenset({"log.note"}),
        unordered=frozenset({"log", "state.history"}),
    ),
    # Ids are minted per run; a level cancelled within one live unit of work may be written
    # and cancelled between two replayed events of it: only what waits or fired counts.
    ReadModel(
        DEADLINES,
        key=("referral_id", "key", "level"),
        referral="referral_id",
        ignore=frozenset({"_id"}),
        only={"state": {"$ne": CANCELLED}},
    ),
    ReadModel(duplicates.SUSPICIONS, referral="referral_id"),
)


def replaying() -> Replaying:
    config = settings()
    # Replay seals no note (no event carries one), so it needs no notes key: a throwaway one.
    setup = setup_of(config, NoteSealer(os.urandom(KEY_BYTES)))
    handling = EventHandling({**replay_handlers(setup), **duplicates.HANDLERS})

    async def on_start(store: MongoStore) -> None:
        await prepare(store)
        await duplicates.prepare(store)

    return Replaying(config, handling, READ_MODELS, on_start=on_start)
