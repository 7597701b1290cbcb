"""Every built-in check can be found from the tree alone: its module, its tests and its row and
section in the README's catalogue, named after its id."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dsdone.registry import builtin_checks

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BUILTIN = sorted(check.id for check in builtin_checks())


def module_name(check_id: str) -> str:
    return check_id.replace("-", "_")


def test_there_are_built_in_checks() -> None:
    assert len(BUILTIN) >= 7


@pytest.mark.parametrize("check_id", BUILTIN)
def test_a_built_in_check_has_its_module(check_id: str) -> None:
    (check,) = [c for c in builtin_checks() if c.id == check_id]
    assert check.function.__module__ == f"dsdone.checks.{module_name(check_id)}"
    assert (ROOT / "checks" / f"{module_name(check_id)}.py").is_file()


@pytest.mark.parametrize("check_id", BUILTIN)
def test_a_built_in_check_has_its_tests(check_id: str) -> None:
    tests = ROOT / "tests" / "checks" / f"test_{module_name(check_id)}.py"
    assert tests.is_file()
    assert re.search(r"^def test_", tests.read_text(encoding="utf-8"), re.MULTILINE)


@pytest.mark.parametrize("check_id", BUILTIN)
def test_a_built_in_check_has_its_readme_row_and_section(check_id: str) -> None:
    row = f"| [`{check_id}`](#check-{check_id}) |"
    assert row in README
    assert f"\n### Check: {check_id}\n" in README


def test_the_readme_lists_no_check_that_does_not_exist() -> None:
    listed = re.findall(r"^\| \[`([a-z0-9-]+)`\]\(#check-", README, re.MULTILINE)
    assert sorted(listed) == BUILTIN


@pytest.mark.parametrize("check_id", BUILTIN)
def test_a_built_in_check_names_the_ml_test_score_tests_it_automates(check_id: str) -> None:
    (check,) = [c for c in builtin_checks() if c.id == check_id]
    assert check.ml_test_score, "name the rubric's tests in @check(ml_test_score=...)"
    for test in check.ml_test_score:
        row = re.search(rf"^\| {test} \|[^\n]*\|[^\n]*`{check_id}`", README, re.MULTILINE)
        assert row, f"the README's ML Test Score table lists {check_id} under {test}"
