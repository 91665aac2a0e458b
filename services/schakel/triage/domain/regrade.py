"""Judging grade and urgency again after a concern, pure Python.

The sign rules run on what the signal said plus what the concern reports; grade and urgency
only go up (a concern adds signs, it takes none away), and the owner stays: a concern about
someone in care reaches the organisation that has them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from schakel.contracts.vocabulary import Channel, Observation
from schakel.triage.domain.decide import (
    GRADE_ORDER,
    URGENCY_ORDER,
    Decision,
    Facts,
    Fired,
    signs_hold,
)
from schakel.triage.domain.ruleset import RuleBook


@dataclass(frozen=True)
class Regrade:
    decision: Decision  # the decision with the new grade and urgency
    facts: Facts  # what is known now, the concern's observations included
    raised: bool  # grade or urgency went up
    fired: tuple[Fired, ...]  # the sign rules that hold now


def regrade(
    book: RuleBook,
    decision: Decision,
    facts: Facts | None,
    observations: Iterable[Observation],
) -> Regrade:
    known = facts or Facts(channel=Channel.WEBFORMULIER)  # decided before facts were kept
    now = replace(known, observations=known.observations | frozenset(observations))
    signs = [r for r in book.rules.signs if signs_hold(r.when, now)]
    grades = [g for g in (decision.grade, *(r.then.grade for r in signs)) if g is not None]
    grade = max(grades, key=GRADE_ORDER.index) if grades else None
    urgencies = [decision.urgency, *(r.then.urgency for r in signs if r.then.urgency)]
    urgency = max(urgencies, key=URGENCY_ORDER.index)
    raised = (grade, urgency) != (decision.grade, decision.urgency)
    fired = tuple(Fired(r.id, r.reason) for r in signs)
    return Regrade(replace(decision, grade=grade, urgency=urgency), now, raised, fired)
