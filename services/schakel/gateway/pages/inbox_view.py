"""Follow-up's answers as the owners' pages show them: codes in words of the reader's
language, times on Utrecht's clock, urgency and overdue deadlines as text (never colour
only). Presentation only: no calls, no decisions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from schakel.contracts.vocabulary import TaskStatus
from schakel.gateway.pages.base import local_time
from schakel.gateway.pages.inbox_texts import (
    BUSINESS_STATUS,
    CHANNEL,
    CLOSE_OUTCOME,
    DAYPART,
    DEADLINE,
    DECLINE_REASON,
    DIET,
    ESCALATION,
    EVENT,
    GRADE,
    HOLD_REASON,
    INBOX_TEXT,
    INTERESTS,
    LANGUAGES,
    MATCHED_ON,
    MOBILITY,
    OFFER_KIND,
    REJECT_REASON,
    ROUTE,
    TASK_STATUS,
    TRANSFER_REASON,
    URGENCY,
)
from schakel.gateway.pages.texts import AGE_LABELS, OBSERVATION_LABELS, ROLE_LABELS, Lang, pick

Words = Mapping[Any, tuple[str, str]]
CLOSED = frozenset({TaskStatus.COMPLETED, TaskStatus.CANCELLED, TaskStatus.FAILED})
# A status reason is one of these codes (or the coordination point's words); first table wins.
REASONS: tuple[Words, ...] = (
    CLOSE_OUTCOME,
    REJECT_REASON,
    HOLD_REASON,
    TRANSFER_REASON,
    DECLINE_REASON,
)


def word(table: Words, value: Any, lang: Lang) -> str:
    """The words for a code, or the code itself when this version has none for it."""
    if value is None:
        return ""
    found = table.get(str(value))
    return pick(found, lang) if found else str(value)


def words(table: Words, values: Any, lang: Lang) -> list[str]:
    return [word(table, v, lang) for v in values or ()]


def reason_words(code: Any, lang: Lang) -> str:
    if not code:
        return ""
    for table in REASONS:
        if str(code) in table:
            return word(table, code, lang)
    return str(code)


def referral_href(referral_id: str, lang: Lang) -> str:
    return f"/inbox/{quote(referral_id, safe='')}{'?lang=en' if lang == 'en' else ''}"


def status_words(item: Mapping[str, Any], lang: Lang) -> str:
    """``In progress: contact made``, with the reason when follow-up gives one; a closed
    referral by its end alone (the step it was at says nothing any more)."""
    text = word(TASK_STATUS, item.get("status"), lang)
    business = item.get("business_status") if item.get("status") not in CLOSED else None
    if business:
        text = f"{text}: {word(BUSINESS_STATUS, business, lang)}"
    if reason := item.get("status_reason"):
        text = f"{text} ({reason_words(reason, lang)})"
    return text


def grade_words(item: Mapping[str, Any], lang: Lang) -> str:
    grade = item.get("grade")
    if not grade:
        return pick(INBOX_TEXT["unknown"], lang)
    text = word(GRADE, grade, lang)
    if item.get("grade_provisional"):
        text = f"{text} ({pick(INBOX_TEXT['provisional'], lang)})"
    return text


def deadline(item: Mapping[str, Any], lang: Lang) -> dict[str, Any] | None:
    due = item.get("next_deadline")
    if not isinstance(due, dict):
        return None
    return {
        "what": word(DEADLINE, due.get("kind"), lang),
        "due": local_time(due.get("due_at")),
        "overdue": bool(due.get("overdue")),
    }


def inbox_line(item: Mapping[str, Any], lang: Lang) -> dict[str, Any]:
    """One referral in the inbox list."""
    referral_id = str(item.get("referral_id", ""))
    proposal = item.get("proposal")
    return {
        "id": referral_id,
        "short": referral_id[:8],
        "href": referral_href(referral_id, lang),
        "urgency": str(item.get("urgency", "")),
        "urgency_words": word(URGENCY, item.get("urgency"), lang),
        "urgent": bool(item.get("urgent")),
        "status": status_words(item, lang),
        "closed": item.get("status") in CLOSED,
        "grade": grade_words(item, lang),
        "route": word(ROUTE, item.get("route"), lang),
        "owner": item.get("owner_name") or item.get("owner_organisation") or "",
        "district": item.get("district_name") or "",
        "received": local_time(item.get("received_at")),
        "deadline": deadline(item, lang),
        "attempts": int(item.get("attempts") or 0),
        "concerns": int(item.get("concerns") or 0),
        "no_consent": item.get("consent_to_contact") is False,
        "escalations": [
            f"{word(ESCALATION, e.get('level'), lang)}, {local_time(e.get('at'))}"
            for e in item.get("escalations") or ()
            if isinstance(e, dict)
        ],
        "proposal": proposal.get("title") if isinstance(proposal, dict) else None,
    }


def suspected_duplicates(item: Mapping[str, Any], lang: Lang) -> list[dict[str, Any]]:
    """The signals that may be about this referral's person, waiting for the owner."""
    referral = quote(str(item.get("referral_id", "")), safe="")
    return [
        {
            "signaler": word(ROLE_LABELS, d.get("signaler_role"), lang),
            "channel": word(CHANNEL, d.get("channel"), lang),
            "when": local_time(d.get("suspected_at")),
            "agreed": words(MATCHED_ON, d.get("matched_on"), lang),
            "observations": words(OBSERVATION_LABELS, d.get("observations"), lang),
            "url": f"/inbox/{referral}/duplicates/{quote(str(d.get('signal_id')), safe='')}",
        }
        for d in item.get("suspected_duplicates") or ()
    ]


def referral_page(item: Mapping[str, Any], lang: Lang) -> dict[str, Any]:
    """One referral with everything its owner may see."""
    return {
        **inbox_line(item, lang),
        "facts": _facts(item.get("facts"), lang),
        "triage_reasons": [str(r) for r in item.get("triage_reasons") or ()],
        "conversation": _conversation(item.get("first_conversation"), lang),
        "proposal_detail": _proposal(item.get("proposal")),
        "waitlist_reason": item.get("waitlist_reason"),
        "declined_offers": [str(o) for o in item.get("declined_offers") or ()],
        "support": _support(item.get("support"), lang),
        "check_ins": int(item.get("check_ins") or 0),
        "outcome": reason_words(item.get("outcome"), lang),
        "follow_up_djg_score": item.get("follow_up_djg_score"),
        "history": [_entry(e, lang) for e in item.get("history") or () if isinstance(e, dict)],
    }


def _yes_no(value: Any, lang: Lang) -> str:
    if value is None:
        return pick(INBOX_TEXT["unknown"], lang)
    return pick(INBOX_TEXT["yes" if value else "no"], lang)


def _facts(facts: Any, lang: Lang) -> dict[str, Any] | None:
    if not isinstance(facts, dict):
        return None
    return {
        "channel": word(CHANNEL, facts.get("channel"), lang),
        "signaler": word(ROLE_LABELS, facts.get("signaler_role"), lang),
        "referrer": facts.get("referrer_organisation") or "",
        "pseudonym": facts.get("person_pseudonym") or "",
        "postcode_area": facts.get("postcode_area") or "",
        "age": word(AGE_LABELS, facts.get("age_band"), lang),
        "observations": words(OBSERVATION_LABELS, facts.get("observations"), lang),
        "djg_score": facts.get("djg_score"),
        "consent": _yes_no(facts.get("consent_to_contact"), lang),
        "received": local_time(facts.get("received_at")),
    }


def _conversation(found: Any, lang: Lang) -> dict[str, Any] | None:
    if not isinstance(found, dict):
        return None
    wishes = found.get("wishes")
    if not isinstance(wishes, dict):
        wishes = {}
    return {
        "knew_of_signal": _yes_no(found.get("knew_of_signal"), lang),
        "consents": _yes_no(found.get("consents_to_support"), lang),
        "kinds": words(OFFER_KIND, wishes.get("kinds"), lang),
        "languages": words(LANGUAGES, wishes.get("languages"), lang),
        "diet": words(DIET, wishes.get("diet"), lang),
        "mobility": word(MOBILITY, wishes.get("mobility"), lang),
        "interests": words(INTERESTS, wishes.get("interests"), lang),
        "availability": words(DAYPART, wishes.get("availability"), lang),
    }


def _proposal(found: Any) -> dict[str, Any] | None:
    if not isinstance(found, dict) or not isinstance(found.get("offer"), dict):
        return None
    offer = found["offer"]
    return {
        "title": offer.get("title", ""),
        "kind": offer.get("kind", ""),
        "provider": offer.get("provider_organisation", ""),
        "score": found.get("score"),
        "reasons": [str(r) for r in found.get("reasons") or ()],
    }


def _support(found: Any, lang: Lang) -> dict[str, Any] | None:
    if not isinstance(found, dict):
        return None
    return {
        "kind": word(OFFER_KIND, found.get("kind"), lang),
        "provider": found.get("provider_organisation") or "",
        "started": local_time(found.get("started_at")),
    }


def _entry(entry: Mapping[str, Any], lang: Lang) -> dict[str, Any]:
    name = str(entry.get("type", ""))
    base, _, version = name.rpartition(".")
    if version.startswith("v") and version[1:].isdigit():
        name = base
    after = status_words(entry, lang) if entry.get("status") else ""
    return {
        "at": local_time(entry.get("at")),
        "at_iso": str(entry.get("at", "")),
        "what": word(EVENT, name, lang),
        "by": pick(INBOX_TEXT["history_by"], lang).format(
            entry.get("actor_organisation", ""), entry.get("actor_role", "")
        ),
        "after": after,
        "summary": entry.get("summary") or "",
        "note": entry.get("note") or "",
    }
