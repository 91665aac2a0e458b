"""Signed checkpoints of the audit chain: what they sign, how a checkpoint an outside party
kept exposes a history rewritten before it (even with every hash recomputed), and the
signing key's setting, refused outside development mode when missing."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from schakel.audit.app import AuditSettings
from schakel.audit.domain.chain import (
    ArchiveEntry,
    ChainVerifier,
    WrittenEvent,
    chained,
    verify,
)
from schakel.audit.domain.checkpoints import (
    Checkpoint,
    CheckpointCheck,
    due,
    public_key_of,
    public_key_text,
    sign,
    signature_holds,
)
from schakel.platform.settings import UnsafeSettings

KEY = Ed25519PrivateKey.from_private_bytes(b"\x01" * 32)
AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def event(n: int, note: str = "") -> WrittenEvent:
    return WrittenEvent(
        event_id=f"e{n}",
        type="nl.schakel.referral.received.v2",
        subject=f"r{n % 3}",
        source="/schakel/intake",
        time="2026-12-01T10:00:00+00:00",
        correlationid=f"c{n}",
        causationid=None,
        payload={"n": n, "note": note},
        topic="schakel.referral-events",
        partition=n % 2,
        offset=n,
    )


def chain(events: list[WrittenEvent]) -> list[ArchiveEntry]:
    """The chain of ``events``, every hash computed: what a careful forger writes too."""
    return chained(events)


def check(entries: list[ArchiveEntry], checkpoints: list[Checkpoint]) -> list[tuple[int, str]]:
    verifier = ChainVerifier()
    against = CheckpointCheck(checkpoints, KEY.public_key())
    for entry in entries:
        if not verifier.feed(entry):
            break
        against.feed(entry)
    return [(r.checkpoint.seq, r.outcome) for r in against.results(verifier.report())]


HISTORY = [event(n) for n in range(1, 9)]
ORIGINAL = chain(HISTORY)
KEPT = [sign(KEY, ORIGINAL[3].head, AT), sign(KEY, ORIGINAL[7].head, AT)]  # seq 4 and 8


def test_a_checkpoint_verifies_with_the_public_key_and_with_nothing_changed() -> None:
    checkpoint = KEPT[0]
    public = public_key_of(public_key_text(KEY.public_key()))

    assert signature_holds(public, checkpoint)
    assert Checkpoint.from_line(checkpoint.to_line()) == checkpoint
    other = Ed25519PrivateKey.from_private_bytes(b"\x02" * 32).public_key()
    assert not signature_holds(other, checkpoint)
    for changed in (
        replace(checkpoint, seq=5),
        replace(checkpoint, hash="0" * 64),
        replace(checkpoint, signed_at="2027-01-01T00:00:00+00:00"),
        replace(checkpoint, signature="bm90IGEgc2lnbmF0dXJl"),
    ):
        assert not signature_holds(public, changed)


def test_a_line_that_is_no_checkpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="not a checkpoint"):
        Checkpoint.from_line('{"seq": 1}')


def test_the_untouched_archive_confirms_every_checkpoint() -> None:
    assert check(ORIGINAL, KEPT) == [(4, "confirmed"), (8, "confirmed")]


def test_a_history_rewritten_with_every_hash_recomputed_differs_from_the_checkpoints() -> None:
    changed = chain([*HISTORY[:2], event(3, note="rewritten"), *HISTORY[3:]])
    removed = chain([*HISTORY[:2], *HISTORY[3:]])
    reordered = chain([HISTORY[1], HISTORY[0], *HISTORY[2:]])
    after_the_first = chain([*HISTORY[:5], event(6, note="rewritten"), *HISTORY[6:]])

    # The chain alone sees nothing wrong in any of them.
    assert all(verify(c).intact for c in (changed, removed, reordered, after_the_first))
    assert check(changed, KEPT) == [(4, "differs"), (8, "differs")]
    assert check(removed, KEPT) == [(4, "differs"), (8, "missing")]
    assert check(reordered, KEPT) == [(4, "differs"), (8, "differs")]
    assert check(after_the_first, KEPT) == [(4, "confirmed"), (8, "differs")]


def test_entries_cut_off_at_the_end_leave_a_checkpoint_missing() -> None:
    assert check(ORIGINAL[:6], KEPT) == [(4, "confirmed"), (8, "missing")]


def test_a_changed_entry_whose_hash_was_not_recomputed_breaks_the_chain_before_a_checkpoint() -> (
    None
):
    tampered = list(ORIGINAL)
    tampered[2] = replace(tampered[2], event=event(3, note="edited in place"))
    assert check(tampered, KEPT) == [(4, "unconfirmed"), (8, "unconfirmed")]


def test_a_checkpoint_whose_signature_does_not_verify_is_reported_as_such() -> None:
    forged = replace(KEPT[1], signature=KEPT[0].signature)
    assert check(ORIGINAL, [KEPT[0], forged]) == [(4, "confirmed"), (8, "bad-signature")]


def test_a_checkpoint_is_due_only_when_the_chain_grew() -> None:
    assert not due(None, None)
    assert due(ORIGINAL[0].head, None)
    assert not due(ORIGINAL[3].head, KEPT[0])
    assert due(ORIGINAL[4].head, KEPT[0])


def test_the_signing_key_comes_from_the_setting_or_in_development_from_the_auth_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SCHAKEL_AUDIT_SIGNING_KEY", raising=False)
    production = AuditSettings(env="production", auth_secret="s" * 32)
    assert "SCHAKEL_AUDIT_SIGNING_KEY is not set" in production.secret_problems()
    with pytest.raises(UnsafeSettings, match="SCHAKEL_AUDIT_SIGNING_KEY"):
        production.signing_key()
    development = AuditSettings(env="development")
    assert development.signing_key().public_key() == development.signing_key().public_key()
    given = base64.b64encode(b"\x01" * 32).decode()
    keyed = AuditSettings(env="production", auth_secret="s" * 32, audit_signing_key=given)
    assert keyed.secret_problems() == []
    assert public_key_text(keyed.signing_key().public_key()) == public_key_text(KEY.public_key())
    with pytest.raises(ValidationError, match="base64 of 32 bytes"):
        AuditSettings(audit_signing_key=base64.b64encode(b"short").decode())
