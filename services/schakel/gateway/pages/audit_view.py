"""What the auditor's page shows of the audit's answers: a referral's timeline as rows (when,
which event and version, which service, who caused it in which role, the rule set and policy
versions, who was told what, the codes recorded) and the chain check as one line."""

from __future__ import annotations

from typing import Any

from schakel.contracts.vocabulary import SignalerStage
from schakel.gateway.pages.audit_texts import AUDIT_TEXT
from schakel.gateway.pages.base import local_time
from schakel.gateway.pages.texts import Lang, pick

# Codes an event records beyond who caused it, in this order (never a name: events have none).
FACTS = (
    "status",
    "business_status",
    "status_reason",
    "owner_organisation",
    "grade",
    "urgency",
    "route",
    "district",
    "reason",
    "outcome",
    "level",
    "kind",
    "stage",
    "purpose",
    "view",
)
# Who read or erased, in the events that record it (contracts.persons).
READERS = ("read_by", "viewed_by", "erased_by")


def event_name(event_type: str) -> tuple[str, str]:
    """("triaged", "v1") of ``nl.schakel.referral.triaged.v1``."""
    name, _, version = event_type.rpartition(".")
    return name.rsplit(".", 1)[-1], version


def caused_by(event: dict[str, Any]) -> str:
    """The organisation and role that caused an event: the actor of a follow-up event, the
    account that read or erased (with its username: reads are audited per person), the
    signaler of a signal (and the organisation a token vouched for), else the service."""
    data = event.get("data") or {}
    actor = data.get("actor")
    if isinstance(actor, dict):
        return f"{actor.get('organisation')} ({actor.get('role')})"
    for field in READERS:
        reader = data.get(field)
        if isinstance(reader, dict):
            who = f"{reader.get('role')}, {reader.get('username')}"
            return f"{reader.get('organisation')} ({who})"
    signaler = data.get("signaler")
    if isinstance(signaler, dict) or "signaler_role" in data:
        role = signaler.get("role") if isinstance(signaler, dict) else data.get("signaler_role")
        referrer = data.get("referrer_organisation")
        return f"{referrer} ({role})" if referrer else f"({role})"
    return f"schakel ({service_of(event)})"


def service_of(event: dict[str, Any]) -> str:
    return str(event.get("source", "")).rsplit("/", 1)[-1]


def versions(data: dict[str, Any], lang: Lang) -> str:
    shown = []
    if data.get("rule_set_version"):
        shown.append(f"{pick(AUDIT_TEXT['rule_set'], lang)} {data['rule_set_version']}")
    if data.get("policy_version"):
        shown.append(f"{pick(AUDIT_TEXT['policy'], lang)} {data['policy_version']}")
    return ", ".join(shown)


def told(event: dict[str, Any], lang: Lang) -> str:
    data = event.get("data") or {}
    if data.get("notify_organisation"):
        return f"{data['notify_organisation']} ({data.get('notify_role')})"
    name = event_name(str(event.get("type", "")))[0]
    if name == "feedback-recorded" and data.get("stage"):
        return pick(AUDIT_TEXT["told_signaler"], lang).format(data["stage"])
    if name == "received" and data.get("receipt_hash"):  # intake answered with the receipt
        return pick(AUDIT_TEXT["told_signaler"], lang).format(SignalerStage.ONTVANGEN.value)
    return ""


def row(event: dict[str, Any], lang: Lang) -> dict[str, str]:
    data = event.get("data") or {}
    name, version = event_name(str(event.get("type", "")))
    facts = [f"{k}={data[k]}" for k in FACTS if data.get(k) not in (None, "", [])]
    return {
        "seq": str(event.get("seq", "")),
        "time": local_time(event.get("time"), "%d-%m-%Y %H:%M:%S"),
        "event": f"{name} ({version})",
        "service": service_of(event),
        "by": caused_by(event),
        "versions": versions(data, lang),
        "told": told(event, lang),
        "facts": ", ".join(facts),
    }


def read_row(read: dict[str, Any]) -> dict[str, str]:
    """One request for a timeline, as the audit recorded it (shown or denied)."""
    roles = ", ".join(str(r) for r in read.get("roles", []))
    return {
        "time": local_time(read.get("at"), "%d-%m-%Y %H:%M:%S"),
        "by": f"{read.get('organisation')} ({roles}, {read.get('username')})",
        "outcome": str(read.get("outcome", "")),
    }


def chain_line(check: dict[str, Any] | None, lang: Lang) -> tuple[bool, str]:
    """(intact, the words) of ``GET /api/v1/audit/verify``'s answer (None: unavailable)."""
    if check is None:
        return False, pick(AUDIT_TEXT["verify_unavailable"], lang)
    report = check.get("report") or {}
    if report.get("intact"):
        words = pick(AUDIT_TEXT["verify_intact"], lang)
        chains, roots = len(check.get("chains") or []), (check.get("roots") or {}).get("checked")
        return True, words.format(report.get("checked"), chains, roots)
    words = pick(AUDIT_TEXT["verify_broken"], lang)
    where = report.get("chain")
    return False, words.format(where, report.get("first_broken_seq"), report.get("reason"))
