"""Intake: accepts signals and GP wellbeing prescriptions, keeps the person's details in an
encrypted vault and publishes a pseudonymous ``referral.received`` event."""
