"""Triage's rule sets, shipped as package data: ``<version>.rules.toml`` (the rules with their
sources), ``<version>.districts.toml`` (the district table) and
``<version>.organisations.toml`` (the owning organisations). A rule set is read and validated
once, at start-up; a file that does not validate stops the service with the reason."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from schakel.triage.domain.ruleset import (
    DistrictTable,
    Organisations,
    Owner,
    RuleBook,
    RuleSet,
)

CURRENT = "2026.12-1"
DEFAULT_COORDINATION_POINT = Owner(
    organisation="coordinatiepunt-eenzaamheid", name="Coördinatiepunt eenzaamheid"
)


class RuleSetMissing(LookupError):
    """No rule set of that version ships with this build."""


def _read(version: str, part: str) -> dict[str, Any]:
    resource = resources.files(__name__) / f"{version}.{part}.toml"
    if not resource.is_file():
        raise RuleSetMissing(f"no triage rule set {version!r} ({part}) in this build")
    return tomllib.loads(resource.read_text(encoding="utf-8"))


def versions() -> list[str]:
    """The rule set versions this build ships, oldest first."""
    names = (r.name for r in resources.files(__name__).iterdir())
    return sorted(n.removesuffix(".rules.toml") for n in names if n.endswith(".rules.toml"))


def load(
    version: str = CURRENT, coordination_point: Owner = DEFAULT_COORDINATION_POINT
) -> RuleBook:
    """The rule book of ``version``; raises pydantic's ValidationError when a file is wrong."""
    rules = RuleSet.model_validate(_read(version, "rules"))
    if rules.version != version:
        raise ValueError(f"{version}.rules.toml says it is version {rules.version}")
    return RuleBook(
        rules=rules,
        districts=DistrictTable.model_validate(_read(version, "districts")),
        organisations=Organisations.model_validate(_read(version, "organisations")),
        coordination_point=coordination_point,
    )
