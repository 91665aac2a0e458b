"""Triage: gives each referral a provisional grade (Movisie *Wegwijzer*, or none), judges its
urgency apart from the grade, finds its district and routes it to an owner, by a versioned rule
set whose every rule cites its source (``schakel/triage/rules/``)."""
