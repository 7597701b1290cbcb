"""The inputs' pandera schemas and Great Expectations suites, run on their committed samples
under ``--run verify``: the small programs the project's Python runs, and how their results
become findings at the sample's lines.

Each program reads the sample with pandas, validates it, and writes what failed as JSON into a
file outside the project; dsdone maps a failing row back to its line in the sample with the same
reader that output-schema uses.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsdone.analysis.samples import Record
from dsdone.report import Finding

# Exit code of a program whose Python lacks a library: one clear finding, not a failure list.
MISSING_LIBRARY = 3
MAX_LISTED = 20

_READ = """
import importlib, json, sys
out, path, fmt = sys.argv[1], sys.argv[2], sys.argv[3]
def finish(result, code):
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, default=str)
    sys.exit(code)
try:
    import pandas as pd
    IMPORTS
except ImportError as exc:
    finish({"missing": exc.name or str(exc)}, 3)
if fmt in ("csv", "tsv"):
    frame = pd.read_csv(path, sep="\\t" if fmt == "tsv" else ",")
else:
    frame = pd.read_json(path, lines=fmt != "json")
"""

PANDERA = (
    _READ.replace("IMPORTS", "import pandera")
    + """
target = importlib.import_module(sys.argv[4])
for part in sys.argv[5].split("."):
    target = getattr(target, part)
schema = target.to_schema() if isinstance(target, type) else target
try:
    schema.validate(frame, lazy=True)
except pandera.errors.SchemaErrors as exc:
    cases = exc.failure_cases
    failures = [
        {"column": c.get("column"), "check": str(c.get("check")), "index": c.get("index"),
         "value": repr(c.get("failure_case"))[:80]}
        for c in cases.head(LISTED).to_dict("records")
    ]
    finish({"failures": failures, "total": len(cases)}, 1)
finish({"failures": [], "total": 0}, 0)
""".replace("LISTED", str(MAX_LISTED))
)

GREAT_EXPECTATIONS = (
    _READ.replace("IMPORTS", "import great_expectations as gx")
    + """
major = int(str(getattr(gx, "__version__", "0")).split(".")[0] or 0)
if major < 1:
    finish({"unsupported": "great_expectations " + str(gx.__version__)}, 3)
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
with open(sys.argv[4], encoding="utf-8") as f:
    data = json.load(f)
context = gx.get_context(mode="ephemeral")
suite = context.suites.add(gx.ExpectationSuite(name="dsdone"))
for item in data["expectations"]:
    kind = item.get("type") or item.get("expectation_type")
    config = ExpectationConfiguration(type=kind, kwargs=item.get("kwargs", {}))
    suite.add_expectation_configuration(config)
asset = context.data_sources.add_pandas("dsdone").add_dataframe_asset("sample")
batch = asset.add_batch_definition_whole_dataframe("all").get_batch(
    batch_parameters={"dataframe": frame})
result = batch.validate(suite, result_format="COMPLETE")
failures = []
for one in result.results:
    if not one.success:
        config = one.expectation_config
        failures.append({"column": config.kwargs.get("column"), "check": config.type,
                         "index": (one.result or {}).get("unexpected_index_list") or []})
finish({"failures": failures[:LISTED], "total": len(failures)}, 0 if not failures else 1)
""".replace("LISTED", str(MAX_LISTED))
)


@dataclass(frozen=True)
class Expectation:
    """One declared pandera schema or suite of one input."""

    tool: str  # "pandera" or "great_expectations"
    label: str  # inputs[0] (raw)
    sample: str  # the sample's path in the project
    records: Sequence[Record]  # the sample's records, for the lines of failing rows


def read_result(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def result_findings(expectation: Expectation, result: dict[str, Any]) -> Iterator[Finding]:
    """The findings of a finished program's result."""
    name = "pandera" if expectation.tool == "pandera" else "Great Expectations"
    if "missing" in result:
        yield Finding(
            f"{expectation.label}: the {name} expectations were not run: the project's Python "
            f"has no {result['missing']}",
            hint=f"install {result['missing']} in the project's environment, or pass --python "
            "with one that has it",
        )
        return
    if "unsupported" in result:
        yield Finding(
            f"{expectation.label}: the Great Expectations suite was not run: dsdone runs suites "
            f"with Great Expectations 1.x, and the project's Python has {result['unsupported']}",
            hint="upgrade great_expectations to 1.x in the project's environment",
        )
        return
    failures = result.get("failures") or []
    for failure in failures:
        yield _failure_finding(expectation, name, failure)
    rest = int(result.get("total") or 0) - len(failures)
    if rest > 0:
        yield Finding(
            f"{expectation.label}: {rest} more failures of the {name} expectations on "
            f"{expectation.sample} (not listed)",
            path=expectation.sample,
            hint="run the expectations on the sample yourself to see them all",
        )


def _failure_finding(expectation: Expectation, name: str, failure: dict[str, Any]) -> Finding:
    index = failure.get("index")
    rows = index if isinstance(index, list) else [index]
    lines = [
        expectation.records[row].line
        for row in rows
        if isinstance(row, int) and 0 <= row < len(expectation.records)
    ]
    column = failure.get("column")
    where = f"column '{column}'" if column not in (None, "") else "the sample"
    value = f" (value {failure['value']})" if failure.get("value") not in (None, "nan") else ""
    return Finding(
        f"{expectation.label}: {where} fails the {name} check {failure.get('check')}{value}"
        + (f" at line {', '.join(str(n) for n in lines[:5])}" if len(lines) > 1 else ""),
        path=expectation.sample,
        line=lines[0] if lines else None,
        hint="fix the data or its source, or the expectation if it is the one wrong",
    )
