"""Demo data through the public API only, as real signalers would send it.

    python -m schakel_dev.demo --gateway http://127.0.0.1:8080

Sends reports a social broker in Utrecht would recognise, from the signalers the evaluation
names (a pharmacy, the bicycle couriers, a Thuisgekookt home cook, a supermarket, district
nursing, neighbours, someone about herself) in Utrecht's districts, and Welzijn op recept
prescriptions from GP practices in the two pilot districts (Overvecht, Zuilen), logged in as
the demo accounts ``huisarts`` and ``huisarts-zuilen``. Before them a provider's coordinator
registers buddies, home cooks and activities in every district (``demo_helpers``), so that
the owners' first conversations get real proposals. Together they end up in every state
there is today: routed to the social brokers, the exercise broker or the neighbourhood team
(urgent), at the coordination point (a postcode outside the city), and waiting. Then the
owners' demo accounts take some further through followup (``demo_followup``): accepted, in
contact, support started, closed; urgent ones are left to become overdue. Each submission has
a fixed Idempotency-Key, so running it again adds nothing. It prints what each signaler sees.
All people are fictional.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from schakel_dev.demo_followup import FOLLOW_UPS, OVERDUE, advance
from schakel_dev.demo_helpers import COORDINATOR, register_all

# The demo accounts of demo_users.json log in as "<username>" / "demo-<username>"; never a
# real credential.
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Submission:
    key: str  # Idempotency-Key: the same on every run
    who: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Sent:
    key: str
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
        "apotheek, Overvecht",
        _signal(
            "apotheker",
            "Apotheek Overvecht",
            "Gerda Willemsen",
            "3562 KA",
            "80+",
            ["alleen_wonend", "recent_verlies", "weinig_contact"],
            True,
            "Sinds haar man overleed komt ze elke week haar medicijnen halen en blijft lang "
            "praten; zegt dat er niemand meer langskomt.",
        ),
    ),
    Submission(
        "demo-signal-fietskoerier-zuilen",
        "fietskoerier, Zuilen (Noordwest)",
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
        "thuiskok, Overvecht",
        _signal(
            "thuiskok",
            "Stichting Thuisgekookt",
            "Riet Verhoeven",
            "3563 CE",
            "80+",
            ["ondervoeding", "somber"],
            True,
            "Het gaat echt niet goed met deze mevrouw: de maaltijden blijven staan.",
        ),
    ),
    Submission(
        "demo-signal-buurman-kanaleneiland",
        "buurman, Kanaleneiland (Zuidwest)",
        _signal(
            "buurtbewoner",
            None,
            "meneer van nummer 14, derde etage",
            "3526 XC",
            "50-69",
            ["verwaarlozing", "gordijnen_dicht"],
            False,
            "Vreemde geur in het portiek, de gordijnen zijn al dagen dicht.",
        ),
    ),
    Submission(
        "demo-signal-zelf-leidsche-rijn",
        "voor zichzelf, Leidsche Rijn",
        _signal(
            "zelf",
            None,
            "Samira El Amrani",
            "3543 BD",
            "30-49",
            ["voelt_zich_eenzaam", "wil_contact", "recent_verlies"],
            True,
            None,
            email="samira.demo@example.org",
        ),
    ),
    Submission(
        "demo-signal-jumbo-vogelenbuurt",
        "supermarkt, Vogelenbuurt (Noordoost)",
        _signal(
            "supermarkt",
            "Jumbo Vogelenbuurt",
            "Anton Kramer",
            "3514 AH",
            "80+",
            ["weinig_contact", "alleen_wonend"],
            False,
            "Komt elke dag twee keer voor één artikel, om even een praatje te maken.",
        ),
    ),
    Submission(
        "demo-signal-wijkverpleging-zuilen",
        "wijkverpleging, Zuilen (Noordwest)",
        _signal(
            "wijkverpleging",
            "Wijkverpleging Zuilen",
            "Truus van Leeuwen",
            "3554 CK",
            "80+",
            ["ondervoeding", "fysieke_beperking", "familie_ver_weg"],
            True,
            "Had om elf uur 's ochtends nog niet ontbeten; de kinderen wonen in Groningen.",
        ),
    ),
    Submission(
        "demo-signal-mantelzorg-leidsche-rijn",
        "studieadviseur, Leidsche Rijn",
        _signal(
            "anders",
            "Hogeschool Utrecht",
            "Lotte Smits",
            "3543 AL",
            "18-29",
            ["mantelzorger", "somber"],
            True,
            "Zorgt naast haar studie voor haar moeder en heeft geen tijd meer voor vrienden.",
        ),
    ),
    Submission(
        "demo-signal-buurvrouw-vleuterweide",
        "buurvrouw, Vleuterweide (Vleuten-De Meern)",
        _signal(
            "buurtbewoner",
            None,
            "mevrouw Bos",
            "3452 GA",
            "80+",
            ["durft_niet_naar_buiten", "alleen_wonend"],
            True,
            "Durft sinds haar val niet meer naar buiten; ik doe haar boodschappen.",
        ),
    ),
    Submission(
        "demo-signal-vrijwilliger-overvecht",
        "vrijwilliger, Overvecht",
        _signal(
            "buurtbewoner",
            None,
            "meneer Aydın",
            "3561 BN",
            "70-79",
            ["oudere_migrant", "weinig_contact", "familie_ver_weg"],
            True,
            "Zegt zelf niet eenzaam te zijn, maar zit elke dag alleen op het bankje bij de Dreef.",
        ),
    ),
    Submission(
        "demo-signal-dakloos-binnenstad",
        "straatpastor, Binnenstad",
        _signal(
            "anders",
            "Straatpastoraat",
            "Rob (achternaam onbekend)",
            "3512 JE",
            "50-69",
            ["dak_of_thuisloos", "zinloosheid"],
            True,
            "Slaapt sinds de zomer in de stationshal en zegt dat het allemaal geen zin meer heeft.",
        ),
    ),
    Submission(
        "demo-signal-fietskoerier-nieuwegein",
        "fietskoerier, net buiten de stad",
        _signal(
            "fietskoerier",
            "Fietskoerier Utrecht",
            "mevrouw Hendriks",
            "3431 KL",
            "80+",
            ["weinig_contact", "gordijnen_dicht"],
            False,
            "Woont net over de grens met Nieuwegein; bezorgen er sinds kort ook.",
        ),
    ),
    Submission(
        "demo-signal-buurman-oost",
        "buurman, Oost",
        _signal(
            "buurtbewoner",
            None,
            "meneer Visser",
            "3581 PK",
            "50-69",
            [],
            False,
            "Ik zie hem weinig, maar weet niet goed wat er is. Misschien is het niets.",
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
    prescribed_to: str = "sociaal_makelaar",
) -> dict[str, Any]:
    return {
        "patient": {"name": name, "postcode": postcode, "date_of_birth": born, "phone": phone},
        "age_band": age,
        "observations": observations,
        "djg_score": djg_score,
        "consent_to_contact": True,
        "prescribed_to": prescribed_to,
        "note": note,
    }


# Welzijn op recept from the two pilot districts (evaluation §5.4), one of them for a patient
# who lives where it does not run.
REFERRALS: tuple[tuple[str, Submission], ...] = (
    (
        "huisarts",
        Submission(
            "demo-referral-dekker",
            "huisarts, Overvecht",
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
    ),
    (
        "huisarts",
        Submission(
            "demo-referral-yilmaz",
            "huisarts, Overvecht",
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
    ),
    (
        "huisarts",
        Submission(
            "demo-referral-jansen",
            "huisarts, Overvecht",
            _referral(
                "Ruud Jansen",
                "3562 VN",
                "1960-01-23",
                "50-69",
                ["fysieke_beperking", "wil_contact"],
                3,
                "Wil graag bewegen met anderen.",
                "06 1000 0003",
                prescribed_to="beweegmakelaar",
            ),
        ),
    ),
    (
        "huisarts-zuilen",
        Submission(
            "demo-referral-bakker",
            "huisarts, Zuilen (Noordwest)",
            _referral(
                "Henk Bakker",
                "3553 CD",
                "1957-06-30",
                "50-69",
                ["somber", "weinig_contact"],
                2,
                "Sinds zijn pensioen somber; naar de beweegmakelaar.",
                "06 1000 0004",
                prescribed_to="beweegmakelaar",
            ),
        ),
    ),
    (
        "huisarts-zuilen",
        Submission(
            "demo-referral-de-vries",
            "huisarts, Zuilen, patiënt in Lombok (West)",
            _referral(
                "Els de Vries",
                "3532 RA",
                "1949-11-05",
                "70-79",
                ["alleen_wonend", "wil_contact"],
                3,
                "Woont in Lombok, waar geen Welzijn op recept is.",
                "06 1000 0005",
            ),
        ),
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    with httpx.Client(base_url=args.gateway, timeout=15.0, trust_env=False) as client:
        try:
            register_helpers(client)
            sent = load(client)
        except (DemoError, RuntimeError) as error:
            print(f"demo data: {error}", file=sys.stderr)
            return 1
        statuses = wait_for_statuses(client, sent, args.wait)
        print("owners at work (followup):", flush=True)
        try:
            take_further(client, sent)
        except (DemoError, RuntimeError) as error:
            print(f"demo data: owners' actions failed: {error}", file=sys.stderr)
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


def register_helpers(client: httpx.Client) -> None:
    """The providers' helpers first, so the owners' first conversations get proposals."""
    coordinator = {"Authorization": f"Bearer {_token(client, COORDINATOR)}"}
    added, known = register_all(client, coordinator, _call)
    print(f"helpers in matching's registry: {added} registered, {known} there already")


def load(client: httpx.Client) -> list[Sent]:
    print(f"sending {len(SIGNALS)} reports and {len(REFERRALS)} GP referrals…", flush=True)
    sent = [_submit(client, "/api/v1/signals", item, {}) for item in SIGNALS]
    tokens: dict[str, str] = {}
    for practice, item in REFERRALS:
        token = tokens.get(practice) or tokens.setdefault(practice, _token(client, practice))
        gp = {"Authorization": f"Bearer {token}"}
        sent.append(_submit(client, "/api/v1/referrals", item, gp))
    return sent


def _token(client: httpx.Client, username: str) -> str:
    login = {"username": username, "password": f"demo-{username}"}
    answer = _call(client, "POST", "/api/v1/auth/token", json=login)
    if answer.status_code != 200:
        raise DemoError(f"login as {username} failed: {_describe(answer)}")
    return str(answer.json()["access_token"])


def _submit(client: httpx.Client, path: str, item: Submission, headers: dict[str, str]) -> Sent:
    # The key is the correlation id too: the demo finds each referral in the audit by it.
    sent = {**headers, "Idempotency-Key": item.key, "X-Correlation-ID": item.key}
    answer = _call(client, "POST", path, json=item.body, headers=sent)
    # 200 means this key was sent before: the same receipt comes back, nothing is added.
    if answer.status_code == 409:  # the key was used with another body: an older demo
        raise DemoError(
            f"{item.who} ({item.key}) was loaded before with other content, by an earlier "
            "version's demo in .run/; `make clean` removes that data, then `make run` loads "
            "this version's demo"
        )
    if answer.status_code not in (200, 202):
        raise DemoError(f"{item.who} ({item.key}) was refused: {_describe(answer)}")
    return Sent(item.key, item.who, str(answer.json()["receipt"]))


def referral_ids(client: httpx.Client, sent: list[Sent]) -> dict[str, str]:
    """Submission key -> referral id, from the audit's archive (as the demo auditor)."""
    auditor = {"Authorization": f"Bearer {_token(client, 'auditor')}"}
    found = {}
    for item in sent:
        answer = _call(client, "GET", f"/api/v1/audit/correlations/{item.key}", headers=auditor)
        events = answer.json().get("events", []) if answer.status_code == 200 else []
        if events:
            found[item.key] = str(events[0]["data"]["referral_id"])
    return found


def take_further(client: httpx.Client, sent: list[Sent]) -> None:
    """The owners' part: some referrals accepted, in contact, with support, closed."""
    ids = referral_ids(client, sent)
    owners = {f.owner for f in FOLLOW_UPS}
    tokens = {owner: _token(client, owner) for owner in sorted(owners)}
    for key, state in advance(client, ids, tokens):
        print(f"  {key}: {state}")
    print(f"  left for the inbox to show overdue within minutes: {', '.join(OVERDUE)}")


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
    """receipt -> status text, for every receipt routed within ``timeout`` s."""
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
    """The status a signaler sees once the report was routed, or None while the services are
    still working on it."""
    try:
        answer = client.get(f"/api/v1/signals/{receipt}/status")
    except httpx.TransportError:
        return None
    if answer.status_code != 200:
        return None
    body = answer.json()
    if body.get("status") == "ontvangen":
        return None
    return str(body.get("status_text", {}).get("nl") or body.get("status"))


def print_table(sent: list[Sent], statuses: dict[str, str]) -> None:
    width = max(len(item.who) for item in sent)
    print(f"\n{'receipt':<14}{'who':<{width + 2}}status")
    for item in sent:
        status = statuses.get(item.receipt, "(nog geen status)")
        print(f"{item.receipt:<14}{item.who:<{width + 2}}{status}")


if __name__ == "__main__":
    sys.exit(main())
