"""`make mutation`'s report: mutmut's verdicts read back, the score per package, and every
mutant that was not killed shown with its diff."""

from __future__ import annotations

from pathlib import Path

from schakel_dev.mutation import LINKS, by_package, parse_results, report, score, stage

RESULTS = """\
    schakel.platform.outbox.xǁOutboxRelayǁrelay_once__mutmut_1: killed
    schakel.platform.outbox.xǁOutboxRelayǁrelay_once__mutmut_2: survived
    schakel.platform.auth.x_verify_token__mutmut_1: timeout
    schakel.contracts.upcasters.x_received_v1_to_v2__mutmut_4: no tests
    schakel.contracts.upcasters.x_received_v1_to_v2__mutmut_5: killed
    schakel.triage.domain.decide.x_triage__mutmut_9: caught by type check
    schakel.matching.domain.x_propose__mutmut_2: skipped
    schakel.matching.domain.x_propose__mutmut_3: not checked
    Stopping early, because tests recorded trampoline hits: not a result
"""


def test_verdicts_are_read_back_with_their_package_and_module() -> None:
    mutants = parse_results(RESULTS.splitlines())
    assert len(mutants) == 8
    first, *_, last = mutants
    assert (first.package, first.module, first.status) == (
        "schakel.platform",
        "schakel.platform.outbox",
        "killed",
    )
    assert (last.package, last.module) == ("schakel.matching.domain", "schakel.matching.domain")
    assert mutants[5].package == "schakel.triage.domain"


def test_the_score_counts_timeouts_and_type_check_refusals_as_killed_and_no_tests_as_not() -> None:
    mutants = parse_results(RESULTS.splitlines())
    assert (score(mutants).killed, score(mutants).counted) == (4, 6)
    assert str(score(mutants)) == "66.7% (4 of 6 killed)"
    assert {p: str(s) for p, s in by_package(mutants).items()} == {
        "schakel.contracts": "50.0% (1 of 2 killed)",
        "schakel.matching.domain": "0.0% (0 of 0 killed)",
        "schakel.platform": "66.7% (2 of 3 killed)",
        "schakel.triage.domain": "100.0% (1 of 1 killed)",
    }


def test_the_report_shows_each_mutant_not_killed_with_its_diff() -> None:
    mutants = parse_results(RESULTS.splitlines())
    outbox = "schakel.platform.outbox.xǁOutboxRelayǁrelay_once__mutmut_2"
    text = report(mutants, {outbox: "-        await gather()\n+        pass\n"})
    assert "| schakel.platform | 66.7% (2 of 3 killed) |" in text
    assert f"- `{outbox}`: survived\n\n```diff\n-        await gather()\n+        pass\n```" in text
    assert "x_received_v1_to_v2__mutmut_4`: no tests" in text
    assert "mutmut_1`" not in text  # killed ones are not listed
    assert "x_propose__mutmut_3" not in text  # nor those not checked


def test_the_work_dir_links_to_the_checkout(tmp_path: Path) -> None:
    for name in ("services", "tests", "schemas", "docs"):
        (tmp_path / name).mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    work = stage(tmp_path)
    assert stage(tmp_path) == work  # again: nothing to do
    assert {p.name for p in work.iterdir()} == set(LINKS)
    assert (work / "src").resolve() == (tmp_path / "services").resolve()
