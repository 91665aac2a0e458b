"""The providers' registries as their coordinators change them: a profile from the contracts
becomes a helper, every change is checked against who may make it and yields the event that
records it. A coordinator manages only their own organisation's helpers (issue 12)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from schakel.contracts.events import (
    HelperProfile,
    HelperRegistered,
    HelperStopped,
    HelperUpdated,
)
from schakel.contracts.vocabulary import BuddyType, OfferKind
from schakel.matching.domain.helpers import (
    Activity,
    AnyHelper,
    Buddy,
    HelperStatus,
    HomeCook,
)
from schakel.matching.domain.terms import Location

Locate = Callable[[str | None], Location | None]  # PC4 → its centroid (the shipped table)
Change = HelperRegistered | HelperUpdated | HelperStopped


@dataclass(frozen=True)
class Refused:
    status: int  # the HTTP status the refusal answers with: 404 unknown, 409 conflict, 422
    reason: str


def invalid_profile(profile: HelperProfile) -> str | None:
    """What a profile lacks for its kind; None when it is complete."""
    if profile.kind is OfferKind.MAATJE and profile.buddy_type is None:
        return "a buddy needs a buddy_type"
    is_activity = profile.kind not in (OfferKind.MAATJE, OfferKind.THUISGEKOOKT)
    if is_activity and (not profile.title or not profile.grades):
        return "an activity needs a title and the grades it serves"
    if profile.buddy_type is not BuddyType.TELEFOONMAATJE and profile.postcode_area is None:
        return "a postcode_area is needed (only a phone buddy may go without)"
    return None


def helper_of(
    helper_id: str,
    organisation: str,
    profile: HelperProfile,
    locate: Locate,
    *,
    in_use: int = 0,
    status: HelperStatus = HelperStatus.ACTIVE,
) -> AnyHelper:
    common = {
        "helper_id": helper_id,
        "organisation": organisation,
        "location": locate(profile.postcode_area),
        "capacity": profile.capacity,
        "in_use": in_use,
        "status": status,
        "languages": frozenset(profile.languages),
        "age_groups": frozenset(profile.age_groups),
        "availability": frozenset(profile.availability),
    }
    if profile.kind is OfferKind.MAATJE:
        assert profile.buddy_type is not None  # invalid_profile refused it otherwise
        return Buddy(
            **common,  # type: ignore[arg-type]
            buddy_type=profile.buddy_type,
            buddy_interests=frozenset(profile.interests),
        )
    if profile.kind is OfferKind.THUISGEKOOKT:
        return HomeCook(
            **common,  # type: ignore[arg-type]
            cooks=frozenset(profile.diets),
            meals_per_week=profile.meals_per_week or 2,
        )
    return Activity(
        **common,  # type: ignore[arg-type]
        title=profile.title or "",
        activity_kind=profile.kind,
        serves=frozenset(profile.grades),
        activity_district=profile.district,
        schedule=profile.schedule or "",
    )


def register(
    existing: AnyHelper | None, helper_id: str, organisation: str, profile: HelperProfile
) -> HelperRegistered | Refused:
    if (problem := invalid_profile(profile)) is not None:
        return Refused(422, problem)
    if existing is not None:
        return Refused(409, f"helper {helper_id} is registered already")
    return HelperRegistered(helper_id=helper_id, organisation=organisation, profile=profile)


def _own(existing: AnyHelper | None, helper_id: str, organisation: str) -> Refused | None:
    # Another organisation's helper answers like a missing one: existence is not revealed.
    if existing is None or existing.organisation != organisation:
        return Refused(404, f"no helper {helper_id} of {organisation}")
    if not existing.active:
        return Refused(409, f"helper {helper_id} has stopped")
    return None


def update(
    existing: AnyHelper | None, helper_id: str, organisation: str, profile: HelperProfile
) -> HelperUpdated | Refused:
    if (refused := _own(existing, helper_id, organisation)) is not None:
        return refused
    if (problem := invalid_profile(profile)) is not None:
        return Refused(422, problem)
    return HelperUpdated(helper_id=helper_id, organisation=organisation, profile=profile)


def stop(existing: AnyHelper | None, helper_id: str, organisation: str) -> HelperStopped | Refused:
    if (refused := _own(existing, helper_id, organisation)) is not None:
        return refused
    return HelperStopped(helper_id=helper_id, organisation=organisation)


def applied(existing: AnyHelper | None, change: Change, locate: Locate) -> AnyHelper:
    """The helper after ``change``: places in use are kept across an update, a stopped helper
    keeps its profile and is never proposed again."""
    if isinstance(change, HelperStopped):
        assert existing is not None
        return replace(existing, status=HelperStatus.STOPPED)
    in_use = existing.in_use if existing is not None else 0
    return helper_of(change.helper_id, change.organisation, change.profile, locate, in_use=in_use)
