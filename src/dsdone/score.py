"""The readiness score, modelled on Google's ML Test Score rubric (Breck et al., 2017).

Every check belongs to one of the rubric's four areas: data, model, infrastructure, monitoring.
Formula 2 (``Score.formula``; formula 1, until dsdone 0.2.0, counted each check as one and took
the lowest area alone, so that nearly every real project scored 0):

- applicable: every check that ran to a conclusion or crashed (pass, fail, waived, error);
  skipped checks did not apply, and advisory ones (newer than the contract's ``written_for``)
  must not move a ``--min-score`` gate: both are left out;
- a check holds when it passed, when a waiver accepts all its findings (status ``waived``), or
  when every finding was already in the ``--baseline`` report: the score gates like the verdict
  does, and a waiver that expires turns the check back into a failure; a failure at any
  severity, even below ``--fail-on``, and a crash do not hold;
- each applicable check weighs by its severity: error 4, warning 2, info 1. An area's score is
  the weight of its checks that hold over the weight of its applicable checks, as a whole
  percentage rounded down (99.5 % is not 100). An area with no applicable check is "not
  measured", never 100;
- the overall score is the mean of the weakest area and the average of the measured areas,
  rounded down: a project is still only as ready as its weakest area, which counts half, but
  two projects that fail the same weakest area are told apart by everything else.

A failing check earns nothing, whatever its number of findings: findings measure how a check
words a problem (one per notebook cell, or one for a missing section), not how much of its
promise holds, and a check that merges its findings must not change the score.

Every step is monotone: a check that goes from failing to holding never lowers an area or the
overall score (a property test keeps it so).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dsdone.report import Area, AreaScore, CheckResult, Score, Severity, Status

FORMULA = 2
WEIGHTS = {Severity.ERROR: 4, Severity.WARNING: 2, Severity.INFO: 1}


def holds(result: CheckResult) -> bool | None:
    """Whether a check counts for its area's score; None when it does not apply (skipped, or
    advisory: a check the contract has not opted into must not move a --min-score gate)."""
    if result.status is Status.SKIP or result.advisory is not None:
        return None
    if result.status in (Status.PASS, Status.WAIVED):
        return True
    if result.status is Status.FAIL:
        return bool(result.findings) and not result.new_findings
    return False


def score_results(results: Iterable[CheckResult]) -> Score:
    counted: dict[Area, list[tuple[CheckResult, bool]]] = {area: [] for area in Area}
    for result in results:
        verdict = holds(result)
        if verdict is not None:
            counted[result.area].append((result, verdict))
    areas = tuple(_area(area, counted[area]) for area in Area)
    return Score(areas, overall=overall_of(areas), formula=FORMULA)


def _area(area: Area, counted: Sequence[tuple[CheckResult, bool]]) -> AreaScore:
    return AreaScore(
        area,
        held=sum(verdict for _, verdict in counted),
        applicable=len(counted),
        points=sum(WEIGHTS[result.severity] for result, verdict in counted if verdict),
        possible=sum(WEIGHTS[result.severity] for result, _ in counted),
        not_holding=tuple(sorted(result.check for result, verdict in counted if not verdict)),
    )


def overall_of(areas: Iterable[AreaScore]) -> int | None:
    """The mean of the lowest area score and the average of all measured areas, rounded down;
    None when no area was measured. In whole numbers: floor((n*min + sum) / 2n)."""
    values = [area.value for area in areas if area.value is not None]
    if not values:
        return None
    return (len(values) * min(values) + sum(values)) // (2 * len(values))


def combined_overall(scores: Iterable[Score]) -> int | None:
    """Over several projects (``--all``): the lowest overall score of those that were measured."""
    values = [score.overall for score in scores if score.overall is not None]
    return min(values) if values else None
