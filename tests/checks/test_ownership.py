"""ownership: a reachable owner, consumers for each output, and CODEOWNERS that covers it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MakeRepo

from dsdone.checks.ownership import ownership
from dsdone.report import Status
from dsdone.testing import make_repo as make_any_repo
from dsdone.testing import run_check

OUTPUT = "outputs:\n  - name: scores\n    format: json\n    schema: {type: object}\n"


def contract(owner: str = "ana@example.com", consumers: str = "[crm-team]", rest: str = "") -> str:
    return (
        f"version: 1\nproject:\n  name: churn\n  owner: {owner!r}\n  consumers: {consumers}\n"
        + rest
    )


def messages(root: Path) -> list[str]:
    return [f.message for f in run_check(root, ownership).findings]


@pytest.mark.parametrize(
    "owner",
    ["ana@example.com", "ml-team@corp.co.uk", "@acme/ml-platform", "@ana", "#ml-oncall",
     "https://acme.pagerduty.com/schedules/P123"],
)  # fmt: skip
def test_a_reachable_owner_passes(make_repo: MakeRepo, owner: str) -> None:
    root = make_repo({"README.md": "x\n"}, contract=contract(owner=owner, rest=OUTPUT))

    assert run_check(root, ownership).status is Status.PASS


@pytest.mark.parametrize("owner", ["Data Science Team", "Ana", "TODO", "unknown", "ana at corp"])
def test_an_owner_nobody_can_reach_is_a_finding_at_its_line(
    make_repo: MakeRepo, owner: str
) -> None:
    root = make_repo({"README.md": "x\n"}, contract=contract(owner=owner))

    (finding,) = run_check(root, ownership).findings
    assert finding.message == f"the owner {owner!r} is not an address anyone can reach"
    assert (finding.path, finding.line) == ("dsdone.yaml", 4)


def test_an_output_without_consumers_is_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo({"README.md": "x\n"}, contract=contract(consumers="[]", rest=OUTPUT))

    (finding,) = run_check(root, ownership).findings
    assert finding.message == "outputs[0] (scores): nobody is declared to consume it"
    assert finding.line == 7


def test_an_output_s_own_consumers_count(make_repo: MakeRepo) -> None:
    rest = OUTPUT + "    consumers: [crm-team]\n"
    root = make_repo({"README.md": "x\n"}, contract=contract(consumers="[]", rest=rest))

    assert messages(root) == []


def test_codeowners_last_matching_rule_wins_as_github_reads_it(make_repo: MakeRepo) -> None:
    codeowners = "*  @acme/everyone\n/dsdone.yaml\n"  # the later rule removes the owner
    root = make_repo({".github/CODEOWNERS": codeowners}, contract=contract(rest=OUTPUT))

    (finding,) = run_check(root, ownership).findings
    assert finding.message == (
        "the rule of .github/CODEOWNERS that covers dsdone.yaml (/dsdone.yaml, line 2) names "
        "no owner"
    )
    assert (finding.path, finding.line) == (".github/CODEOWNERS", 2)


def test_codeowners_in_a_monorepo_must_cover_the_project_folder(tmp_path: Path) -> None:
    top = make_any_repo(
        tmp_path / "mono",
        {
            "CODEOWNERS": "/models/fraud/ @acme/fraud\n",
            "models/churn/dsdone.yaml": contract(rest=OUTPUT),
            "models/fraud/dsdone.yaml": contract(rest=OUTPUT),
        },
        contract=None,
    )

    assert run_check(top / "models" / "fraud", ownership).status is Status.PASS
    (finding,) = run_check(top / "models" / "churn", ownership).findings
    assert finding.message == "no rule of CODEOWNERS covers the project folder models/churn/"
    assert finding.path == "../../CODEOWNERS"


def test_gitlab_sections_and_comments_are_read(make_repo: MakeRepo) -> None:
    codeowners = "# owners\n[Models]\n*.yaml @acme/ml  # the contract too\n"
    root = make_repo({".gitlab/CODEOWNERS": codeowners}, contract=contract(rest=OUTPUT))

    assert messages(root) == []


def test_no_codeowners_file_is_fine(make_repo: MakeRepo) -> None:
    root = make_repo({"README.md": "x\n"}, contract=contract(rest=OUTPUT))

    assert run_check(root, ownership).status is Status.PASS
