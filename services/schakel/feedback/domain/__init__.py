"""Feedback's rules, pure Python: the referral read model folded from every event, the
signaler's stages and what a referrer hears."""

from schakel.contracts.receipts import receipt_hash as receipt_hash
from schakel.feedback.domain.fold import Followed, apply
from schakel.feedback.domain.model import (
    Acceptance,
    HistoryEntry,
    Lifecycle,
    ProposedSupport,
    ReferralState,
    ReferralStatus,
    StageReached,
)
from schakel.feedback.domain.referrer import referrer_update

# receipt_hash is re-exported from the contract that intake hashes with too: a code typed with
# other spaces or case still finds its signal.

__all__ = [
    "Acceptance",
    "Followed",
    "HistoryEntry",
    "Lifecycle",
    "ProposedSupport",
    "ReferralState",
    "ReferralStatus",
    "StageReached",
    "apply",
    "receipt_hash",
    "referrer_update",
]
