"""What replay rebuilds of the audit: the archive itself, re-archived entry by entry by the
live handler, so every seq, prev_hash and hash must come out the same, and the chain head."""

from __future__ import annotations

from schakel.audit.adapters import ARCHIVE, CHAIN, ensure_indexes
from schakel.audit.app import settings
from schakel.audit.handlers import on_every_record
from schakel.platform.handling import EventHandling
from schakel.platform.readmodels import ReadModel, Replaying

READ_MODELS = (
    # When the entry was stored: the wall clock of the run. Entries are matched by seq.
    ReadModel(ARCHIVE, key=("seq",), referral="subject", ignore=frozenset({"archived_at"})),
    ReadModel(CHAIN),
)


def replaying() -> Replaying:
    handling = EventHandling(every_record=on_every_record)
    return Replaying(settings(), handling, READ_MODELS, on_start=ensure_indexes)
