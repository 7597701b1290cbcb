"""Waivers: a known failure accepted with a reason until a date, through the CLI and the engine."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeRepo, RunCli
from gate_plugin import GATE, gate_repo

from dsdone.engine import Selection, run
from dsdone.report import Status

FILES = {"src/a.py": "x = 1  # FIXME a\n", "src/b.py": "y = 2  # FIXME b\n", "README.md": ""}


def waiver(
    until: str | None = "2999-12-31", paths: str | None = None, check: str = "gate-markers"
) -> str:
    text = f"waivers:\n  - check: {check}\n    reason: cleanup planned in Q3\n"
    if until is not None:
        text += f"    until: {until}\n"
    if paths is not None:
        text += f"    paths: [{paths}]\n"
    return text


def check_json(run_cli: RunCli, root: Path) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", str(root), "--allow-plugins", "--select", GATE, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, {r["check"]: r for r in json.loads(result.stdout)["results"]}


def test_an_active_waiver_shows_the_failure_as_waived_and_does_not_block(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = gate_repo(make_repo, FILES, waiver())
    code, results = check_json(run_cli, root)
    assert code == 0
    markers = results["gate-markers"]
    assert markers["status"] == "waived"
    assert markers["blocks"] is False
    assert markers["summary"] == "2 findings; waived: cleanup planned in Q3"
    # The findings stay in the report, marked with the waiver and where it is in the contract.
    assert [f["waived"] for f in markers["findings"]] == [
        {"reason": "cleanup planned in Q3", "until": "2999-12-31", "line": 8}
    ] * 2
    terminal = run_cli("check", str(root), "--allow-plugins", "--select", GATE)
    assert "~ waived  gate-markers" in terminal.stdout
    assert "(waived until 2999-12-31: cleanup planned in Q3)" in terminal.stdout
    assert terminal.stdout.splitlines()[-1].startswith("✓ Ready")


def test_an_expired_waiver_fails_and_says_when_it_expired(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = gate_repo(make_repo, FILES, waiver(until="2020-01-31"))
    code, results = check_json(run_cli, root)
    assert code == 1
    markers = results["gate-markers"]
    assert (markers["status"], markers["blocks"]) == ("fail", True)
    assert markers["summary"] == "2 findings; waiver expired on 2020-01-31 (cleanup planned in Q3)"
    assert [f["waived"] for f in markers["findings"]] == [None, None]


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2026, 6, 29), Status.WAIVED),
        (date(2026, 6, 30), Status.WAIVED),  # `until` is the last day the waiver holds
        (date(2026, 7, 1), Status.FAIL),
    ],
)
def test_a_waiver_holds_up_to_and_including_its_date(
    make_repo: MakeRepo, today: date, status: Status
) -> None:
    root = gate_repo(make_repo, FILES, waiver(until="2026-06-30"))
    report = run(
        root, Selection(select=frozenset({"gate-markers"}), allow_plugins=True), today=today
    )
    (result,) = report.results
    assert result.status is status
    assert report.ready is (status is Status.WAIVED)


def test_a_waiver_without_a_date_does_not_expire(make_repo: MakeRepo) -> None:
    root = gate_repo(make_repo, FILES, waiver(until=None))
    selection = Selection(select=frozenset({"gate-markers"}), allow_plugins=True)
    report = run(root, selection, today=date(9999, 1, 1))
    assert report.results[0].status is Status.WAIVED


def test_a_waiver_with_paths_accepts_only_the_findings_under_them(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = gate_repo(make_repo, FILES, waiver(paths="src/a.py"))
    code, results = check_json(run_cli, root)
    assert code == 1
    markers = results["gate-markers"]
    assert markers["status"] == "fail"
    assert markers["summary"] == "2 findings; 1 waived"
    assert [(f["path"], f["waived"] is not None) for f in markers["findings"]] == [
        ("src/a.py", True),
        ("src/b.py", False),
    ]


def test_a_waiver_with_paths_does_not_cover_a_finding_about_the_whole_project(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    files = {k: v for k, v in FILES.items() if k != "README.md"}
    root = gate_repo(make_repo, files, waiver(check="gate-readme", paths="'*.md'"))
    _, results = check_json(run_cli, root)
    assert results["gate-readme"]["status"] == "fail"
    unpathed = gate_repo(make_repo, files, waiver(check="gate-readme"), name="unpathed")
    _, results = check_json(run_cli, unpathed)
    assert results["gate-readme"]["status"] == "waived"


@pytest.mark.parametrize(
    ("waivers", "message"),
    [
        (waiver(check="gate-markrs"), "dsdone.yaml:8:5: unknown check 'gate-markrs' in waivers"),
        (
            "waivers:\n  - check: gate-markers\n    until: 2999-12-31\n",
            "dsdone.yaml:8:5: waivers[0] is missing the required key 'reason'",
        ),
        (waiver(until="2026-02-30"), "waivers[0].until is not a real date"),
    ],
)
def test_a_broken_waiver_is_a_contract_error_with_its_line(
    make_repo: MakeRepo, run_cli: RunCli, waivers: str, message: str
) -> None:
    root = gate_repo(make_repo, FILES, waivers)
    result = run_cli("check", str(root), "--allow-plugins", "--select", GATE)
    assert result.exit_code == 2
    assert message in result.stderr
