"""The owner's actions as web forms: which fields each has, what the form itself refuses,
the JSON follow-up's ``POST /api/v1/referrals/{id}/<path>`` gets, and follow-up's refusals
(409 with a reason, 422 with ``errors: [{field, reason}]``) in plain words next to the field
they concern or at the top of the form.

An action is named as follow-up names it in ``allowed_actions``; the page shows one form for
each action allowed now.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from starlette.datastructures import FormData

from schakel.gateway.pages.inbox_texts import (
    CLOSE_OUTCOME,
    DAYPART,
    DECLINE_REASON,
    DIET,
    GRADE,
    HOLD_REASON,
    INBOX_TEXT,
    INTERESTS,
    LANGUAGES,
    MOBILITY,
    OFFER_KIND,
    REJECT_REASON,
    ROUTE,
    TRANSFER_REASON,
)
from schakel.gateway.pages.texts import E, Lang, pick
from schakel.platform.edge import valid_id

Kind = Literal["select", "radio", "yesno", "checkboxes", "text", "textarea", "score"]
Values = dict[str, str | tuple[str, ...]]
NOTE_MAX = 2000
YES, NO = "ja", "nee"
ORGANISATION_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
DJG_SCORES: dict[str, tuple[str, str]] = {str(n): (str(n), str(n)) for n in range(7)}


def _labels(table: Mapping[E, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {member.value: label for member, label in table.items()}


@dataclass(frozen=True)
class FormField:
    """One control of an action's form; ``label`` and ``hint`` are keys of INBOX_TEXT."""

    name: str
    kind: Kind
    label: str
    hint: str | None = None
    choices: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    required: bool = False
    max_length: int | None = None
    empty_choice: str = "choose"  # the first option of a select that may stay empty


@dataclass(frozen=True)
class ActionForm:
    action: str  # as follow-up's allowed_actions names it
    path: str  # after /api/v1/referrals/{id}/
    fields: tuple[FormField, ...] = ()
    body: Callable[[Values], dict[str, Any]] = lambda _: {}
    check: Callable[[Values], dict[str, str]] = lambda _: {}  # field -> INBOX_TEXT key

    def field_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


def note_field(hint: str = "note_hint") -> FormField:
    return FormField("note", "textarea", "note_label", hint, max_length=NOTE_MAX)


NOTE = note_field()
DJG = FormField("djg_score", "score", "djg_q", "djg_hint", DJG_SCORES, empty_choice="not_measured")


def _text(values: Values, name: str) -> str:
    value = values.get(name, "")
    return value if isinstance(value, str) else ""


def _many(values: Values, name: str) -> list[str]:
    value = values.get(name, ())
    return list(value) if isinstance(value, tuple) else []


def _with_note(values: Values, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` plus the note, and without the optional answers left empty."""
    note = _text(values, "note")
    return {k: v for k, v in {**body, "note": note or None}.items() if v not in (None, "")}


def _score(values: Values) -> int | None:
    score = _text(values, "djg_score")
    return int(score) if score.isdigit() else None


def _note_only(values: Values) -> dict[str, Any]:
    return _with_note(values, {})


def _first_conversation(values: Values) -> dict[str, Any]:
    if _text(values, "reached") == NO:
        return _with_note(values, {"reached": False})
    others = [c.strip() for c in _text(values, "other_languages").split(",") if c.strip()]
    wishes: dict[str, Any] = {
        "kinds": _many(values, "kinds"),
        "languages": list(dict.fromkeys([*_many(values, "languages"), *others])),
        "diet": _many(values, "diet"),
        "interests": _many(values, "interests"),
        "availability": _many(values, "availability"),
    }
    if mobility := _text(values, "mobility"):  # not asked: left out, as the API's default
        wishes["mobility"] = mobility
    return _with_note(
        values,
        {
            "reached": True,
            "knew_of_signal": _text(values, "knew_of_signal") == YES,
            "consents_to_support": _text(values, "consents_to_support") == YES,
            "wishes": wishes,
            "grade": _text(values, "grade") or None,
            "djg_score": _score(values),
        },
    )


def _conversation_check(values: Values) -> dict[str, str]:
    """Whoever was reached was asked about the signal and consent: those answers count."""
    found: dict[str, str] = {}
    if _text(values, "reached") == YES:
        for name in ("knew_of_signal", "consents_to_support"):
            if not _text(values, name):
                found[name] = "choose_one"
    codes = [c.strip() for c in _text(values, "other_languages").split(",") if c.strip()]
    if any(not LANGUAGE_CODE.match(code) for code in codes):
        found["other_languages"] = "bad_codes"
    return found


def _transfer_check(values: Values) -> dict[str, str]:
    code = _text(values, "to_organisation")
    return (
        {"to_organisation": "bad_organisation_code"}
        if code and not (ORGANISATION_CODE.match(code))
        else {}
    )


def _close_check(values: Values) -> dict[str, str]:
    other = _text(values, "outcome") == "anders"
    return {"note": "other_needs_note"} if other and not _text(values, "note") else {}


def _reason_form(
    action: str, path: str, label: str, choices: Mapping[E, tuple[str, str]]
) -> ActionForm:
    reason = FormField("reason", "select", label, choices=_labels(choices), required=True)
    return ActionForm(
        action,
        path,
        (reason, NOTE),
        lambda v: _with_note(v, {"reason": _text(v, "reason")}),
    )


ACTION_FORMS: dict[str, ActionForm] = {
    form.action: form
    for form in (
        ActionForm("accept", "accept", (NOTE,), _note_only),
        _reason_form("reject", "reject", "reject_reason", REJECT_REASON),
        ActionForm(
            "transfer",
            "transfer",
            (
                FormField(
                    "to_organisation",
                    "text",
                    "transfer_to_organisation",
                    "transfer_to_organisation_hint",
                    required=True,
                    max_length=100,
                ),
                FormField("to_name", "text", "transfer_to_name", required=True, max_length=200),
                FormField(
                    "to_route", "select", "transfer_to_route", choices=_labels(ROUTE), required=True
                ),
                FormField(
                    "reason",
                    "select",
                    "transfer_reason",
                    choices=_labels(TRANSFER_REASON),
                    required=True,
                ),
                NOTE,
            ),
            lambda v: _with_note(
                v,
                {
                    "to_organisation": _text(v, "to_organisation"),
                    "to_name": _text(v, "to_name"),
                    "to_route": _text(v, "to_route"),
                    "reason": _text(v, "reason"),
                },
            ),
            _transfer_check,
        ),
        ActionForm("attempt_contact", "contact-attempts", (NOTE,), _note_only),
        ActionForm(
            "record_first_conversation",
            "first-conversation",
            (
                FormField("reached", "yesno", "reached", "reached_hint", required=True),
                FormField("knew_of_signal", "yesno", "knew_of_signal_q"),
                FormField("consents_to_support", "yesno", "consents_q", "consents_hint"),
                FormField("kinds", "checkboxes", "kinds_q", choices=_labels(OFFER_KIND)),
                FormField("languages", "checkboxes", "languages_q", choices=LANGUAGES),
                FormField(
                    "other_languages",
                    "text",
                    "other_languages",
                    "other_languages_hint",
                    max_length=100,
                ),
                FormField("diet", "checkboxes", "diet_q", choices=_labels(DIET)),
                FormField(
                    "mobility",
                    "select",
                    "mobility_q",
                    "mobility_hint",
                    choices=_labels(MOBILITY),
                    empty_choice="not_asked",
                ),
                FormField(
                    "interests", "checkboxes", "interests_q", "interests_hint", choices=INTERESTS
                ),
                FormField("availability", "checkboxes", "availability_q", choices=_labels(DAYPART)),
                FormField(
                    "grade", "select", "grade_q", choices=_labels(GRADE), empty_choice="not_judged"
                ),
                DJG,
                NOTE,
            ),
            _first_conversation,
            _conversation_check,
        ),
        ActionForm("record_professional_visit", "professional-visit", (NOTE,), _note_only),
        ActionForm("confirm_support", "support/confirm", (NOTE,), _note_only),
        _reason_form("decline_support", "support/decline", "decline_reason", DECLINE_REASON),
        ActionForm(
            "start_support",
            "support/start",
            (
                FormField(
                    "kind",
                    "select",
                    "start_kind",
                    "start_kind_hint",
                    choices=_labels(OFFER_KIND),
                    empty_choice="none_given",
                ),
                FormField("provider_organisation", "text", "start_provider", max_length=200),
                NOTE,
            ),
            lambda v: _with_note(
                v,
                {
                    "kind": _text(v, "kind") or None,
                    "provider_organisation": _text(v, "provider_organisation") or None,
                },
            ),
        ),
        ActionForm(
            "record_check_in",
            "check-ins",
            (DJG, NOTE),
            lambda v: _with_note(v, {"djg_score": _score(v)}),
        ),
        _reason_form("put_on_hold", "hold", "hold_reason", HOLD_REASON),
        ActionForm("resume", "resume", (NOTE,), _note_only),
        ActionForm(
            "close",
            "close",
            (
                FormField(
                    "outcome",
                    "radio",
                    "close_outcome",
                    choices=_labels(CLOSE_OUTCOME),
                    required=True,
                ),
                DJG,
                note_field("note_required_hint"),
            ),
            lambda v: _with_note(v, {"outcome": _text(v, "outcome"), "djg_score": _score(v)}),
            _close_check,
        ),
    )
}


# --- what was typed, and what the form refuses itself -----------------------------------------


@dataclass
class Submitted:
    """One action's form as it was sent: the values (kept to show again) and its key."""

    form: ActionForm
    values: Values
    idempotency_key: str

    @classmethod
    def parse(cls, form: ActionForm, data: FormData) -> Submitted:
        values: Values = {}
        for each in form.fields:
            if each.kind == "checkboxes":
                values[each.name] = tuple(v for v in data.getlist(each.name) if isinstance(v, str))
            else:
                raw = data.get(each.name)
                values[each.name] = raw.strip() if isinstance(raw, str) else ""
        key = data.get("idempotency_key")
        # Sent on as a header: a changed page's key is replaced, never forwarded as sent.
        kept = key if isinstance(key, str) and valid_id(key) else str(uuid.uuid4())
        return cls(form, values, kept)

    def problems(self) -> dict[str, str]:
        """field -> INBOX_TEXT key, for what is missing, unknown or too long."""
        found: dict[str, str] = {}
        for each in self.form.fields:
            value = self.values.get(each.name)
            if each.required and not value:
                found[each.name] = (
                    "choose_one" if each.choices or each.kind == "yesno" else ("required")
                )
            elif value and not _allowed(each, value):
                found[each.name] = "choose_one"
            elif each.max_length and isinstance(value, str) and len(value) > each.max_length:
                found[each.name] = "too_long"
        return {**self.form.check(self.values), **found}

    def body(self) -> dict[str, Any]:
        return self.form.body(self.values)


def _allowed(each: FormField, value: str | tuple[str, ...]) -> bool:
    """Whether a choice is one the form offers (a changed page can send anything)."""
    if each.kind == "yesno":
        return value in (YES, NO)
    chosen = value if isinstance(value, tuple) else (value,)
    return not each.choices or all(v in each.choices for v in chosen)


def blank(form: ActionForm) -> Submitted:
    """A form not filled in yet, with a fresh key (a double click then counts once)."""
    values: Values = {f.name: () if f.kind == "checkboxes" else "" for f in form.fields}
    return Submitted(form, values, str(uuid.uuid4()))


# --- follow-up's refusals in plain words ---------------------------------------------------------


@dataclass
class Problems:
    """What to show: messages next to fields and at the top of the form."""

    by_field: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    detail: str | None = None  # follow-up's own words, shown under the plain ones when unknown


def plain(keys: Mapping[str, str], lang: Lang, max_lengths: Mapping[str, int]) -> dict[str, str]:
    """Messages (INBOX_TEXT keys) in the reader's language."""
    return {
        name: pick(INBOX_TEXT[key], lang).format(max_lengths.get(name, NOTE_MAX))
        for name, key in keys.items()
    }


# Follow-up's reasons (the state machine's words) → which field, and what to say.
KNOWN_REASONS: tuple[tuple[re.Pattern[str], str | None, str], ...] = (
    (re.compile(r"is not possible while the referral is"), None, "refused_changed"),
    (re.compile(r"not routed to an owner yet"), None, "refused_changed"),
    (re.compile(r"did not consent to contact"), None, "refused_no_consent"),
    (re.compile(r"professional visit without consent is only"), None, "refused_visit_not_urgent"),
    (re.compile(r"coordination point cannot reject"), None, "refused_point_rejects"),
    (re.compile(r"cannot be transferred to its own owner"), "to_organisation", "refused_own_owner"),
    (re.compile(r"the person accepted \S+, not"), "kind", "refused_kind_differs"),
    (re.compile(r"no accepted proposal"), "kind", "refused_kind_needed"),
    (re.compile(r"outcome 'anders' needs a note"), "note", "other_needs_note"),
)


def refusal(answer: httpx.Response, form: ActionForm, lang: Lang) -> Problems:
    """Follow-up's 409 or 422, placed next to the form's fields or at its top."""
    try:
        body = answer.json()
    except ValueError:
        body = {}
    errors = body.get("errors") if isinstance(body, dict) else None
    if answer.status_code == 422 and isinstance(errors, list) and errors:
        return _invalid(errors, form, lang)
    reason = str(body.get("detail", "")) if isinstance(body, dict) else ""
    return _explained(reason, form, lang)


def _explained(reason: str, form: ActionForm, lang: Lang) -> Problems:
    for pattern, name, key in KNOWN_REASONS:
        if pattern.search(reason):
            message = pick(INBOX_TEXT[key], lang)
            if name in form.field_names():
                return Problems(by_field={str(name): message})
            return Problems(general=[message])
    return Problems(general=[pick(INBOX_TEXT["refused_other"], lang)], detail=reason or None)


def _invalid(errors: list[Any], form: ActionForm, lang: Lang) -> Problems:
    problems = Problems()
    for error in errors:
        if not isinstance(error, dict):
            continue
        name = _form_field(str(error.get("field", "")))
        found = next((f for f in form.fields if f.name == name), None)
        if found is not None:
            chosen = found.choices or found.kind == "yesno"
            message = pick(INBOX_TEXT["choose_one" if chosen else "check_value"], lang)
            problems.by_field.setdefault(name, message)
            continue
        explained = _explained(str(error.get("reason", "")), form, lang)
        for known, message in explained.by_field.items():
            problems.by_field.setdefault(known, message)
        problems.general += explained.general
        problems.detail = problems.detail or explained.detail
    if not problems.by_field and not problems.general:
        problems.general.append(pick(INBOX_TEXT["refused_other"], lang))
    return problems


def _form_field(api_field: str) -> str:
    """``wishes.kinds.0`` → ``kinds``; ``wishes.languages.1`` → ``other_languages``."""
    parts = api_field.split(".")
    if parts[0] == "wishes" and len(parts) > 1:
        return "other_languages" if parts[1] == "languages" else parts[1]
    return parts[0]
