"""Upgrading dsdone never turns a green gate red without notice: a built-in check newer than the
release a contract is ``written_for`` reports but does not block, until the contract opts in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli

from dsdone import Finding, Project, __version__, check
from dsdone import engine as engine_module
from dsdone.contract import load_contract
from dsdone.registry import builtin_checks


@check(id="future-check", title="A model card", fix="Write MODEL_CARD.md.", since="0.2.0")
def new_check(project: Project) -> Iterator[Finding]:
    """A check that a later dsdone release brings, failing on every project."""
    yield Finding("no model card", path="MODEL_CARD.md")


@pytest.fixture(autouse=True)
def _a_release_brings_a_new_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "builtin_checks", lambda: [*builtin_checks(), new_check])


def report(run_cli: RunCli, *args: str) -> tuple[int, dict[str, object]]:
    result = run_cli("check", *args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def result_of(data: dict[str, object], check_id: str) -> dict[str, object]:
    results = data["results"]
    assert isinstance(results, list)
    return next(r for r in results if r["check"] == check_id)


def test_a_round_one_contract_stays_ready_and_is_told_what_is_new(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"tests/test_x.py": "def test_x():\n    assert 1 + 1 == 2\n"})

    code, data = report(run_cli, str(root), "--select", "version-control,future-check")
    assert code == 1  # named with --select, it blocks like any other

    code, _ = report(run_cli, str(root), "--ignore", "future-check")
    code_with_new, data = report(run_cli, str(root))
    found = result_of(data, "future-check")
    assert found["status"] == "fail"
    assert found["blocks"] is False
    assert 'set `written_for: "0.2.0"` to opt in' in str(found["advisory"])
    assert "not blocking" in str(found["summary"])
    assert code_with_new == code


def test_a_contract_written_for_the_release_is_gated_by_its_checks(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    contract = MINIMAL_CONTRACT.replace("version: 1\n", 'version: 1\nwritten_for: "0.2"\n')
    root = make_repo({"README.md": "x\n"}, contract=contract)

    code, data = report(run_cli, str(root), "--ignore", "unit-tests")

    assert result_of(data, "future-check")["blocks"] is True
    assert result_of(data, "future-check")["advisory"] is None
    assert code == 1


def test_an_advisory_check_does_not_move_the_score(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"README.md": "x\n"})

    _, with_new = report(run_cli, str(root), "--ignore", "unit-tests")
    _, without = report(run_cli, str(root), "--ignore", "unit-tests,future-check")

    assert with_new["score"] == without["score"]


def test_a_contract_written_for_a_newer_dsdone_is_refused_at_its_line(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    contract = MINIMAL_CONTRACT.replace("version: 1\n", 'version: 1\nwritten_for: "9.1"\n')
    root = make_repo({"README.md": "x\n"}, contract=contract)

    result = run_cli("check", str(root))

    assert result.exit_code == 2
    assert "dsdone.yaml:2:14: the contract is written for dsdone 9.1" in result.stderr
    assert "upgrade dsdone" in result.stderr


@pytest.mark.parametrize("value", ["latest", "0.2.0-rc1", "1.2.3.4", ""])
def test_written_for_must_be_a_release_number(
    make_repo: MakeRepo, run_cli: RunCli, value: str
) -> None:
    contract = MINIMAL_CONTRACT.replace("version: 1\n", f'version: 1\nwritten_for: "{value}"\n')
    root = make_repo({"README.md": "x\n"}, contract=contract)

    result = run_cli("check", str(root))

    assert result.exit_code == 2
    assert "dsdone.yaml:2:" in result.stderr


def test_init_writes_contracts_that_opt_into_this_release(
    tmp_path: object, run_cli: RunCli
) -> None:

    target = Path(str(tmp_path)) / "churn"
    assert (
        run_cli("init", str(target), "--owner", "a@example.com", "--template", "minimal").exit_code
        == 0
    )
    assert load_contract(target).written_for == __version__
