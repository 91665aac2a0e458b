"""The deliberate bugs of docs/testing.md stay runnable: each patch still applies to the code
as it is and names tests that exist. (Whether those tests catch it: ``python -m
schakel_dev.deliberate_bugs``, minutes, so not here.)"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from schakel_dev import repo_root
from schakel_dev.deliberate_bugs import Bug, bugs

ROOT = repo_root()


def test_there_is_a_patch_for_each_bug_the_issue_named() -> None:
    assert len(bugs(ROOT)) >= 9


@pytest.mark.parametrize("bug", bugs(ROOT), ids=lambda b: b.name)
def test_each_patch_applies_and_names_tests_that_exist(bug: Bug) -> None:
    applies = subprocess.run(
        ["git", "apply", "--check", str(bug.patch)], cwd=ROOT, capture_output=True, text=True
    )
    assert applies.returncode == 0, applies.stderr
    assert bug.description
    for test in bug.tests:
        path, _, name = test.partition("::")
        tree = ast.parse((ROOT / path).read_text())
        functions = {
            n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        assert name.partition("[")[0] in functions, test


def test_a_patch_without_tests_is_refused(tmp_path: Path) -> None:
    patch = tmp_path / "x.patch"
    patch.write_text("Bug: something\n\ndiff --git a/x b/x\n")
    with pytest.raises(ValueError, match="names no tests"):
        Bug.read(patch)
    patch.write_text("Bug: something\nTests: tests/a.py::t tests/b.py::u\n\ndiff --git a/x b/x\n")
    assert Bug.read(patch) == Bug("x", "something", ("tests/a.py::t", "tests/b.py::u"), patch)
