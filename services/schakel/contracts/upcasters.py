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


# (event name, from version) → upcaster to from version + 1
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("nl.schakel.referral.received", 1): received_v1_to_v2,
}
