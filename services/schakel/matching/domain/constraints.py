"""Hard constraints: a helper that breaks one is never proposed. Each is one array operation
over referrals × helpers, and says, for a waitlist decision, why nothing fitted when it was
the one that bound.

Sources: consent and "talk first" (domain README, "Two rules the field works by"); grade per
the Wegwijzer (004 §7, ``KIND_PREFERENCE``); home cooks not for urgent signals and only with
consent (004 §6); a declined pair never again, a stopped helper never proposed and never two
open proposals of one kind (issue 12). The documents are silent on diets, mobility and the
district of activities: those rules are the project's reading and say so below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from schakel.matching.domain.batch import NeedBatch
from schakel.matching.domain.offers import Need
from schakel.matching.domain.table import BoolArray, HelperTable, IntArray, any_per_row


@dataclass(frozen=True)
class Constraint:
    name: str
    allowed: Callable[[NeedBatch, HelperTable], BoolArray]  # referrals × helpers
    why_not: Callable[[Need], str]  # the waitlist reason when this constraint bound


def consent(b: NeedBatch, t: HelperTable) -> BoolArray:
    return np.broadcast_to(b.consent[:, None], (len(b), len(t)))


def active(b: NeedBatch, t: HelperTable) -> BoolArray:
    return np.broadcast_to(t.active[None, :], (len(b), len(t)))


def not_declined(b: NeedBatch, t: HelperTable) -> BoolArray:
    allowed = np.ones((len(b), len(t)), dtype=np.bool_)
    for r, need in enumerate(b.needs):
        for helper_id in need.excluded:
            if (j := t.position.get(helper_id)) is not None:
                allowed[r, j] = False
    return allowed


def grade(b: NeedBatch, t: HelperTable) -> BoolArray:
    """The helper serves the need's grade with a kind the Wegwijzer, the urgency and the
    person's wishes allow."""
    serves = np.take(np.ascontiguousarray(t.grades.T), np.maximum(b.grade, 0), axis=0)
    serves &= (b.grade >= 0)[:, None]
    serves &= np.take(b.kind_allowed, t.kind, axis=1)
    return serves


def no_open_proposal_of_kind(b: NeedBatch, t: HelperTable) -> BoolArray:
    return np.asarray(~b.kind_open[:, t.kind], dtype=np.bool_)


def mobility(b: NeedBatch, t: HelperTable) -> BoolArray:
    """Housebound: only support that comes to the person. The project's reading."""
    return ~(b.housebound[:, None] & t.is_activity[None, :])


def district(b: NeedBatch, t: HelperTable) -> BoolArray:
    """An activity in another district is not proposed (city-wide ones are), as for Table 1's
    offers; buddies and cooks are weighed by distance instead."""
    here: BoolArray = (t.district[None, :] == -1) | (t.district[None, :] == b.district[:, None])
    return ~t.is_activity[None, :] | here


def diet(b: NeedBatch, t: HelperTable) -> BoolArray:
    """A cook serves every diet the person needs. The documents name no diets."""
    fits = np.ones((len(b), len(t)), dtype=np.bool_)
    cooks = np.flatnonzero(t.is_cook)  # the others serve no meals: only cooks are checked
    missing = b.diet_bits[:, None, 0] & ~t.diet_bits[None, cooks, 0]  # DIETS fit in one word
    fits[:, cooks] = missing == 0
    return fits


def capacity(b: NeedBatch, t: HelperTable) -> BoolArray:
    return np.broadcast_to((t.free > 0)[None, :], (len(b), len(t)))


def _grade_text(need: Need) -> str:
    grade_name = need.grade.value if need.grade else "none (ungraded)"
    return f"no helper serves grade {grade_name} with a kind of support that may be proposed"


def _where(need: Need) -> str:
    return f"in {need.district}" if need.district else "(district unknown)"


def _diets(need: Need) -> str:
    return ", ".join(sorted(d.value for d in need.diets))


CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("consent", consent, lambda n: "no consent to contact: no helper is proposed"),
    Constraint("stopped", active, lambda n: "every helper that might fit has stopped"),
    Constraint("declined", not_declined, lambda n: "the person declined every helper that fits"),
    Constraint("grade", grade, _grade_text),
    Constraint(
        "open_proposal",
        no_open_proposal_of_kind,
        lambda n: "a proposal of every fitting kind is already open",
    ),
    Constraint(
        "mobility", mobility, lambda n: "housebound: no helper who comes to the person fits"
    ),
    Constraint("district", district, lambda n: f"no fitting activity {_where(n)} or city-wide"),
    Constraint("diet", diet, lambda n: f"no home cook cooks {_diets(n)}"),
    Constraint("capacity", capacity, lambda n: "every helper that fits is full"),
)
NONE_BOUND = -1
EMPTY_REGISTRY = -2


@dataclass(frozen=True)
class Feasible:
    allowed: BoolArray  # referrals × helpers
    binding: IntArray  # per referral: index into CONSTRAINTS of the one that left none

    def reason(self, r: int, need: Need) -> str | None:
        """Why nothing fits referral ``r``; None when something does."""
        index = int(self.binding[r])
        if index == NONE_BOUND:
            return None
        if index == EMPTY_REGISTRY:
            return "capacity: no helper is registered"
        constraint = CONSTRAINTS[index]
        return f"{constraint.name}: {constraint.why_not(need)}"


def feasible(b: NeedBatch, t: HelperTable) -> Feasible:
    """Pairs that break no constraint, and per referral the constraint that left none."""
    allowed = np.ones((len(b), len(t)), dtype=np.bool_)
    for constraint in CONSTRAINTS:
        allowed &= constraint.allowed(b, t)
    binding = np.full(len(b), NONE_BOUND if len(t) else EMPTY_REGISTRY, dtype=np.int64)
    if len(t) and len(none_fit := np.flatnonzero(~any_per_row(allowed))):
        binding[none_fit] = _binding(b.at(none_fit), t)
    return Feasible(allowed, binding)


def _binding(b: NeedBatch, t: HelperTable) -> IntArray:
    """For referrals nothing fits, the constraint that left none: the constraints again, in
    their order, for these few referrals only."""
    allowed = np.ones((len(b), len(t)), dtype=np.bool_)
    alive = np.ones(len(b), dtype=np.bool_)
    binding = np.full(len(b), NONE_BOUND, dtype=np.int64)
    for index, constraint in enumerate(CONSTRAINTS):
        allowed &= constraint.allowed(b, t)
        still = any_per_row(allowed)
        binding[alive & ~still] = index
        alive = still
    return binding
