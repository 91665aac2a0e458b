"""The deliberate bugs of docs/testing.md, tried again: each patch in ``tests/deliberate_bugs/``
is applied to a temporary copy of the checkout and the fast tests it names are run there;
a bug is caught when at least one of them fails. The named tests run once on an unpatched
copy first, so a test that fails anyway does not count as catching anything.

    python -m schakel_dev.deliberate_bugs [NAME ...]

A patch is a ``git diff`` after a few header lines, which ``git apply`` passes over::

    Bug: what the change breaks, in words
    Tests: tests/unit/test_x.py::test_y tests/contract/test_z.py::test_w
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from schakel_dev import repo_root

PATCHES = Path("tests") / "deliberate_bugs"
# What the fast tests read besides the code and themselves.
COPIED = ("services", "dev", "tests", "schemas", "docs", "deploy", "pyproject.toml", "README.md")


@dataclass(frozen=True)
class Bug:
    name: str
    description: str
    tests: tuple[str, ...]
    patch: Path

    @classmethod
    def read(cls, patch: Path) -> Bug:
        fields: dict[str, str] = {}
        for line in patch.read_text().splitlines():
            if line.startswith("diff --git"):
                break
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip().lower()] = value.strip()
        if not fields.get("tests"):
            raise ValueError(f"{patch} names no tests ('Tests: ...' before the diff)")
        return cls(patch.stem, fields.get("bug", ""), tuple(fields["tests"].split()), patch)


def bugs(root: Path) -> list[Bug]:
    return [Bug.read(p) for p in sorted((root / PATCHES).glob("*.patch"))]


def copy_checkout(root: Path, into: Path) -> Path:
    for name in COPIED:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, into / name)
    return into


def failing(copy: Path, tests: Sequence[str]) -> list[str]:
    """Run ``tests`` against the code in ``copy`` (its own services/ and dev/ imported);
    the node ids of those that failed."""
    paths = os.pathsep.join(str(copy / p) for p in ("services", "dev"))
    env = {**os.environ, "PYTHONPATH": paths}
    args = [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", *tests]
    done = subprocess.run(args, cwd=copy, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"pytest could not run {' '.join(tests)} (exit {done.returncode})")
    failed = (line for line in done.stdout.splitlines() if line.startswith("FAILED "))
    return [line.removeprefix("FAILED ").partition(" - ")[0] for line in failed]


def caught_by(root: Path, bug: Bug) -> list[str]:
    """The named tests that fail once the bug is in (none: missed)."""
    with tempfile.TemporaryDirectory(prefix="schakel-bug-") as scratch:
        copy = copy_checkout(root, Path(scratch))
        if failed := failing(copy, bug.tests):
            raise RuntimeError(f"{bug.name}: {', '.join(failed)} fail without the bug")
        subprocess.run(["git", "apply", str(bug.patch)], cwd=copy, check=True)
        return failing(copy, bug.tests)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schakel_dev.deliberate_bugs")
    parser.add_argument("names", nargs="*", help="patch names (default: every one)")
    args = parser.parse_args(argv)
    root = repo_root()
    chosen = [b for b in bugs(root) if not args.names or b.name in args.names]
    missed = 0
    for bug in chosen:
        failed = caught_by(root, bug)
        missed += not failed
        print(f"{'caught' if failed else 'MISSED':<7} {bug.name}: {bug.description}")
        print("".join(f"        fails: {test}\n" for test in failed), end="", flush=True)
    print(f"{len(chosen) - missed} of {len(chosen)} deliberate bugs caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
