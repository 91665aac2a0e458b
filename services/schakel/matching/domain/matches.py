"""A match: the support the person confirmed, with a start and an end. It holds one place of
the helper or offer from the confirmation until it ends (the referral closes, or its term
runs out); a proposal declined or closed before confirmation gives its place back at once.

A buddy match runs one year and may be renewed once (issue 12). The source documents name no
term for a buddy match nor for any other kind (grep of ``shared/domain``: the evaluation and
the plans describe the buddy projects, never how long a match lasts), so the year is the
issue's, and every other kind runs until the referral closes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from schakel.contracts.vocabulary import OfferKind

BUDDY_TERM = timedelta(days=365)
BUDDY_RENEWALS = 1


@dataclass(frozen=True)
class MatchTerm:
    start: datetime  # the confirmation, moved to when the support started
    end: datetime | None  # None: until the referral closes
    renewals_left: int = 0


def term_for(kind: OfferKind, start: datetime) -> MatchTerm:
    if kind is OfferKind.MAATJE:
        return MatchTerm(start, start + BUDDY_TERM, BUDDY_RENEWALS)
    return MatchTerm(start, None, 0)


def started(term: MatchTerm, at: datetime) -> MatchTerm:
    """The support started at ``at``: the term counts from then (a renewal already used
    stays used)."""
    if term.end is None:
        return replace(term, start=at)
    return replace(term, start=at, end=at + (term.end - term.start))


def renewed(term: MatchTerm) -> MatchTerm | str:
    """One more term from the current end; else why not."""
    if term.end is None:
        return "this match runs until the referral closes: there is no term to renew"
    if term.renewals_left <= 0:
        return "a buddy match may be renewed once, and this one was"
    return replace(term, end=term.end + BUDDY_TERM, renewals_left=term.renewals_left - 1)


def due(term: MatchTerm, now: datetime) -> bool:
    return term.end is not None and term.end <= now
