"""Followup's deadline policies, shipped as package data: ``<version>.deadlines.toml``. A
policy is read and validated once, at start-up; a file that does not validate stops the
service with the reason. A policy may name a ``base`` and replace some of its rules:
``2026.12-1-demo`` (what ``make run`` uses) makes the urgent deadlines minutes, so reminders
and escalations show during a demonstration."""

from __future__ import annotations

import tomllib
from importlib import resources

from schakel.followup.domain.deadlines import DeadlinePolicy

CURRENT = "2026.12-1"


class PolicyMissing(LookupError):
    """No deadline policy of that version ships with this build."""


def versions() -> list[str]:
    names = (r.name for r in resources.files(__name__).iterdir())
    return sorted(n.removesuffix(".deadlines.toml") for n in names if n.endswith(".deadlines.toml"))


def load(version: str = CURRENT) -> DeadlinePolicy:
    """The policy of ``version``; raises pydantic's ValidationError when the file is wrong."""
    resource = resources.files(__name__) / f"{version}.deadlines.toml"
    if not resource.is_file():
        raise PolicyMissing(f"no deadline policy {version!r} in this build")
    policy = DeadlinePolicy.model_validate(tomllib.loads(resource.read_text(encoding="utf-8")))
    if policy.version != version:
        raise ValueError(f"{version}.deadlines.toml says it is version {policy.version}")
    return policy if policy.base is None else policy.on(load(policy.base))
