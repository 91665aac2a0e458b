"""Demo data through the public API only, as real signalers would send it.

    python -m schakel_dev.demo --gateway http://127.0.0.1:8080

Sends eight signals from different signalers and districts and three GP wellbeing
prescriptions (logged in as the demo account ``huisarts``), each with a fixed Idempotency-Key
so that running it again adds nothing. Then waits until every receipt has a status and prints
them. All people are fictional.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

# The demo account from demo_users.json; never a real credential.
GP_LOGIN = {"username": "huisarts", "password": "demo-huisarts"}
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Submission:
    key: str  # Idempotency-Key: the same on every run
    who: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Sent:
    who: str
    receipt: str


class DemoError(RuntimeError):
    """The gateway refused or could not be reached; the message says what to do."""


def _signal(
    role: str,
    organisation: str | None,
    name: str,
    postcode: str,
    age: str,
    observations: list[str],
    consent: bool,
    note: str | None = None,
    **person: str,
) -> dict[str, Any]:
    return {
        "signaler_role": role,
        "signaler_organisation": organisation,
        "about_self": role == "zelf",
        "person": {"name": name, "postcode": postcode, **person},
        "age_band": age,
        "observations": observations,
        "consent_to_contact": consent,
        "note": note,
    }


SIGNALS: tuple[Submission, ...] = (
    Submission(
        "demo-signal-apotheek-overvecht",
        "apotheker (Overvecht)",
        _signal(
            "apotheker",
            "Apotheek Overvecht",
            "Gerda Willemsen",
            "3562 KA",
            "80+",
            ["alleen_wonend", "somber", "weinig_contact"],
            True,
            "Haalt haar medicijnen op en blijft lang praten; zegt dat niemand meer langskomt.",
        ),
    ),
    Submission(
        "demo-signal-fietskoerier-zuilen",
        "fietskoerier (Zuilen)",
        _signal(
            "fietskoerier",
            "Fietskoerier Utrecht",
            "Johan de Wit",
            "3554 HB",
            "70-79",
            ["niet_gesproken", "alleen_wonend"],
            False,
            "Klonk om twaalf uur 's middags schor: had die dag nog met niemand gesproken.",
        ),
    ),
    Submission(
        "demo-signal-thuiskok-overvecht",
        "thuiskok (Overvecht)",
        _signal(
            "thuiskok",
            "Thuisgekookt",
            "Riet Verhoeven",
            "3563 CE",
            "80+",
            ["ondervoeding", "somber"],
            True,
            "Het gaat echt niet goed met mevrouw: de maaltijden blijven staan.",
        ),
    ),
    Submission(
        "demo-signal-buurman-kanaleneiland",
        "buurtbewoner (Kanaleneiland)",
        _signal(
            "buurtbewoner",
            None,
            "Kees Hoogland",
            "3526 XC",
            "50-69",
            ["verwaarlozing", "weinig_contact"],
            False,
            "Vreemde geur uit de woning, de gordijnen zijn al dagen dicht.",
        ),
    ),
    Submission(
        "demo-signal-zelf-leidsche-rijn",
        "zelfmelding (Leidsche Rijn)",
        _signal(
            "zelf",
            None,
            "Samira El Amrani",
            "3543 BD",
            "30-49",
            ["wil_contact", "recent_verlies"],
            True,
            None,
            email="samira.demo@example.org",
        ),
    ),
    Submission(
        "demo-signal-supermarkt-binnenstad",
        "supermarkt (Binnenstad)",
        _signal(
            "supermarkt",
            "Buurtsuper Binnenstad",
            "Anton Kramer",
            "3512 GH",
            "80+",
            ["weinig_contact", "alleen_wonend"],
            False,
            "Komt elke dag twee keer voor één artikel, om even een praatje te maken.",
        ),
    ),
    Submission(
        "demo-signal-wijkverpleging-zuilen",
        "wijkverpleging (Zuilen)",
        _signal(
            "wijkverpleging",
            "Wijkverpleging Zuilen",
            "Truus van Leeuwen",
            "3554 CK",
            "80+",
            ["ondervoeding", "fysieke_beperking"],
            True,
            "Had om elf uur 's ochtends nog niet ontbeten.",
        ),
    ),
    Submission(
        "demo-signal-jongerenwerk-leidsche-rijn",
        "jongerenwerk (Leidsche Rijn)",
        _signal(
            "anders",
            "Jongerenwerk Leidsche Rijn",
            "Lotte Smits",
            "3543 AL",
            "18-29",
            ["mantelzorger", "somber"],
            True,
            "Zorgt naast haar studie voor haar moeder en heeft geen tijd meer voor vrienden.",
        ),
    ),
)


def _referral(
    name: str,
    postcode: str,
    born: str,
    age: str,
    observations: list[str],
    djg_score: int,
    note: str,
    phone: str,
) -> dict[str, Any]:
    return {
        "patient": {"name": name, "postcode": postcode, "date_of_birth": born, "phone": phone},
        "age_band": age,
        "observations": observations,
        "djg_score": djg_score,
        "consent_to_contact": True,
        "note": note,
    }


REFERRALS: tuple[Submission, ...] = (
    Submission(
        "demo-referral-dekker",
        "huisarts (Overvecht)",
        _referral(
            "Wim Dekker",
            "3562 AB",
            "1942-04-17",
            "80+",
            ["recent_verlies", "weinig_contact"],
            4,
            "Welzijn op recept: weduwnaar sinds vorig jaar, zoekt iets om naartoe te gaan.",
            "06 1000 0001",
        ),
    ),
    Submission(
        "demo-referral-yilmaz",
        "huisarts (Overvecht)",
        _referral(
            "Fatma Yilmaz",
            "3563 JK",
            "1951-09-02",
            "70-79",
            ["somber", "alleen_wonend"],
            5,
            "Ernstig eenzaam (DJG 5); graag een warme overdracht.",
            "06 1000 0002",
        ),
    ),
    Submission(
        "demo-referral-jansen",
        "huisarts (Overvecht)",
        _referral(
            "Ruud Jansen",
            "3562 VN",
            "1960-01-23",
            "50-69",
            ["fysieke_beperking", "wil_contact"],
            3,
            "Wil graag bewegen met anderen; een beweegmaatje zou passen.",
            "06 1000 0003",
        ),
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    with httpx.Client(base_url=args.gateway, timeout=15.0, trust_env=False) as client:
        try:
            sent = load(client)
        except DemoError as error:
            print(f"demo data: {error}", file=sys.stderr)
            return 1
        statuses = wait_for_statuses(client, sent, args.wait)
    print_table(sent, statuses)
    missing = [s.receipt for s in sent if s.receipt not in statuses]
    if missing:
        print(f"no status after {args.wait:.0f} s for: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m schakel_dev.demo", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument(
        "--gateway", default="http://127.0.0.1:8080", help="public base URL of schakel"
    )
    parser.add_argument(
        "--wait", type=float, default=WAIT_SECONDS, help="seconds to wait for every status"
    )
    return parser.parse_args(argv)


def load(client: httpx.Client) -> list[Sent]:
    print(f"sending {len(SIGNALS)} signals and {len(REFERRALS)} GP referrals…", flush=True)
    sent = [_submit(client, "/api/v1/signals", item, {}) for item in SIGNALS]
    gp = {"Authorization": f"Bearer {_token(client)}"}
    sent += [_submit(client, "/api/v1/referrals", item, gp) for item in REFERRALS]
    return sent


def _token(client: httpx.Client) -> str:
    answer = _call(client, "POST", "/api/v1/auth/token", json=GP_LOGIN)
    if answer.status_code != 200:
        raise DemoError(f"login as {GP_LOGIN['username']} failed: {_describe(answer)}")
    return str(answer.json()["access_token"])


def _submit(client: httpx.Client, path: str, item: Submission, headers: dict[str, str]) -> Sent:
    answer = _call(
        client, "POST", path, json=item.body, headers={**headers, "Idempotency-Key": item.key}
    )
    # 200 means this key was sent before: the same receipt comes back, nothing is added.
    if answer.status_code not in (200, 202):
        raise DemoError(f"{item.who} ({item.key}) was refused: {_describe(answer)}")
    return Sent(item.who, str(answer.json()["receipt"]))


def _call(client: httpx.Client, method: str, path: str, **options: Any) -> httpx.Response:
    try:
        return client.request(method, path, **options)
    except httpx.TransportError as error:
        raise DemoError(
            f"the gateway at {client.base_url} cannot be reached ({error!r}); "
            "is `make run` running?"
        ) from error


def _describe(answer: httpx.Response) -> str:
    return f"HTTP {answer.status_code} {answer.text[:300]}"


def wait_for_statuses(client: httpx.Client, sent: list[Sent], timeout: float) -> dict[str, str]:
    """receipt -> status text, for every receipt that has a status within ``timeout`` s."""
    statuses: dict[str, str] = {}
    started = time.monotonic()
    while True:
        for item in sent:
            if item.receipt not in statuses and (status := _status(client, item.receipt)):
                statuses[item.receipt] = status
        waited = time.monotonic() - started
        print(
            f"\r  waiting for statuses: {len(statuses)}/{len(sent)} known ({waited:.0f} s)",
            end="",
            flush=True,
        )
        if len(statuses) == len(sent) or waited >= timeout:
            print()
            return statuses
        time.sleep(POLL_SECONDS)


def _status(client: httpx.Client, receipt: str) -> str | None:
    """The status a signaler sees, or None while the services are still working on it."""
    try:
        answer = client.get(f"/api/v1/signals/{receipt}/status")
    except httpx.TransportError:
        return None
    if answer.status_code != 200:
        return None
    body = answer.json()
    return str(body.get("status_text", {}).get("nl") or body.get("status"))


def print_table(sent: list[Sent], statuses: dict[str, str]) -> None:
    width = max(len(item.who) for item in sent)
    print(f"\n{'receipt':<14}{'who':<{width + 2}}status")
    for item in sent:
        status = statuses.get(item.receipt, "(nog geen status)")
        print(f"{item.receipt:<14}{item.who:<{width + 2}}{status}")


if __name__ == "__main__":
    sys.exit(main())
