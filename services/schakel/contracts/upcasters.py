"""Upcasters: each turns the JSON of version N of an event into version N + 1.

They work on plain dicts (what was written), never on models, so a model can change later
without breaking the chain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Json = dict[str, Any]
Upcaster = Callable[[Json], Json]


def received_v1_to_v2(data: Json) -> Json:
    """v1 had the signaler as two flat fields; v2 nests them and adds optional fields."""
    upcast = {k: v for k, v in data.items() if k not in ("signaler_role", "signaler_organisation")}
    upcast["signaler"] = {
        "role": data.get("signaler_role"),
        "organisation": data.get("signaler_organisation"),
    }
    return upcast


# The owner ids triage v1 could write, by the kind of owner their prefix names.
_V1_OWNER_ROUTES = (("buurtteam-", "buurtteam"), ("sociaal-makelaars-", "sociaal_makelaar"))
# The risk groups triage v1's rule set could write (v1 allowed any string; only these occur).
_V1_RISK_GROUPS = frozenset(
    {
        "jongeren",
        "ouderen_70_plus",
        "ouderen_80_plus",
        "mantelzorgers",
        "fysieke_beperking",
        "eenpersoonshuishouden",
    }
)


def triaged_v1_to_v2(data: Json) -> Json:
    """v2 separates the grade from urgency and names the route, the owner's readable name and
    the rules that fired. The mapping:

    - ``grade``: as written, except ``preventie``: v1's rule set gave it only when no rule
      fired ("no signs of loneliness given"), which v2 calls ungraded (None).
    - ``grade_provisional``: True (v1 decided without talking to anyone, as v2 does).
    - ``route``: from the owner id's prefix (``buurtteam-`` → buurtteam, ``sociaal-makelaars-``
      → sociaal_makelaar, including v1's ``sociaal-makelaars-centraal``); any other prefix
      → coordinatiepunt, since nobody can tell which kind of owner it is.
    - ``owner_name``: the owner id (v1 had no readable names); ``district_name``: None.
    - ``assign_within_hours``: None; ``consent_to_contact``: False (v1 did not carry it, so
      nothing that needs consent is proposed on its strength).
    - ``risk_groups``: the values v1's rule set wrote, all of them v2 risk groups; any other
      string is dropped.
    - ``reasons``: each becomes a fired rule without an id (``rule_id`` None).
    """
    upcast = {k: v for k, v in data.items() if k not in ("reasons", "risk_groups")}
    if data.get("grade") == "preventie":
        upcast["grade"] = None
    owner = str(data.get("owner_organisation", ""))
    upcast["route"] = next(
        (route for prefix, route in _V1_OWNER_ROUTES if owner.startswith(prefix)),
        "coordinatiepunt",
    )
    upcast["grade_provisional"] = True
    upcast["owner_name"] = owner
    upcast["assign_within_hours"] = None
    upcast["district_name"] = None
    upcast["consent_to_contact"] = False
    upcast["risk_groups"] = [g for g in data.get("risk_groups", []) if g in _V1_RISK_GROUPS]
    upcast["rules_fired"] = [{"rule_id": None, "reason": r} for r in data.get("reasons", []) if r]
    return upcast


def feedback_recorded_v1_to_v2(data: Json) -> Json:
    """v2 tells the signaler only what someone has done, without the owner's id. The mapping:

    - ``stage``: ``ontvangen`` stays; ``in_behandeling``, ``hulp_voorgesteld`` and
      ``wachtlijst`` become ``doorgezet``: v1 said them once triage had named an owner, and a
      proposal or waitlist was news for the owner, not yet something done with the person.
    - ``organisation_kind``: None (v1 named the owner by id only); ``outcome``: None.
    - ``owner_organisation`` is dropped.
    """
    status = data.get("signaler_status")
    upcast = {k: v for k, v in data.items() if k not in ("signaler_status", "owner_organisation")}
    upcast["stage"] = "ontvangen" if status == "ontvangen" else "doorgezet"
    upcast["organisation_kind"] = None
    upcast["outcome"] = None
    return upcast


# (event name, from version) → upcaster to from version + 1
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("nl.schakel.referral.received", 1): received_v1_to_v2,
    ("nl.schakel.referral.triaged", 1): triaged_v1_to_v2,
    ("nl.schakel.referral.feedback-recorded", 1): feedback_recorded_v1_to_v2,
}
