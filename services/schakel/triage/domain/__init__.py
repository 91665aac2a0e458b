"""Triage's rules, pure Python: the rule book's model (``ruleset``) and the decision it gives
for what is known of a referral (``decide``)."""

from schakel.triage.domain.decide import Decision, Facts, Fired, triage
from schakel.triage.domain.ruleset import RuleBook

__all__ = ["Decision", "Facts", "Fired", "RuleBook", "triage"]
