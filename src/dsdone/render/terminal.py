"""The report for people at a terminal and in CI logs, in the shape ruff, mypy and cargo print:

    examples/not-ready/src/fraud_score/score.py:13:5: info[logging]: print() in package code...
      hint: log it: `logger = logging.getLogger(__name__)` at the top of the module, ...

One finding is one line that starts with where it is, so that it opens from the terminal and
``grep`` finds it; it is never wrapped, whatever the width. Findings are grouped by file, then
come one row per check (its summary wraps under itself at the width), the score by area, and
the verdict last. Plain string building: every line is known, no line ends in a space, and the
same report gives the same bytes; ANSI colours only when asked.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from dsdone.grouping import shown_findings
from dsdone.render import escape
from dsdone.render.paths import ShownPaths
from dsdone.render.verdict import combined_verdict, project_label, score_text, verdict
from dsdone.report import AreaScore, CheckResult, Finding, Report, Score, Severity, Status

_STATUS = {
    Status.PASS: ("✓ pass", "green"),
    Status.FAIL: ("✗ fail", "red"),
    Status.SKIP: ("- skip", "dim"),
    Status.ERROR: ("! error", "magenta"),
    Status.WAIVED: ("~ waived", "yellow"),
}
_SEVERITY_STYLE = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.INFO: "bold",
}
_SGR = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "magenta": "35",
    "cyan": "36",
    "bold red": "1;31",
    "bold green": "1;32",
    "bold yellow": "1;33",
}
_MESSAGE_INDENT = "    "  # the lines of a message after its first
_HINT = "  hint: "


@dataclass
class _Out:
    """The lines being written, and how: colour on or off, the width that summaries wrap at."""

    color: bool
    width: int
    lines: list[str] = field(default_factory=list)

    def paint(self, text: str, style: str) -> str:
        if not self.color or not text:
            return text
        return f"\x1b[{_SGR[style]}m{text}\x1b[0m"

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def gap(self) -> None:
        """A blank line between sections, never two, never first."""
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def wrapped(self, text: str, first: str, indent: int) -> list[str]:
        """``text`` after ``first`` (already painted; ``indent`` is its visible width), wrapped at
        the width with the lines after the first indented to where the text began."""
        room = max(self.width - indent, 20)
        pieces = textwrap.wrap(text, room, break_long_words=False, break_on_hyphens=False) or [""]
        return [first + pieces[0]] + [" " * indent + piece for piece in pieces[1:]]

    def text(self) -> str:
        """Every line without trailing space; ``##[`` and a line-starting ``::`` from the
        repository shown escaped (``escape.neutralize_terminal``)."""
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        body = "\n".join(line.rstrip() for line in self.lines) + "\n"
        return escape.neutralize_terminal(body)


def render_terminal(
    report: Report,
    *,
    color: bool = False,
    width: int = 80,
    quiet: bool = False,
    statistics: bool = False,
    paths: ShownPaths | None = None,
) -> str:
    """The whole report as text; ANSI colours only when ``color``. ``quiet`` keeps only what
    blocks and the verdict; ``statistics`` counts findings per check and per file instead of
    listing them. ``paths`` says how the reader's paths start (default: from the project)."""
    out = _Out(color, width)
    _project(out, report, paths or ShownPaths(), quiet=quiet, statistics=statistics)
    return out.text()


def render_terminal_all(
    reports: Sequence[Report],
    *,
    color: bool = False,
    width: int = 80,
    quiet: bool = False,
    statistics: bool = False,
    paths: Sequence[ShownPaths] | None = None,
) -> str:
    """The report of every project of ``--all``, one after the other, then the combined verdict."""
    out = _Out(color, width)
    for index, report in enumerate(reports):
        shown = paths[index] if paths is not None else ShownPaths()
        out.gap()
        out.add(out.paint(f"── {escape.line(project_label(report))} ──", "bold"))
        _project(out, report, shown, quiet=quiet, statistics=statistics)
    out.gap()
    out.add(*_verdict_lines(out, *combined_verdict(reports)))
    return out.text()


def render_terminal_verdict(reports: Sequence[Report], *, combined: bool, color: bool) -> str:
    """The verdict line alone, unwrapped: what stays on the terminal when ``--output`` takes
    the report."""
    out = _Out(color, width=0)
    head, rest = combined_verdict(reports) if combined else verdict(reports[0])
    out.add(_verdict_head(out, head) + escape.line(rest))
    return out.text()


def _project(
    out: _Out, report: Report, paths: ShownPaths, *, quiet: bool, statistics: bool
) -> None:
    contract = paths.show(report.contract)
    if not quiet:
        _header(out, report, contract)
    shown = _shown_findings(report, quiet)
    if statistics:
        _statistics(out, shown, paths, contract)
    else:
        listed, left_out = _listed(shown)
        _findings(out, listed, paths, contract)
        if left_out:
            out.gap()
        for result, count in left_out:
            more = f"{count} more finding" + ("s" if count != 1 else "")
            out.add(out.paint(f"… and {more} of {escape.line(result.check)} (max_findings)", "dim"))
        rows = report.blocking if quiet else report.results
        if rows:
            out.gap()
            _table(out, rows)
        if not quiet:
            out.gap()
            _score(out, report.score)
    out.gap()
    out.add(*_verdict_lines(out, *verdict(report)))


def _header(out: _Out, report: Report, contract: str) -> None:
    commit = f"commit {report.commit[:12]}" if report.commit else "no commit"
    out.add(
        out.paint(f"dsdone {report.dsdone_version}", "bold")
        + " · "
        + out.paint(escape.line(report.project.name), "bold")
        + f" (owner {escape.line(report.project.owner)})",
        f"{escape.line(contract)} · {commit}",
    )


def _shown_findings(report: Report, quiet: bool) -> list[tuple[CheckResult, Finding]]:
    """The findings to show: every one, or with ``quiet`` those that block (new findings of a
    check that blocks)."""
    return [
        (result, finding)
        for result in report.results
        if not quiet or result.blocks(report.fail_on)
        for finding in (result.new_findings if quiet else result.findings)
    ]


def _listed(
    shown: list[tuple[CheckResult, Finding]],
) -> tuple[list[tuple[CheckResult, Finding]], list[tuple[CheckResult, int]]]:
    """What the report lists of ``shown``: each check's floods as one entry and at most its
    max_findings entries (``dsdone.grouping``), and how many findings of each check that
    leaves out."""
    by_check: dict[str, tuple[CheckResult, list[Finding]]] = {}
    for result, finding in shown:
        by_check.setdefault(result.check, (result, []))[1].append(finding)
    listed: list[tuple[CheckResult, Finding]] = []
    left_out: list[tuple[CheckResult, int]] = []
    for result, findings in by_check.values():
        entries = shown_findings(findings, result.max_findings)
        listed += [(result, entry) for entry in entries.findings]
        if entries.not_shown:
            left_out.append((result, entries.not_shown))
    return listed, left_out


def _file_of(finding: Finding, paths: ShownPaths, contract: str) -> str:
    """The file a finding is shown in: its own, or the contract for a finding about the whole
    project (as SARIF places it), so that every finding line starts with a path."""
    return paths.show(finding.path) if finding.path is not None else contract


def _findings(
    out: _Out, shown: list[tuple[CheckResult, Finding]], paths: ShownPaths, contract: str
) -> None:
    """Findings grouped by file (a blank line between files), in line order within one."""

    def order(item: tuple[CheckResult, Finding]) -> tuple[str, int, int, str, str]:
        result, finding = item
        file = _file_of(finding, paths, contract)
        return (file, finding.line or 0, finding.column or 0, result.check, finding.message)

    previous: str | None = None
    for result, finding in sorted(shown, key=order):
        file = _file_of(finding, paths, contract)
        if file != previous:
            out.gap()
            previous = file
        out.add(*_finding(out, result, finding, file))


def _finding(out: _Out, result: CheckResult, finding: Finding, file: str) -> list[str]:
    """``path:line:col: severity[check]: message``, then the message's further lines and the
    hint indented under it. Findings come from plugins and from the files of the project under
    check: every part is escaped (``escape``)."""
    location = ":".join(
        [escape.line(file)]
        + [str(n) for n in (finding.line, finding.column if finding.line else None) if n]
    )
    tag = f"{result.severity.value}[{escape.line(result.check)}]"
    message = escape.block(finding.message).split("\n")
    if finding.cell is not None:
        message[0] = f"{finding.cell_location()}: {message[0]}"
    note = ""
    if finding.waived is not None:
        until = f" until {finding.waived.until}" if finding.waived.until else ""
        note = out.paint(f" (waived{until}: {escape.line(finding.waived.reason)})", "yellow")
    elif finding.known:
        note = out.paint(" (in the baseline)", "dim")
    if finding.count > 1:
        note += out.paint(f" ({finding.count_text()})", "bold")
    lines = [
        out.paint(location, "bold")
        + ": "
        + out.paint(tag, _SEVERITY_STYLE[result.severity])
        + ": "
        + message[0]
    ]
    lines += [_MESSAGE_INDENT + line if line.strip() else "" for line in message[1:]]
    lines[-1] += note
    if finding.hint:
        hint = escape.block(finding.hint).split("\n")
        lines.append(out.paint(_HINT, "cyan") + hint[0])
        lines += [" " * len(_HINT) + line if line.strip() else "" for line in hint[1:]]
    return lines


def _table(out: _Out, results: Sequence[CheckResult]) -> None:
    """One row per check: status, id, severity, then what it promises and found, wrapped under
    itself. The columns are as wide as their widest cell, and no row ends in padding."""
    ids = max(len(escape.line(result.check)) for result in results)
    labels = max(len(_STATUS[result.status][0]) for result in results)
    severities = max(len(result.severity.value) for result in results)
    indent = labels + 2 + ids + 2 + severities + 2
    for result in results:
        label, style = _STATUS[result.status]
        check = escape.line(result.check)
        first = (
            out.paint(label, style)
            + " " * (labels - len(label) + 2)
            + out.paint(check, "bold")
            + " " * (ids - len(check) + 2)
            + out.paint(result.severity.value, "dim")
            + " " * (severities - len(result.severity.value) + 2)
        )
        summary = escape.line(f"{result.title}: {result.summary}")
        out.add(*out.wrapped(summary, first, indent))


def _score(out: _Out, score: Score) -> None:
    """The overall score, what holds it down, then each area with the checks that keep it
    under 100::

        Readiness score 26/100, held down most by data (0/100)
          data              0/100  failing: input-pipelines
          model           100/100
    """
    if score.overall is None:
        out.add(out.paint("Readiness score: not measured", "bold") + " (no check applied)")
        return
    head = f"Readiness score {score_text(score.overall)}"
    weakest = score.weakest
    if not weakest:
        out.add(out.paint(head, "bold") + ": every check that applies holds")
    else:
        names = [area.area.value for area in weakest]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        each = "" if len(names) == 1 else "each "
        out.add(
            *out.wrapped(
                f"held down most by {joined} ({each}{weakest[0].value}/100)",
                out.paint(head, "bold") + ", ",
                2,
            )
        )
    areas = max(len(area.area.value) for area in score.areas)
    for area in score.areas:
        out.add(*_area_row(out, area, areas))


def _area_row(out: _Out, area: AreaScore, name_width: int) -> list[str]:
    name = "  " + area.area.value.ljust(name_width) + "  "
    if area.value is None:
        return [name + "not measured (no check of this area applied)"]
    value = f"{area.value:>3}/100"
    if not area.not_holding:
        return [name + value]
    failing = "failing: " + ", ".join(escape.line(check) for check in area.not_holding)
    first = name + value + "  "
    return out.wrapped(failing, first, len(first) + len("failing: "))


def _statistics(
    out: _Out, shown: list[tuple[CheckResult, Finding]], paths: ShownPaths, contract: str
) -> None:
    """``--statistics``: how many findings each check and each file has, most first (as
    ``ruff check --statistics``); one line each, never wrapped."""
    results = {result.check: result for result, _ in shown}
    per_check = Counter(result.check for result, _ in shown)
    per_file = Counter(_file_of(finding, paths, contract) for _, finding in shown)
    out.gap()
    if not shown:
        out.add("No findings.")
        return
    width = len(str(max(per_check.values())))
    tags = {
        check: f"{result.severity.value}[{escape.line(check)}]" for check, result in results.items()
    }
    tag_width = max(len(tag) for tag in tags.values())
    out.add("Findings per check:")
    for check, count in sorted(per_check.items(), key=lambda item: (-item[1], item[0])):
        tag = tags[check]
        out.add(
            f"  {count:>{width}}  "
            + out.paint(tag, "bold")
            + " " * (tag_width - len(tag) + 2)
            + escape.line(results[check].title)
        )
    out.gap()
    width = len(str(max(per_file.values())))
    out.add("Findings per file:")
    for file, count in sorted(per_file.items(), key=lambda item: (-item[1], item[0])):
        out.add(f"  {count:>{width}}  {escape.line(file)}")


def _verdict_head(out: _Out, head: str) -> str:
    return out.paint(head, "bold green" if head.startswith("✓") else "bold red")


def _verdict_lines(out: _Out, head: str, rest: str) -> list[str]:
    """The verdict, last and on one line whatever the width, in the words of every format:
    what ``dsdone check | tail -1`` and a CI log's last line show."""
    # The rest names checks (ids are plain words) and, with --all, projects.
    return [_verdict_head(out, head) + escape.line(rest)]
