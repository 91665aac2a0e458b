"""Mutation testing: how many small deliberate bugs in the platform, the contracts and the
domains the fast tests (unit and contract, no servers) catch.

    python -m schakel_dev.mutation [--max-children N] [--survivors] [MUTANT_GLOB ...]

mutmut (pinned in the dev extra, configured under ``[tool.mutmut]`` in pyproject.toml) only
finds code in ``./``, ``src/`` or ``source/``, so it runs in ``.mutation/``, where ``src`` is
the checkout's ``services`` folder. It mutates copies under ``.mutation/mutants/`` and never
touches the checkout. Verdicts are kept between runs: a mutant is tested again when its
function changed, when it is named (``MUTANT_GLOB``, e.g. ``'schakel.platform.outbox.*'``), or,
with ``--survivors``, when it was not killed last time or has no verdict (after new tests;
with globs, only those it matches). The report, ``.mutation/report.md``, has the score per
package and every mutant not killed, with its diff; the score is printed too. ``make
mutation`` runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from schakel_dev import repo_root

WORK_DIR = ".mutation"
# What mutmut finds in WORK_DIR: the source as src/, and what the tests read besides themselves
# (the schemas, and the docs whose tables they hold to the code).
LINKS = {
    "src": "services",
    "tests": "tests",
    "schemas": "schemas",
    "docs": "docs",
    "pyproject.toml": None,
}
KILLED = frozenset({"killed", "timeout", "caught by type check"})
NOT_COUNTED = frozenset({"skipped", "not checked", "check was interrupted by user"})


@dataclass(frozen=True)
class Mutant:
    name: str  # e.g. schakel.platform.outbox.xǁOutboxRelayǁrelay_once__mutmut_3
    status: str  # as mutmut says: killed, survived, no tests, timeout…

    @property
    def package(self) -> str:
        """schakel.platform, schakel.contracts or schakel.<service>.domain."""
        parts = self.name.split(".")
        return ".".join(parts[:2] if parts[1] in ("platform", "contracts") else parts[:3])

    @property
    def module(self) -> str:
        parts = self.name.split(".")
        return ".".join(p for p in parts if not p.startswith(("x_", "xǁ")))

    @property
    def killed(self) -> bool:
        return self.status in KILLED

    @property
    def counted(self) -> bool:
        return self.status not in NOT_COUNTED


@dataclass(frozen=True)
class Score:
    killed: int
    counted: int

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.counted if self.counted else 0.0

    def __str__(self) -> str:
        return f"{self.percent:.1f}% ({self.killed} of {self.counted} killed)"


def parse_results(lines: Iterable[str]) -> list[Mutant]:
    """``mutmut results --all true``: one ``    <name>: <status>`` line per mutant."""
    mutants = []
    for line in lines:
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            mutants.append(Mutant(name, status))
    return mutants


def score(mutants: Iterable[Mutant]) -> Score:
    counted = [m for m in mutants if m.counted]
    return Score(sum(m.killed for m in counted), len(counted))


def by_package(mutants: Sequence[Mutant]) -> dict[str, Score]:
    packages = sorted({m.package for m in mutants})
    return {p: score(m for m in mutants if m.package == p) for p in packages}


def report(mutants: Sequence[Mutant], diffs: dict[str, str]) -> str:
    """The Markdown report: scores per package, then every mutant not killed, by module."""
    statuses = Counter(m.status for m in mutants)
    lines = [
        "# Mutation testing",
        "",
        f"Score: {score(mutants)}; statuses: "
        + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())),
        "",
        "Killed counts timeouts and mutants the type check refused; 'no tests' (no fast test",
        "runs the function) counts as survived. Skipped and unchecked mutants are not counted.",
        "",
        "| package | score |",
        "| --- | --- |",
        *(f"| {package} | {s} |" for package, s in by_package(mutants).items()),
        "",
        "## Mutants not killed",
    ]
    alive = [m for m in mutants if m.counted and not m.killed]
    for module in sorted({m.module for m in alive}):
        lines += ["", f"### {module}", ""]
        for mutant in (m for m in alive if m.module == module):
            lines += [f"- `{mutant.name}`: {mutant.status}", "", "```diff"]
            lines += [diffs.get(mutant.name, "(no diff)").strip(), "```", ""]
    return "\n".join(lines) + "\n"


def stage(root: Path) -> Path:
    """``.mutation/`` with links to what mutmut copies; its own ``mutants/`` stays."""
    work = root / WORK_DIR
    work.mkdir(exist_ok=True)
    for name, target in LINKS.items():
        link = work / name
        if not link.is_symlink():
            link.symlink_to(Path("..") / (target or name))
    return work


def refresh_data_files(work: Path) -> list[Path]:
    """Copy the source's other files (templates, CSS, policies) over stale copies in
    ``mutants/src``: mutmut makes new copies of changed Python modules only, so a changed
    template would fail tests that pass in the checkout."""
    source, copies = work / "src", work / "mutants" / "src"
    refreshed: list[Path] = []
    if not copies.is_dir():
        return refreshed  # mutmut's first run copies everything
    for path in source.rglob("*"):
        if not path.is_file() or path.suffix in (".py", ".pyc"):
            continue
        copy = copies / path.relative_to(source)
        if not copy.exists() or copy.read_bytes() != path.read_bytes():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
            refreshed.append(copy)
    return refreshed


def mutmut(work: Path, *args: str, capture: bool = False) -> str:
    executable = Path(sys.executable).with_name("mutmut")
    # The tests' caches (the AsyncAPI CLI) are the checkout's, not the copy's.
    cache = os.environ.get("SCHAKEL_CACHE_DIR") or str(work.parent / ".cache")
    env = {**os.environ, "SCHAKEL_CACHE_DIR": cache}
    done = subprocess.run(
        [str(executable), *args],
        cwd=work,
        env=env,
        check=not capture,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def diffs(work: Path, names: Sequence[str]) -> dict[str, str]:
    """Each mutant's diff, from one helper process (schakel_dev.mutation_diffs)."""
    done = subprocess.run(
        [sys.executable, "-m", "schakel_dev.mutation_diffs"],
        cwd=work,
        check=True,
        text=True,
        input="\n".join(names),
        stdout=subprocess.PIPE,
    )
    found: dict[str, str] = json.loads(done.stdout)
    return found


def results(work: Path) -> list[Mutant]:
    return parse_results(mutmut(work, "results", "--all", "true", capture=True).splitlines())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schakel_dev.mutation", description=__doc__)
    parser.add_argument("--max-children", type=int, default=2, help="parallel test runs")
    parser.add_argument("--report-only", action="store_true", help="write the report, run none")
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="test again every mutant not killed last time, and those not checked yet",
    )
    parser.add_argument("mutants", nargs="*", help="mutant name globs to run (default: all)")
    args = parser.parse_args(argv)
    work = stage(repo_root())
    refresh_data_files(work)
    chosen = list(args.mutants)
    if args.survivors:  # mutmut keeps a verdict unless the mutant is named
        # Not killed, and those without a verdict (new, or reset by mutmut), skipped ones aside.
        names = [m.name for m in results(work) if not m.killed and m.status != "skipped"]
        chosen = [n for n in names if not chosen or any(fnmatch(n, g) for g in chosen)]
        if not chosen:
            print("no mutant left alive to test again")
    if not args.report_only and (chosen or not args.survivors):
        mutmut(work, "run", "--max-children", str(args.max_children), *chosen)
    mutants = results(work)
    alive = [m for m in mutants if m.counted and not m.killed]
    path = work / "report.md"
    path.write_text(report(mutants, diffs(work, [m.name for m in alive])))
    for package, s in by_package(mutants).items():
        print(f"{package:<28} {s}")
    print(f"mutation score: {score(mutants)}; report in {path.relative_to(repo_root())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
