"""What replay rebuilds of the audit: the archive itself, re-archived entry by entry by the
live handler, so every chain, seq, prev_hash and hash must come out the same (replay keeps
each chain's order), and the chains' heads. Not the head records (roots): a worker writes them
now and then, not the handler, so another run draws them at other moments."""

from __future__ import annotations

from schakel.audit.adapters import ARCHIVE, CHAINS, ensure_indexes
from schakel.audit.app import settings
from schakel.audit.handlers import on_every_record
from schakel.platform.handling import EventHandling
from schakel.platform.readmodels import ReadModel, Replaying

READ_MODELS = (
    # When the entry was stored: the wall clock of the run. Entries are matched by chain, seq.
    ReadModel(ARCHIVE, key=("chain", "seq"), referral="subject", ignore=frozenset({"archived_at"})),
    ReadModel(CHAINS, ignore=frozenset({"archived_at"})),
)


def replaying() -> Replaying:
    handling = EventHandling(every_record=on_every_record)
    return Replaying(settings(), handling, READ_MODELS, on_start=ensure_indexes)
