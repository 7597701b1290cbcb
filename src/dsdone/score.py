"""The readiness score, modelled on Google's ML Test Score rubric (Breck et al., 2017).

Every check belongs to one of the rubric's four areas: data, model, infrastructure, monitoring.
An area's score is the share of its applicable checks that hold, as a whole percentage rounded
down (so 99.5 % is not shown as 100):

- applicable: every check that ran to a conclusion or crashed (pass, fail, waived, error);
  skipped checks did not apply and are left out;
- a check holds when it passed, when a waiver accepts all its findings (status ``waived``), or
  when every finding was already in the ``--baseline`` report: the score gates like the verdict
  does, and a waiver that expires turns the check back into a failure;
- a failure at any severity, even below ``--fail-on``, and a crash do not hold.

The overall score is the lowest area score, as in the rubric, because a project is only as ready
as its weakest area. An area with no applicable check is "not measured" and does not take part;
with no area measured there is no overall score.
"""

from __future__ import annotations

from collections.abc import Iterable

from dsdone.report import Area, AreaScore, CheckResult, Score, Status


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
    held = {area: 0 for area in Area}
    applicable = {area: 0 for area in Area}
    for result in results:
        verdict = holds(result)
        if verdict is None:
            continue
        applicable[result.area] += 1
        held[result.area] += int(verdict)
    return Score(tuple(AreaScore(area, held[area], applicable[area]) for area in Area))


def combined_overall(scores: Iterable[Score]) -> int | None:
    """Over several projects (``--all``): the lowest overall score of those that were measured."""
    values = [score.overall for score in scores if score.overall is not None]
    return min(values) if values else None
