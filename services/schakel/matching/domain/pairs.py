"""Referral × helper pairs as two aligned index arrays. The scores are computed for pairs
picked beforehand: only about a third of all pairs break no hard constraint, so scoring only
those is most of what makes the optimum over 1,000 referrals × 10,000 helpers fast."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from schakel.matching.domain.table import BoolArray, IntArray


@dataclass(frozen=True)
class Pairs:
    need: IntArray  # row in the NeedBatch, ascending
    helper: IntArray  # row in the HelperTable, ascending within one need

    def __len__(self) -> int:
        return len(self.need)

    @classmethod
    def allowed(cls, allowed: BoolArray, every: int = 1) -> Pairs:
        """The pairs a referrals × helpers mask allows, referral by referral; ``every``:
        only those of every so many helpers (a sample)."""
        mask = allowed[:, ::every]
        need, helper = np.divmod(np.flatnonzero(mask), mask.shape[1])
        return cls(need, helper * every if every > 1 else helper)

    @classmethod
    def every(cls, needs: int, helpers: int) -> Pairs:
        return cls.allowed(np.ones((needs, helpers), dtype=np.bool_))

    def kept(self, keep: BoolArray) -> Pairs:
        return Pairs(self.need[keep], self.helper[keep])
