"""The demo's helpers, MADE FOR THE DEMO: buddies of several kinds, home cooks of several
diets and activities in every district of triage's district table, registered through
matching's registry (``POST /api/v1/helpers``) as a provider's coordinator would, logged in
as the demo account ``coordinator-aanbod``. Ids are pseudonymous and no helper is a real
person; capacities, languages and schedules are made up. Registering again changes nothing:
an id registered before is refused (409) and skipped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

COORDINATOR = "coordinator-aanbod"


@dataclass(frozen=True)
class District:
    district_id: str  # triage's id (triage/rules/2026.12-1.districts.toml)
    pc4: str  # a postcode area in it, from matching's PC4 table
    languages: tuple[str, ...]  # spoken there besides Dutch, for the demo
    diets: tuple[str, ...]  # what its home cook cooks


DISTRICTS: tuple[District, ...] = (
    District("binnenstad", "3512", ("en",), ("vegetarisch", "veganistisch")),
    District("oost", "3581", ("en", "de"), ("zoutarm", "diabetes")),
    District("noordoost", "3514", ("en",), ("vegetarisch", "zacht")),
    District("overvecht", "3562", ("tr", "ar"), ("halal", "diabetes")),
    District("noordwest", "3554", ("tr",), ("halal", "zoutarm")),
    District("west", "3532", ("ar", "en"), ("halal", "vegetarisch")),
    District("zuidwest", "3526", ("ar", "ber"), ("halal", "gemalen")),
    District("zuid", "3523", ("en",), ("kosjer", "zoutarm")),
    District("leidsche_rijn", "3543", ("en", "pl"), ("glutenvrij", "vegetarisch")),
    District("vleuten_de_meern", "3452", ("en",), ("zacht", "diabetes")),
)
# A few buddy kinds each district gets in turn, after its visiting buddy.
MORE_BUDDIES = ("beweegmaatje", "senior_student", "psychiatriemaatje", "ervaringsmaatje")


def _buddy(d: District, buddy_type: str, capacity: int, ages: list[str]) -> dict[str, Any]:
    return {
        "kind": "maatje",
        "buddy_type": buddy_type,
        "postcode_area": d.pc4,
        "capacity": capacity,
        "languages": ["nl", *d.languages],
        "interests": ["wandelen", "koffie", "tuinieren"],
        "age_groups": ages,
        "availability": ["weekdag_middag", "weekend_ochtend"],
    }


def _cook(d: District) -> dict[str, Any]:
    return {
        "kind": "thuisgekookt",
        "postcode_area": d.pc4,
        "capacity": 2,
        "languages": ["nl", *d.languages[:1]],
        "diets": list(d.diets),
        "meals_per_week": 3,
        "availability": ["weekdag_avond"],
    }


def _activity(d: District) -> dict[str, Any]:
    return {
        "kind": "activiteit",
        "title": f"Samen aan tafel in {d.district_id.replace('_', ' ').title()} (demo)",
        "postcode_area": d.pc4,
        "capacity": 12,
        "grades": ["preventie", "verhoogd_risico", "licht_tot_matig"],
        "district": d.district_id,
        "schedule": "dinsdag 12:00-14:00",
        "availability": ["weekdag_middag"],
    }


def helpers() -> Iterator[tuple[str, dict[str, Any]]]:
    """(pseudonymous helper id, profile) of every demo helper."""
    older, young = ["70-79", "80+"], ["18-29", "30-49"]
    for n, d in enumerate(DISTRICTS):
        yield f"demo-maatje-{d.district_id}-1", _buddy(d, "bezoekmaatje", 2, older)
        extra = MORE_BUDDIES[n % len(MORE_BUDDIES)]
        yield f"demo-maatje-{d.district_id}-2", _buddy(d, extra, 1, young if n % 2 else [])
        yield f"demo-kok-{d.district_id}", _cook(d)
        yield f"demo-activiteit-{d.district_id}", _activity(d)
    phone = {"kind": "maatje", "buddy_type": "telefoonmaatje", "capacity": 6, "languages": ["nl"]}
    yield "demo-maatje-telefoon-1", phone


def register_all(
    client: httpx.Client, headers: dict[str, str], call: Callable[..., httpx.Response]
) -> tuple[int, int]:
    """(registered now, there already); raises RuntimeError on any other refusal."""
    added = known = 0
    for helper_id, profile in helpers():
        body = {"helper_id": helper_id, "profile": profile}
        answer = call(client, "POST", "/api/v1/helpers", json=body, headers=headers)
        if answer.status_code == 409:
            known += 1
        elif answer.status_code == 201:
            added += 1
        else:
            raise RuntimeError(f"{helper_id}: HTTP {answer.status_code} {answer.text[:300]}")
    return added, known
