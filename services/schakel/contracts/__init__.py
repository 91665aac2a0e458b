"""Published event contracts of schakel: the only code services share besides the platform.

Every event is a CloudEvent whose ``type`` carries its version
(``nl.schakel.referral.triaged.v1``); payloads are pydantic models; older versions are read
through a chain of upcasters so that auditors can replay history written years ago.
"""

from schakel.contracts.envelope import EventEnvelope, UnreadableEvent, new_event
from schakel.contracts.registry import REGISTRY, EventRegistry

__all__ = ["REGISTRY", "EventEnvelope", "EventRegistry", "UnreadableEvent", "new_event"]
