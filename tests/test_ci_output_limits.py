"""What GitHub shows of a large report, and code in Markdown shown as code.

GitHub shows at most 10 annotations of each kind per step and at most 1 MiB of a step summary,
and drops the rest without a word: the github and markdown formats put the findings of
blocking checks first and say how many were left out. Markdown shows what a message quotes in
backticks as code, not as escaped backticks.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import MakeRepo, RunCli
from markdown_it import MarkdownIt

from dsdone.render import escape
from dsdone.render.github import render_github, render_github_all
from dsdone.render.markdown import SUMMARY_LIMIT, render_markdown, render_markdown_all
from dsdone.report import (
    Area,
    CheckResult,
    Finding,
    ProjectInfo,
    Report,
    Severity,
    Status,
)
from dsdone.score import score_results


def failing(
    check: str, severity: Severity, count: int, *, words: int = 1, **more: str
) -> CheckResult:
    padding = " ".join(["word"] * words)
    # Each with a hint of its own: findings alike in one file would be one flood entry
    # (dsdone.grouping), and these tests are about GitHub's limits, not floods.
    findings = tuple(
        Finding(f"{check} finding {n} {padding}", path=f"src/{check}.py", line=n + 1, hint=f"{n}")
        for n in range(count)
    )
    return CheckResult(
        check=check, title=f"The {check} check", severity=severity, area=Area.DATA,
        status=Status.FAIL, summary=f"{count} findings", findings=findings, **more,
    )  # fmt: skip


def report_of(*results: CheckResult, name: str = "demo") -> Report:
    return Report(
        dsdone_version="0", project=ProjectInfo(name, "ana@example.com"), contract="dsdone.yaml",
        root=".", commit=None, fail_on=Severity.ERROR, results=results,
        score=score_results(results),
    )  # fmt: skip


def commands(output: str) -> list[tuple[str, str]]:
    """(kind, file:line) of each workflow command."""
    found = re.findall(r"^::(\w+) file=([^,]+),line=(\d+)", output, re.MULTILINE)
    return [(kind, f"{path}:{line}") for kind, path, line in found]


def render_html(markdown: str) -> str:
    """As GitHub renders it, as far as these tests need: CommonMark and tables."""
    html: str = MarkdownIt("commonmark").enable("table").render(markdown)
    return html


# -- GitHub annotations ---------------------------------------------------------------------


def test_github_annotates_ten_of_each_kind_blocking_first_and_counts_the_rest() -> None:
    report = report_of(
        # Sorted before the blocking check, but it cannot block (written for an older release).
        failing("a-advisory", Severity.ERROR, 5, advisory="new in 0.2.0"),
        failing("b-blocking", Severity.ERROR, 15),
        failing("c-warning", Severity.WARNING, 12),
        failing("d-info", Severity.INFO, 3),
    )

    output = render_github(report)
    annotated = commands(output)

    assert [where for kind, where in annotated if kind == "error"] == [
        f"src/b-blocking.py:{n}" for n in range(1, 11)
    ], "the 10 errors GitHub shows are the blocking check's, and in the log first"
    assert annotated[:10] == [("error", f"src/b-blocking.py:{n}") for n in range(1, 11)]
    assert sum(kind == "warning" for kind, _ in annotated) == 10
    assert sum(kind == "notice" for kind, _ in annotated) == 3
    lines = output.splitlines()
    assert lines[-2] == (
        "dsdone: 10 more errors and 2 more warnings not annotated: GitHub shows 10 annotations "
        "of each kind per step (blocking ones first); --format json lists every finding"
    )
    assert lines[-1].startswith("✗ Not ready"), "the verdict stays last"


def test_github_says_nothing_more_when_everything_is_annotated() -> None:
    output = render_github(report_of(failing("b-blocking", Severity.ERROR, 10)))
    assert len(commands(output)) == 10
    assert "not annotated" not in output


def test_github_all_counts_the_limit_over_every_project_blocking_first() -> None:
    warnings = report_of(
        failing("c-warning", Severity.WARNING, 4),
        failing("a-advisory", Severity.ERROR, 8, advisory="new"),
        name="first",
    )
    blocking = report_of(failing("b-blocking", Severity.ERROR, 6), name="second")  # fmt: skip

    output = render_github_all([warnings, blocking])

    errors = [where for kind, where in commands(output) if kind == "error"]
    assert errors[-6:] == [f"src/b-blocking.py:{n}" for n in range(1, 7)]
    assert len(errors) == 10, "4 advisory errors of the first project fit after the 6"
    assert "dsdone: 4 more errors not annotated" in output


# -- the Markdown step summary --------------------------------------------------------------


def test_markdown_stays_within_a_step_summary_blocking_findings_first() -> None:
    # About 3 MB of findings: a warning check sorted first, then the check that blocks.
    report = report_of(
        failing("a-warning", Severity.WARNING, 12_000, words=30),
        failing("b-blocking", Severity.ERROR, 3_000, words=30),
    )

    output = render_markdown(report)

    assert len(output.encode("utf-8")) <= SUMMARY_LIMIT
    shown = re.findall(r"^- `src/([a-z-]+)\.py:\d+`", output, re.MULTILINE)
    assert shown.count("b-blocking") == 3_000, "every blocking finding is in the summary"
    assert 0 < shown.count("a-warning") < 12_000
    left_out = 15_000 - len(shown)
    assert output.rstrip("\n").splitlines()[-1] == (
        f"**{left_out} more findings not shown here**: GitHub shows the first 1 MiB of a step "
        "summary, the findings of blocking checks first. `dsdone check --format json` lists "
        "them all."
    )
    assert f"- and {12_000 - shown.count('a-warning')} more, not shown here" in output
    assert output.index("<code>b-blocking</code> · ") < output.index("<code>a-warning</code> · ")
    assert output.count("<details>") == output.count("</details>") == 2


def test_markdown_all_shares_the_limit_between_projects() -> None:
    reports = [
        report_of(failing("a-warning", Severity.WARNING, 6_000, words=30), name="first"),
        report_of(failing("b-blocking", Severity.ERROR, 2_000, words=30), name="second"),
    ]
    output = render_markdown_all(reports)
    assert len(output.encode("utf-8")) <= SUMMARY_LIMIT
    assert len(re.findall(r"^- `src/b-blocking\.py:\d+`", output, re.MULTILINE)) == 2_000
    assert "more findings not shown here" in output


def test_markdown_of_a_small_report_leaves_nothing_out() -> None:
    output = render_markdown(report_of(failing("b-blocking", Severity.ERROR, 3)))
    assert "not shown" not in output
    assert len(re.findall(r"^- `src/b-blocking\.py:\d+`", output, re.MULTILINE)) == 3


# -- code as code ---------------------------------------------------------------------------


def test_markdown_shows_what_a_message_quotes_as_code(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({".github/workflows/tests.yml": _TESTS_ONLY})
    result = run_cli("check", str(root), "--select", "ci-gate", "--format", "markdown")

    assert "\\`" not in result.stdout
    html = render_html(result.stdout)
    assert "hint: add a step to the job: <code>- uses: dsdone/dsdone@main</code> with " in html
    assert "<code>with: {path: .}</code>" in html


_TESTS_ONLY = """\
name: tests
on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
"""


def test_code_spans_are_rewritten_and_text_around_them_escaped() -> None:
    inline = escape.markdown_inline
    assert inline("add `pull_request:` under `on:`") == "add `pull_request:` under `on:`"
    assert inline("a `` b`c `` d") == "a ``b`c`` d", "one space stripped at each end"
    assert inline("an unpaired ` and *stars*") == "an unpaired \\` and \\*stars\\*"
    assert inline("`a|b` or c|d", in_table=True) == "`a\\|b` or c\\|d"
    assert inline("x `##[error]` y") == "x `#\\x23[error]` y"
    # What a code span holds is never live HTML, and text outside is escaped.
    html = (
        MarkdownIt("commonmark")
        .enable("table")
        .render(inline("`<img src=x onerror=alert(1)>` <b>bold</b>"))
    )
    assert "<img" not in html and "<b>" not in html
    assert "<code>&lt;img src=x onerror=alert(1)&gt;</code>" in html


def test_a_span_cannot_be_closed_early_by_what_it_quotes(tmp_path: Path) -> None:
    # The hostile string of test_hostile_output: a backtick run inside the quoted code.
    text = "see `a``b<img src=x onerror=alert(1)>` now"
    html = render_html(escape.markdown_inline(text))
    assert "<img" not in html
    assert "<code>a``b&lt;img src=x onerror=alert(1)&gt;</code>" in html
