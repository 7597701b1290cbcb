"""The verdict and the score in words, the same in every format.

The verdict is the last line of the terminal report and what stays on the terminal when
``--output`` sends the report to a file.
"""

from __future__ import annotations

from collections.abc import Sequence

from dsdone.report import AreaScore, Report, Score
from dsdone.score import combined_overall


def score_text(overall: int | None) -> str:
    return "not measured" if overall is None else f"{overall}/100"


def area_scores(score: Score) -> str:
    """Each area's score and the checks that keep it below 100:
    ``data 0 (input-pipelines) · model 100 · infrastructure not measured · monitoring 50
    (output-schema)``."""
    return " · ".join(_area_text(area) for area in score.areas)


def _area_text(area: AreaScore) -> str:
    if area.value is None:
        return f"{area.area.value} not measured"
    failing = f" ({', '.join(area.not_holding)})" if area.not_holding else ""
    return f"{area.area.value} {area.value}{failing}"


def held_down_by(score: Score) -> str:
    """What holds the overall score down: the weakest area(s) and their checks that do not
    hold, e.g. ``held down by data 0 (input-pipelines)``; or why nothing does."""
    if score.overall is None:
        return "no check applied"
    if not score.weakest:
        return "every check that applies holds"
    return "held down by " + ", ".join(_area_text(area) for area in score.weakest)


def tally(report: Report) -> str:
    counts = report.counts()
    return ", ".join(f"{n} {status}" for status, n in counts.items() if n) or "no checks ran"


def verdict(report: Report) -> tuple[str, str]:
    """The head (``✓ Ready`` or ``✗ Not ready``) and the rest of the verdict line."""
    overall = report.score.overall
    score = f"score {score_text(overall)}"
    reasons: list[str] = []
    blocking = report.blocking
    if blocking:
        names = ", ".join(r.check for r in blocking)
        reasons.append(f"{len(blocking)} blocking at --fail-on {report.fail_on.value}: {names}")
    if report.below_min_score:
        score += f", below --min-score {report.min_score}"
    if report.ready:
        return (
            "✓ Ready",
            f": nothing blocks at --fail-on {report.fail_on.value} · {score} ({tally(report)})",
        )
    return "✗ Not ready", ": " + " · ".join([*reasons, score]) + f" ({tally(report)})"


def verdict_line(report: Report) -> str:
    head, rest = verdict(report)
    return head + rest


def combined_verdict(reports: Sequence[Report]) -> tuple[str, str]:
    """The verdict over the projects of ``--all``: ready only when every project is."""
    failing = [project_label(r) for r in reports if not r.ready]
    lowest = f"lowest score {score_text(combined_overall(r.score for r in reports))}"
    count = f"{len(reports)} project" + ("s" if len(reports) != 1 else "")
    if not failing:
        return "✓ Ready", f": all {count} ready · {lowest}"
    return "✗ Not ready", f": {len(failing)} of {count} not ready: {', '.join(failing)} · {lowest}"


def combined_verdict_line(reports: Sequence[Report]) -> str:
    head, rest = combined_verdict(reports)
    return head + rest


def project_label(report: Report) -> str:
    """How a project is named in a combined report: its folder, or its name at the top."""
    return report.folder or report.project.name
