"""Hard constraints: a helper that breaks one is never proposed. Each says, for a waitlist
decision, why nothing fitted when it was the one that bound.

Sources: consent and "talk first" (domain README, "Two rules the field works by"); grade per
the Wegwijzer (004 §7, ``KIND_PREFERENCE``); home cooks not for urgent signals and only with
consent (004 §6); a declined pair never again and a stopped helper never proposed (issue 12).
The documents are silent on diets, mobility and district limits of activities: those rules
are the project's reading and say so below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from schakel.matching.domain.offers import Need, suits_grade
from schakel.matching.domain.table import (
    DIETS,
    GRADES,
    KINDS,
    BoolArray,
    HelperTable,
    any_per_row,
    flags_of,
)
from schakel.matching.domain.terms import Mobility


@dataclass(frozen=True)
class Constraint:
    name: str
    allowed: Callable[[Need, HelperTable], BoolArray]
    why_not: Callable[[Need], str]  # the waitlist reason when this constraint bound


def _all(table: HelperTable, value: bool) -> BoolArray:
    return np.full(len(table), value, dtype=np.bool_)


def consent(need: Need, table: HelperTable) -> BoolArray:
    return _all(table, need.consent_to_contact)


def active(need: Need, table: HelperTable) -> BoolArray:
    return table.active


def not_declined(need: Need, table: HelperTable) -> BoolArray:
    if not need.excluded:
        return _all(table, True)
    return np.array([h.helper_id not in need.excluded for h in table.helpers], dtype=np.bool_)


def grade(need: Need, table: HelperTable) -> BoolArray:
    """The helper's kind and grades suit the need as the Wegwijzer orders them."""
    if need.grade is None:
        return _all(table, False)
    row = GRADES.index(need.grade)
    fits_kind = np.array(
        [suits_grade(k, frozenset({need.grade}), need) for k in KINDS], dtype=np.bool_
    )
    return table.grades[:, row] & fits_kind[table.kind]


def no_open_proposal_of_kind(need: Need, table: HelperTable) -> BoolArray:
    """Never two open proposals of the same kind for one referral."""
    open_kind = np.array([k in need.open_kinds for k in KINDS], dtype=np.bool_)
    return ~open_kind[table.kind]


def mobility(need: Need, table: HelperTable) -> BoolArray:
    """Housebound: only support that comes to the person. The project's reading."""
    if need.mobility is not Mobility.AAN_HUIS_GEBONDEN:
        return _all(table, True)
    return ~table.is_activity


def district(need: Need, table: HelperTable) -> BoolArray:
    """An activity in another district is not proposed (city-wide ones are), as for Table 1's
    offers; buddies and cooks are weighed by distance instead."""
    known = table.district_vocabulary
    code = known.index(need.district) if need.district in known else -2
    here = np.isin(table.district, (-1, code))
    return np.asarray(~table.is_activity | here, dtype=np.bool_)


def diet(need: Need, table: HelperTable) -> BoolArray:
    """A cook serves every diet the person needs. The documents name no diets."""
    wanted = flags_of(need.diets, DIETS)
    served = ~any_per_row(wanted & ~table.diets)
    return ~table.is_cook | served


def capacity(need: Need, table: HelperTable) -> BoolArray:
    return table.free > 0


def _where(need: Need) -> str:
    return f"in {need.district}" if need.district else "(district unknown)"


CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("consent", consent, lambda n: "no consent to contact: no helper is ever proposed"),
    Constraint("stopped", active, lambda n: "every helper that might fit has stopped"),
    Constraint("declined", not_declined, lambda n: "the person declined every helper that fits"),
    Constraint(
        "grade",
        grade,
        lambda n: (
            f"no helper serves grade {n.grade.value if n.grade else 'none'} "
            "with a kind of support that may be proposed"
        ),
    ),
    Constraint(
        "open_proposal",
        no_open_proposal_of_kind,
        lambda n: "a proposal of every fitting kind is already open",
    ),
    Constraint(
        "mobility", mobility, lambda n: "housebound: no helper who comes to the person fits"
    ),
    Constraint("district", district, lambda n: f"no fitting activity {_where(n)} or city-wide"),
    Constraint(
        "diet",
        diet,
        lambda n: f"no home cook cooks {', '.join(sorted(d.value for d in n.diets))}",
    ),
    Constraint("capacity", capacity, lambda n: "every helper that fits is full"),
)


@dataclass(frozen=True)
class Binding:
    """The constraint that left no helper, and how many fitted everything before it."""

    constraint: Constraint
    fitted_before: int
    need: Need

    @property
    def reason(self) -> str:
        return f"{self.constraint.name}: {self.constraint.why_not(self.need)}"


def feasible(need: Need, table: HelperTable) -> tuple[BoolArray, Binding | None]:
    """Helpers that break no constraint, and the constraint that left none (if one did)."""
    allowed = _all(table, True)
    for constraint in CONSTRAINTS:
        before = int(allowed.sum())
        allowed &= constraint.allowed(need, table)
        if not allowed.any():
            return allowed, Binding(constraint, before, need)
    return allowed, None
