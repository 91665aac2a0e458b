"""The auditor's page's words, Dutch first and English second."""

from __future__ import annotations

from schakel.gateway.pages.texts import Texts

AUDIT_TEXT: Texts = {
    "audit_title": ("Controle van het archief", "Audit of the archive"),
    "audit_lead": (
        "Zoek een verwijzing op id, correlatie-id of ontvangstcode en zie alles wat ermee "
        "gebeurde, zoals het archief het bewaart. Gepseudonimiseerd: geen namen of "
        "contactgegevens.",
        "Find a referral by id, correlation id or receipt code and see everything that "
        "happened to it, as the archive keeps it. Pseudonymous: no names or contact details.",
    ),
    "audit_query": (
        "Verwijzing-id, correlatie-id of ontvangstcode",
        "Referral id, correlation id or receipt code",
    ),
    "audit_search": ("Zoeken", "Search"),
    "audit_nothing": (
        "Niets in het archief past bij deze zoekopdracht.",
        "Nothing in the archive matches this search.",
    ),
    "audit_matched": ("Gevonden als", "Found as"),
    "matched_referral": ("verwijzing-id", "referral id"),
    "matched_correlation": ("correlatie-id", "correlation id"),
    "matched_receipt": ("ontvangstcode", "receipt code"),
    "audit_referral": ("Verwijzing", "Referral"),
    "audit_events": ("{} gebeurtenissen", "{} events"),
    "col_time": ("Wanneer", "When"),
    "col_event": ("Gebeurtenis", "Event"),
    "col_service": ("Dienst", "Service"),
    "col_by": ("Door (organisatie, rol)", "By (organisation, role)"),
    "col_versions": ("Regels en beleid", "Rules and policy"),
    "col_told": ("Wie hoorde wat", "Who was told what"),
    "col_facts": ("Vastgelegd", "Recorded"),
    "audit_reads": (
        "Wie deze tijdlijn opvroeg (inzage in persoonsgegevens en weergaven staan hierboven "
        "als gebeurtenissen)",
        "Who asked for this timeline (reads of personal details and views are events above)",
    ),
    "col_outcome": ("Uitkomst", "Outcome"),
    "rule_set": ("regelset", "rule set"),
    "policy": ("beleid", "policy"),
    "told_signaler": ("melder: {}", "signaler: {}"),
    "verify_title": ("Controle van de hashketens", "Check of the hash chains"),
    "verify_intact": (
        "Intact: {} vermeldingen in {} ketens gecontroleerd, en {} kopregisters.",
        "Intact: {} entries in {} chains checked, and {} head records.",
    ),
    "verify_broken": (
        "GEBROKEN in {} bij nummer {}: {}",
        "BROKEN in {} at number {}: {}",
    ),
    "verify_unavailable": (
        "De controle is nu niet beschikbaar.",
        "The check is not available now.",
    ),
    "audit_forbidden_title": ("Alleen voor auditors", "For auditors only"),
    "audit_forbidden_text": (
        "Deze pagina is er alleen voor auditors. Uw account heeft die rol niet.",
        "This page is for auditors only. Your account does not have that role.",
    ),
}
