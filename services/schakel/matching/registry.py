"""A coordinator's change to the registry, in one unit of work: decide (domain), apply to the
helper, save it and emit the event that records it on ``schakel.helper-events``. Replay
applies the archived event with the same ``apply_change``, so the rebuilt registry (places in
use included) follows the same path as the live one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import HelperStopped
from schakel.contracts.topics import HELPER_EVENTS
from schakel.matching.domain.helpers import AnyHelper
from schakel.matching.domain.registry import Change, Refused, applied
from schakel.matching.helper_store import HelperStore
from schakel.matching.postcodes import locate

SOURCE = "/schakel/matching"
EmitOn = Callable[[EventEnvelope[Any], str], None]
Decide = Callable[[AnyHelper | None], Change | Refused]
Then = Callable[[EventEnvelope[Any]], Awaitable[object]]


async def change_helper(
    helpers: HelperStore,
    helper_id: str,
    decide: Decide,
    emit: EmitOn,
    correlation_id: str,
    then: Then | None = None,
) -> AnyHelper | Refused:
    """``then`` runs after the change is recorded, in the same unit of work, with the event
    (the API re-matches the waitlist there: capacity may have appeared)."""
    existing = await helpers.get(helper_id)
    decided = decide(existing)
    if isinstance(decided, Refused):
        return decided
    event = new_event(decided, source=SOURCE, subject=helper_id, correlation_id=correlation_id)
    emit(event, HELPER_EVENTS)
    return await apply_change(helpers, existing, event, then)


async def apply_change(
    helpers: HelperStore,
    existing: AnyHelper | None,
    event: EventEnvelope[Change],
    then: Then | None = None,
) -> AnyHelper:
    """The helper after the change ``event`` records, saved; then ``then`` unless it stopped."""
    helper = applied(existing, event.data, locate)
    await helpers.save(helper)
    if then is not None and not isinstance(event.data, HelperStopped):
        await then(event)
    return helper
