"""The owners' work in the demo: some demo referrals are taken further through followup's
API, as the demo accounts of their owners would, so the inbox shows referrals in several
states: accepted, in contact (support proposed), support started, closed with an outcome,
and untouched urgent ones that ``make run``'s demonstration policy makes overdue within
minutes. Running it again changes nothing: an action already done is refused (409) and
skipped."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

PROPOSAL_SECONDS = 30.0
# Business statuses once matching answered the first conversation (or the demo ran before).
AFTER_THE_CONVERSATION = ("support-proposed", "support-accepted", "support-started")
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class FollowUp:
    key: str  # the demo submission's Idempotency-Key (and correlation id)
    owner: str  # the demo account of the owning organisation
    steps: tuple[str, ...]  # accept, talk, confirm, start, close
    state: str  # what the inbox shows afterwards, for the printout


CONVERSATION = {
    "reached": True,
    "knew_of_signal": True,
    "consents_to_support": True,
    "wishes": {"languages": ["nl"]},
}
FOLLOW_UPS: tuple[FollowUp, ...] = (
    FollowUp(
        "demo-referral-dekker",
        "makelaar",
        ("accept", "talk", "confirm", "start", "close"),
        "afgesloten: hulp gekregen",
    ),
    FollowUp(
        "demo-referral-yilmaz", "makelaar", ("accept", "talk", "confirm", "start"), "hulp gestart"
    ),
    FollowUp("demo-referral-jansen", "beweegmakelaar", ("accept", "talk"), "in contact"),
    FollowUp("demo-signal-apotheek-overvecht", "makelaar", ("accept",), "opgepakt"),
)
# Left alone on purpose: urgent, so overdue within minutes under the demonstration policy.
OVERDUE = ("demo-signal-thuiskok-overvecht",)


class Owner:
    """One demo account acting through the gateway."""

    def __init__(self, client: httpx.Client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def referral(self, referral_id: str) -> dict[str, Any] | None:
        answer = self.client.get(f"/api/v1/inbox/{referral_id}", headers=self.headers)
        body: dict[str, Any] | None = answer.json() if answer.status_code == 200 else None
        return body

    def act(self, referral_id: str, action: str, body: Mapping[str, Any] | None = None) -> bool:
        """True when done; False when refused because it was done before (409)."""
        answer = self.client.post(
            f"/api/v1/referrals/{referral_id}/{action}", json=body, headers=self.headers
        )
        if answer.status_code == 409:
            return False
        if answer.status_code != 200:
            raise RuntimeError(
                f"{action} on {referral_id}: HTTP {answer.status_code} {answer.text}"
            )
        return True

    def wait_for(self, referral_id: str, *business: str) -> dict[str, Any] | None:
        deadline = time.monotonic() + PROPOSAL_SECONDS
        while time.monotonic() < deadline:
            found = self.referral(referral_id)
            if found and (found["business_status"] in business or found.get("waitlist_reason")):
                return found
            time.sleep(POLL_SECONDS)
        return None


def _step(owner: Owner, referral_id: str, step: str) -> None:
    if step == "accept":
        owner.act(referral_id, "accept")
    elif step == "talk":
        owner.act(referral_id, "first-conversation", CONVERSATION)
    elif step == "confirm":
        found = owner.wait_for(
            referral_id, "support-proposed", "support-accepted", "support-started"
        )
        if found and found["business_status"] == "support-proposed":
            owner.act(referral_id, "support/confirm")
    elif step == "start":
        found = owner.referral(referral_id) or {}
        # Waitlisted (no place): the owner arranges support otherwise.
        kind = None if found.get("business_status") == "support-accepted" else {"kind": "gesprek"}
        owner.act(referral_id, "support/start", kind)
    elif step == "close":
        owner.act(referral_id, "close", {"outcome": "hulp_gekregen", "djg_score": 2})


def advance(
    client: httpx.Client, referral_ids: Mapping[str, str], tokens: Mapping[str, str]
) -> list[tuple[str, str]]:
    """Take each FOLLOW_UPS referral through its steps; (key, state) of each one taken."""
    done = []
    for follow_up in FOLLOW_UPS:
        referral_id = referral_ids.get(follow_up.key)
        if referral_id is None:
            continue
        owner = Owner(client, tokens[follow_up.owner])
        for step in follow_up.steps:
            _step(owner, referral_id, step)
        done.append((follow_up.key, follow_up.state))
    return done
