"""A token signed with the real secret still names someone, or it is no principal at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from schakel.platform.auth import ALGORITHM, ISSUER, verify_token

SECRET = "a-test-secret-of-at-least-thirty-two-bytes"


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "", "org": "apotheek-x", "roles": []},
        {"sub": "apo", "org": "", "roles": ["signaleringspartner"]},
        {"sub": "apo", "org": "  ", "roles": ["signaleringspartner"]},
        {"sub": "apo", "roles": ["signaleringspartner"]},
        {"sub": "apo", "org": "apotheek-x", "roles": "auditor"},
    ],
)
def test_a_rightly_signed_token_that_names_nobody_is_refused(claims: dict[str, Any]) -> None:
    """Without a user, an organisation or a list of roles it is not a principal (401 at
    every service), never an error deeper in a service (a follow-up action once answered 500
    for an empty organisation)."""
    now = datetime.now(UTC)
    token = jwt.encode(
        {"iss": ISSUER, "iat": now, "exp": now + timedelta(minutes=5), **claims},
        SECRET,
        algorithm=ALGORITHM,
    )
    with pytest.raises(jwt.InvalidTokenError):
        verify_token(token, SECRET)


def test_a_token_that_names_a_user_of_an_organisation_is_read_with_its_known_roles() -> None:
    now = datetime.now(UTC)
    claims = {"sub": "apo", "org": "apotheek-x", "roles": ["signaleringspartner", "koning"]}
    token = jwt.encode(
        {"iss": ISSUER, "iat": now, "exp": now + timedelta(minutes=5), **claims},
        SECRET,
        algorithm=ALGORITHM,
    )
    principal = verify_token(token, SECRET)
    assert (principal.username, principal.organisation) == ("apo", "apotheek-x")
    assert {r.value for r in principal.roles} == {"signaleringspartner"}
