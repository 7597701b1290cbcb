"""contract-changes: with --base REF, a pull request that lowers the bar of the gate under review
is named at its line in the contract, as a warning that a reviewer sees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli, git

from dsdone.testing import write_files

BASE = (
    MINIMAL_CONTRACT
    + """\
written_for: "0.2.0"
inputs:
  - name: customers
    source: s3://acme/customers/
outputs:
  - name: scores
    format: csv
tests:
  min_tests: 5
checks:
  personal-paths:
    severity: error
waivers:
  - check: unit-tests
    reason: the tests are being written
    until: 2026-06-30
"""
)


def lowered(make_repo: MakeRepo, run_cli: RunCli, head: str) -> tuple[int, dict[str, Any]]:
    root = make_repo({"README.md": ""}, contract=BASE)
    write_files(root, {"dsdone.yaml": head})
    git(root, "commit", "-q", "-am", "head")
    result = run_cli(
        "check", str(root), "--base", "HEAD~1", "--select", "contract-changes", "--format", "json"
    )
    assert result.exit_code in (0, 1), result.stderr
    (found,) = json.loads(result.stdout)["results"]
    return result.exit_code, found


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "  personal-paths:\n    severity: error\n",
            "  personal-paths:\n    severity: error\n    enabled: false\n",
            17,
            "check 'personal-paths' was turned off",
        ),
        (
            "  personal-paths:\n    severity: error\n",
            "  personal-paths:\n    severity: warning\n",
            16,
            "check 'personal-paths': severity lowered from error to warning",
        ),
        (  # from the check's default
            "  personal-paths:\n    severity: error\n",
            "  personal-paths:\n    severity: error\n  unit-tests: {severity: info}\n",
            17,
            "check 'unit-tests': severity lowered from error to info",
        ),
        (
            "  personal-paths:\n    severity: error\n",
            '  personal-paths:\n    severity: error\n    exclude: ["notebooks/**"]\n',
            17,
            "check 'personal-paths' now drops its findings in notebooks/** (exclude)",
        ),
        (
            "    until: 2026-06-30\n",
            "    until: 2026-06-30\n  - check: personal-paths\n    reason: legacy code\n",
            21,
            "a waiver of 'personal-paths' was added since HEAD~1 (until no end date): legacy code",
        ),
        (
            "    until: 2026-06-30\n",
            "    until: 2026-12-31\n",
            18,
            "the waiver of 'unit-tests' was extended from 2026-06-30 to 2026-12-31",
        ),
        (
            "  min_tests: 5\n",
            "  min_tests: 2\n",
            13,
            "tests.min_tests was lowered from 5 to 2",
        ),
        (
            "outputs:\n  - name: scores\n    format: csv\n",
            "outputs: []\n",
            9,
            "output 'scores' was removed from the contract: no check looks at it any more",
        ),
        (
            "inputs:\n  - name: customers\n    source: s3://acme/customers/\n",
            "",
            1,
            "input 'customers' was removed from the contract: no check looks at it any more",
        ),
        (
            'written_for: "0.2.0"\n',
            'written_for: "0.1.0"\n',
            5,
            "written_for was lowered from 0.2.0 to 0.1.0: checks added since no longer block",
        ),
    ],
    ids=[
        "check-off",
        "severity",
        "severity-from-default",
        "exclude",
        "waiver-added",
        "waiver-extended",
        "min-tests",
        "output-removed",
        "input-removed",
        "written-for",
    ],
)
def test_a_change_that_lowers_the_bar_is_a_warning_at_its_line(
    make_repo: MakeRepo, run_cli: RunCli, old: str, new: str, line: int, message: str
) -> None:
    assert old in BASE
    code, result = lowered(make_repo, run_cli, BASE.replace(old, new))

    assert code == 0  # a warning: the reviewer sees it, the gate does not block on it
    assert (result["status"], result["severity"]) == ("fail", "warning")
    assert [(f["path"], f["line"], f["message"]) for f in result["findings"]] == [
        ("dsdone.yaml", line, message)
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    severity: error\n", "    severity: error\n    timeout: 30\n"),
        ("    until: 2026-06-30\n", "    until: 2026-01-31\n"),  # shortened
        (BASE[BASE.index("waivers:") :], ""),
        ("  min_tests: 5\n", "  min_tests: 8\n"),
        ("    format: csv\n", "    format: csv\n  - name: segments\n"),
    ],
    ids=["timeout", "waiver-shortened", "waiver-removed", "min-tests-raised", "output-added"],
)
def test_a_change_that_keeps_or_raises_the_bar_is_quiet(
    make_repo: MakeRepo, run_cli: RunCli, old: str, new: str
) -> None:
    code, result = lowered(make_repo, run_cli, BASE.replace(old, new))

    assert (code, result["status"], result["findings"]) == (0, "pass", [])
    assert result["summary"] == "nothing lowers the bar since HEAD~1"


def test_it_can_be_made_to_block_with_fail_on_warning(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    root = make_repo({"README.md": ""}, contract=BASE)
    write_files(root, {"dsdone.yaml": BASE.replace("min_tests: 5", "min_tests: 0")})
    git(root, "commit", "-q", "-am", "head")

    result = run_cli(
        "check", str(root), "--base", "HEAD~1", "--select", "contract-changes",
        "--fail-on", "warning",
    )  # fmt: skip

    assert result.exit_code == 1
    assert "dsdone.yaml:13: warning[contract-changes]: tests.min_tests was lowered from 5 to 0" in (
        result.stdout
    )
