"""Matching's rules, pure Python (no I/O):

- ``offers``: the Table 1 offer registry's rules (grade per the Wegwijzer, the need);
- ``terms``, ``helpers``: buddies, home cooks and activities with capacity and location;
- ``table``: the registry as arrays; ``constraints`` (hard) and ``scores`` (soft, explained),
  the scores computed for ``pairs`` picked beforehand (those that break no constraint);
- ``assignment``: the best helper for one referral, and the optimum over all open ones.
"""

from schakel.matching.domain.offers import (
    KIND_PREFERENCE,
    UNGRADED,
    MaatjeType,
    Need,
    Offer,
    Outcome,
    Proposal,
    WaitlistDecision,
    propose,
    wanted_kinds,
    without_places,
)

__all__ = [
    "KIND_PREFERENCE",
    "UNGRADED",
    "MaatjeType",
    "Need",
    "Offer",
    "Outcome",
    "Proposal",
    "WaitlistDecision",
    "propose",
    "wanted_kinds",
    "without_places",
]
