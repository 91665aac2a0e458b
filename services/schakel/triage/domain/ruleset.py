"""Triage's rule set as data, validated: the rules (each with its source in the documents, or
marked as a project assumption where the documents are silent), the district table and the
owning organisations. Pure: the files are read by ``schakel.triage.rules``."""

from __future__ import annotations

import string
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schakel.contracts.vocabulary import (
    AgeBand,
    Channel,
    Grade,
    LonelinessKind,
    Observation,
    PrescribedTo,
    RiskGroup,
    Route,
    Urgency,
)


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Data):
    """Where a rule comes from: a document of ``../shared/domain/seeds`` (by its number), the
    place in it and, where it helps, its own words."""

    doc: str = Field(pattern=r"^00[0-4]$", description="Document number, e.g. 004")
    where: str = Field(min_length=1, description="Section or page, e.g. §6 Thuisgekookt")
    quote: str | None = None


class Cited(_Data):
    """Anything that says why: a source, an assumption (the documents are silent), or both
    (a source for the fact, an assumption for what the rule makes of it)."""

    source: Source | None = None
    assumption: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _says_why(self) -> Self:
        if self.source is None and self.assumption is None:
            raise ValueError("needs a source or an assumption")
        return self


class SignsWhen(_Data):
    """A sign rule's condition: every field given must hold; within a list, any one will do."""

    observations: tuple[Observation, ...] = ()
    age_bands: tuple[AgeBand, ...] = ()
    djg_min: int | None = Field(default=None, ge=0, le=6)
    djg_max: int | None = Field(default=None, ge=0, le=6)

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if (
            not (self.observations or self.age_bands)
            and self.djg_min is None
            and self.djg_max is None
        ):
            raise ValueError("a condition needs observations, age bands or a score range")
        return self


class SignsThen(_Data):
    grade: Grade | None = None
    urgency: Urgency | None = None
    kinds: tuple[LonelinessKind, ...] = ()
    risk_groups: tuple[RiskGroup, ...] = ()

    @model_validator(mode="after")
    def _does_something(self) -> Self:
        if self.grade is None and self.urgency is None and not (self.kinds or self.risk_groups):
            raise ValueError("an effect needs a grade, an urgency, kinds or risk groups")
        return self


class SignRule(Cited):
    """From what was noticed to grade, urgency, kinds of loneliness and risk groups."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    when: SignsWhen
    then: SignsThen
    reason: str = Field(min_length=1)


class RouteWhen(_Data):
    """A routing rule's condition: every field given must hold; within a list, any one."""

    age_bands: tuple[AgeBand, ...] = ()
    district_known: bool | None = None
    urgencies: tuple[Urgency, ...] = ()
    channels: tuple[Channel, ...] = ()
    prescribed_to: tuple[PrescribedTo, ...] = ()
    welzijn_op_recept_here: bool | None = None


class RouteRule(Cited):
    """The first routing rule whose condition holds names the route. Its reason may name
    ``{district_name}``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    when: RouteWhen = RouteWhen()
    route: Route
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _known_placeholders(self) -> Self:
        names = {field for _, field, _, _ in string.Formatter().parse(self.reason) if field}
        if names - {"district_name"}:
            raise ValueError(f"reason names unknown placeholders {sorted(names)}")
        return self


class Ungraded(Cited):
    """What fires when no sign rule gives a grade."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    reason: str = Field(min_length=1)


class UrgencyMeaning(Cited):
    meaning: str = Field(min_length=1)


class Coordination(Cited):
    """How long the coordination point has to assign an owner, by urgency (hours)."""

    assign_within_hours: dict[Urgency, int]

    @model_validator(mode="after")
    def _every_urgency(self) -> Self:
        if (
            set(self.assign_within_hours) != set(Urgency)
            or min(self.assign_within_hours.values()) < 1
        ):
            raise ValueError("every urgency needs a positive number of hours")
        return self


class RuleSet(_Data):
    """One version of the rules. A decision names this version and the ids that fired."""

    version: str = Field(pattern=r"^[0-9]{4}\.[0-9]{2}-[0-9]+$")
    summary: str
    documents: dict[str, str] = Field(description="Document number → title")
    urgency: dict[Urgency, UrgencyMeaning]
    coordination: Coordination
    ungraded: Ungraded
    signs: tuple[SignRule, ...]
    routes: tuple[RouteRule, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        rules: tuple[Ungraded | SignRule | RouteRule, ...] = (
            self.ungraded,
            *self.signs,
            *self.routes,
        )
        ids = [r.id for r in rules]
        if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"rule ids used twice: {duplicates}")
        cited = {r.source.doc for r in rules if r.source is not None}
        if unknown := sorted(cited - set(self.documents)):
            raise ValueError(f"rules cite documents not listed: {unknown}")
        if not self.routes or self.routes[-1].when != RouteWhen():
            raise ValueError("the last routing rule must hold always (the default route)")
        return self


class District(_Data):
    id: str = Field(pattern=r"^[a-z_]+$")
    name: str
    neighbourhoods: tuple[str, ...] = ()
    postcode_areas: tuple[int, ...] = Field(min_length=1)
    welzijn_op_recept: bool = False


class DistrictTable(_Data):
    """Districts (*wijken*) by four-digit postcode, and where Welzijn op recept runs."""

    note: str = Field(min_length=1, description="Where the table comes from, honestly")
    welzijn_op_recept: Cited
    districts: tuple[District, ...]

    @model_validator(mode="after")
    def _each_postcode_once(self) -> Self:
        seen: dict[int, str] = {}
        for district in self.districts:
            for pc4 in district.postcode_areas:
                if pc4 in seen:
                    raise ValueError(f"postcode {pc4} in {seen[pc4]} and {district.id}")
                seen[pc4] = district.id
        return self

    def by_postcode(self, postcode_area: str | None) -> District | None:
        if postcode_area is None or not postcode_area.isdigit():
            return None
        pc4 = int(postcode_area)
        return next((d for d in self.districts if pc4 in d.postcode_areas), None)

    def named(self, district_id: str) -> District | None:
        return next((d for d in self.districts if d.id == district_id), None)


class OwnerKind(Cited):
    """How the organisations of one route are named in each district."""

    route: Route
    id: str = Field(description="Organisation id; {district} is the district id")
    name: str = Field(description="Readable name; {district_name} is the district's name")


class Employer(Cited):
    """Who employs an owner kind, where the documents say so (all districts unless listed)."""

    route: Route
    name: str
    districts: tuple[str, ...] = ()


class Organisations(_Data):
    note: str
    kinds: tuple[OwnerKind, ...]
    employers: tuple[Employer, ...] = ()

    @model_validator(mode="after")
    def _one_kind_per_route(self) -> Self:
        routes = [k.route for k in self.kinds]
        if len(routes) != len(set(routes)) or Route.COORDINATIEPUNT in routes:
            raise ValueError(
                "one owner kind per district route; the coordination point is a setting"
            )
        return self


class Owner(_Data):
    organisation: str = Field(min_length=1)
    name: str = Field(min_length=1)


class RuleBook(_Data):
    """Everything triage decides with: a rule set, its districts and organisations, and the
    coordination point this deployment has named."""

    rules: RuleSet
    districts: DistrictTable
    organisations: Organisations
    coordination_point: Owner

    @model_validator(mode="after")
    def _routes_have_owners(self) -> Self:
        named = {k.route for k in self.organisations.kinds} | {Route.COORDINATIEPUNT}
        if missing := sorted({r.route for r in self.rules.routes} - named):
            raise ValueError(f"no organisations for routes {missing}")
        known = {d.id for d in self.districts.districts}
        for employer in self.organisations.employers:
            if unknown := sorted(set(employer.districts) - known):
                raise ValueError(f"employer {employer.name} in unknown districts {unknown}")
        return self

    def owner(self, route: Route, district: District | None) -> Owner:
        if route is Route.COORDINATIEPUNT:
            return self.coordination_point
        if district is None:
            raise ValueError(f"route {route.value} needs a district; the rule set is wrong")
        kind = next(k for k in self.organisations.kinds if k.route is route)
        name = kind.name.format(district_name=district.name)
        employer = next(
            (
                e.name
                for e in self.organisations.employers
                if e.route is route and (not e.districts or district.id in e.districts)
            ),
            None,
        )
        return Owner(
            organisation=kind.id.format(district=district.id),
            name=f"{name} ({employer})" if employer else name,
        )
