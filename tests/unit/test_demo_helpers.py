"""The demo's helpers (dev/schakel_dev/demo_helpers.py): each one a profile matching's
registry accepts, in every district of triage's table, with several buddy kinds and diets."""

from __future__ import annotations

from schakel.contracts.events import HelperProfile
from schakel.matching.domain.registry import invalid_profile
from schakel.matching.postcodes import districts
from schakel_dev.demo_helpers import helpers


def test_every_demo_helper_is_a_profile_the_registry_accepts_under_a_unique_id() -> None:
    found = list(helpers())
    assert len({helper_id for helper_id, _ in found}) == len(found)
    for helper_id, body in found:
        profile = HelperProfile.model_validate(body)
        assert invalid_profile(profile) is None, helper_id
        assert helper_id.startswith("demo-")


def test_every_district_has_a_buddy_a_home_cook_and_an_activity() -> None:
    kinds: dict[str, set[str]] = {}
    for _, body in helpers():
        if (area := body.get("postcode_area")) is not None:
            kinds.setdefault(districts()[area], set()).add(body["kind"])
    assert set(kinds) == set(districts().values())
    assert all(k == {"maatje", "thuisgekookt", "activiteit"} for k in kinds.values())
    profiles = [HelperProfile.model_validate(body) for _, body in helpers()]
    assert len({p.buddy_type for p in profiles if p.buddy_type}) >= 5
    assert len({d for p in profiles for d in p.diets}) >= 5
