"""The report formats for CI: SARIF, JUnit XML, Markdown, GitHub annotations, and --output.

Every format is parsed, not string-matched: SARIF is validated against the official 2.1.0
schema, JUnit is read as XML, GitHub workflow commands are split into their parts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import nbformat
import pytest
from conftest import MakeRepo, RunCli
from gate_plugin import GATE, gate_repo

from dsdone.report import ProjectInfo, Report, Severity
from dsdone.score import score_results

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
FORMATS = ["terminal", "json", "sarif", "junit", "markdown", "github"]


def notebook_with_fixme() -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Explore"),
        nbformat.v4.new_code_cell(
            "import pandas as pd\ndf = pd.read_csv('data.csv')  # FIXME sample"
        ),
    ]
    text: str = nbformat.writes(nb)
    return text


@pytest.fixture
def project(make_repo: MakeRepo) -> Path:
    """Fails gate-markers (error) twice, gate-readme (warning) once, about the whole project."""
    return gate_repo(
        make_repo,
        {
            "src/demo/train.py": "def fit():\n    return 1  # FIXME tune, then ship\n",
            "notebooks/explore.ipynb": notebook_with_fixme(),
        },
    )


def check(run_cli: RunCli, project: Path, *args: str) -> Any:
    return run_cli("check", str(project), "--allow-plugins", "--select", GATE, *args)


def sarif(run_cli: RunCli, project: Path, *args: str) -> dict[str, Any]:
    result = check(run_cli, project, "--format", "sarif", *args)
    assert result.exit_code in (0, 1), result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def validate_sarif(data: dict[str, Any]) -> None:
    from jsonschema import Draft4Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(Draft4Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


# -- SARIF ----------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_official_schema(project: Path, run_cli: RunCli) -> None:
    (project / "CRASH").write_text("", encoding="utf-8")  # a crashed check too
    validate_sarif(sarif(run_cli, project))


def test_sarif_has_one_rule_per_check_with_descriptions(project: Path, run_cli: RunCli) -> None:
    driver = sarif(run_cli, project)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "dsdone"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert sorted(rules) == sorted(GATE.split(","))
    markers = rules["gate-markers"]
    assert markers["shortDescription"]["text"] == "No FIXME left"
    assert markers["fullDescription"]["text"] == "Markers are promises nobody kept."
    assert markers["help"]["text"] == "Finish the work."
    assert markers["defaultConfiguration"]["level"] == "error"
    assert markers["properties"]["area"] == "data"
    assert "helpUri" not in markers, "a project plugin's documentation is unknown"


def test_sarif_rules_of_built_in_checks_link_to_their_readme_section(
    project: Path, run_cli: RunCli
) -> None:
    result = run_cli(
        "check", str(project), "--allow-plugins", "--select", "personal-paths", "-f", "sarif"
    )
    rules = json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["helpUri"] for rule in rules] == [
        "https://github.com/dsdone/dsdone#check-personal-paths"
    ]


def test_sarif_results_are_located_in_the_repository(project: Path, run_cli: RunCli) -> None:
    results = sarif(run_cli, project)["runs"][0]["results"]
    located = {
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    }
    notebook_line = line_of(project / "notebooks/explore.ipynb", "FIXME")
    assert notebook_line > 2, "the line in the .ipynb file, not in the cell"
    assert located == {
        ("gate-markers", "error", "notebooks/explore.ipynb", notebook_line),
        ("gate-markers", "error", "src/demo/train.py", 2),
        # a finding about the whole project is located at the contract
        ("gate-readme", "warning", "dsdone.yaml", 1),
    }
    train = next(r for r in results if "train.py" in json.dumps(r["locations"]))
    assert train["message"]["text"] == "FIXME left: tune, then ship\nHow to fix: finish it"


def test_sarif_locates_a_project_in_a_subfolder_from_the_repository_root(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    from gate_plugin import GATE_CONTRACT, PLUGIN

    root = make_repo(
        {
            "models/churn/dsdone.yaml": GATE_CONTRACT,
            "models/churn/dsdone_checks/gate.py": PLUGIN,
            "models/churn/src/fit.py": "x = 1  # FIXME\n",
            "models/churn/README.md": "churn\n",
        },
        contract=None,
    )
    data = sarif(run_cli, root / "models" / "churn")
    validate_sarif(data)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in data["runs"][0]["results"]
    ]
    assert uris == ["models/churn/src/fit.py"]


def test_a_finding_above_the_project_is_located_as_the_repository_names_it() -> None:
    report = Report(
        dsdone_version="0", project=ProjectInfo("p", "o"), contract="dsdone.yaml", root=".",
        commit=None, fail_on=Severity.ERROR, folder="models/churn", score=score_results(()),
    )  # fmt: skip

    assert report.repo_path("../../.github/workflows/ci.yml") == ".github/workflows/ci.yml"
    assert report.repo_path("src/fit.py:3") == "models/churn/src/fit.py:3"


def test_sarif_reports_a_crashed_check_as_a_tool_notification(
    project: Path, run_cli: RunCli
) -> None:
    (project / "CRASH").write_text("", encoding="utf-8")
    run = sarif(run_cli, project)["runs"][0]
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["associatedRule"]["id"] for n in notifications] == ["gate-crash"]
    assert "RuntimeError: the check broke" in notifications[0]["message"]["text"]


def test_sarif_carries_the_readiness_score(project: Path, run_cli: RunCli) -> None:
    properties = sarif(run_cli, project)["runs"][0]["properties"]
    (only,) = properties["projects"]
    # data: gate-markers fails (0 of 1); model: gate-pass (1 of 1); infrastructure: gate-crash
    # holds, gate-skip does not apply (1 of 1); monitoring: gate-readme fails (0 of 1). The
    # overall: (lowest 0 + average 50) / 2.
    assert (only["score"]["overall"], only["score"]["formula"]) == (25, 2)
    assert {k: v["score"] for k, v in only["score"]["areas"].items()} == {
        "data": 0,
        "model": 100,
        "infrastructure": 100,
        "monitoring": 0,
    }
    assert only["score"]["weakest"] == ["data", "monitoring"]
    assert properties["ready"] is False


# -- JUnit ----------------------------------------------------------------------------------


def test_junit_has_one_testcase_per_check_with_failures_skips_and_errors(
    project: Path, run_cli: RunCli
) -> None:
    (project / "CRASH").write_text("", encoding="utf-8")
    result = check(run_cli, project, "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout.encode("utf-8"))
    (suite,) = root.findall("testsuite")
    assert (
        suite.get("tests"),
        suite.get("failures"),
        suite.get("errors"),
        suite.get("skipped"),
    ) == (
        "5",
        "2",
        "1",
        "1",
    )
    cases = {case.get("name", "").split(":")[0]: case for case in suite.findall("testcase")}
    assert sorted(cases) == sorted(GATE.split(","))
    failure = cases["gate-markers"].find("failure")
    assert failure is not None and failure.text is not None
    assert "src/demo/train.py:2: FIXME left: tune, then ship" in failure.text
    assert "blocks at --fail-on error" in failure.get("message", "")
    warning = cases["gate-readme"].find("failure")
    assert warning is not None
    assert warning.get("type") == "warning"
    assert "does not block at --fail-on error" in warning.get("message", "")
    skipped = cases["gate-skip"].find("skipped")
    assert skipped is not None and skipped.get("message") == "nothing to check here"
    error = cases["gate-crash"].find("error")
    assert error is not None and "the check broke" in error.get("message", "")
    assert list(cases["gate-pass"]) == [cases["gate-pass"][0]]
    assert cases["gate-pass"][0].tag == "system-out"
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    # gate-crash crashed, so infrastructure is 0 too: (lowest 0 + average 25) / 2.
    assert properties["score"] == "12/100"
    assert properties["score held down by"] == (
        "held down by data 0 (gate-markers), infrastructure 0 (gate-crash), monitoring 0 "
        "(gate-readme)"
    )
    assert properties["score formula"] == "2"
    assert properties["ready"] == "false"


# -- Markdown -------------------------------------------------------------------------------


def test_markdown_has_the_verdict_a_table_of_checks_and_folded_findings(
    project: Path, run_cli: RunCli
) -> None:
    result = check(run_cli, project, "--format", "markdown")
    lines = result.stdout.splitlines()
    assert lines[0] == "## dsdone: demo · ✗ Not ready"
    assert (
        "**Readiness score: 25/100**, held down by data 0 (gate-markers), monitoring 0 "
        "(gate-readme)" in lines
    )
    assert "| data | 0 | 0 of 1 | 0 of 4 | `gate-markers` |" in lines
    assert "| model | 100 | 1 of 1 | 4 of 4 |  |" in lines
    assert "| monitoring | 0 | 0 of 1 | 0 of 2 | `gate-readme` |" in lines
    rows = [line for line in lines if line.startswith("| ") and "`gate-" in line.split("|")[2]]
    assert [row.split("|")[2].strip() for row in rows] == [
        f"`{check_id}`" for check_id in sorted(GATE.split(","))
    ]
    assert "| ❌ fail | `gate-markers` | error | data |" in result.stdout
    assert result.stdout.count("<details>") == result.stdout.count("</details>") == 2
    assert "- `src/demo/train.py:2`: FIXME left: tune, then ship" in result.stdout
    assert "- `dsdone.yaml`: no README.md" in result.stdout


def test_markdown_escapes_what_would_break_a_table(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = gate_repo(make_repo, {"src/a.py": "x = 1  # FIXME a|b <script>\n", "README.md": ""})
    result = check(run_cli, root, "--format", "markdown")
    assert "FIXME left: a\\|b &lt;script&gt;" in result.stdout
    assert "<script>" not in result.stdout


# -- GitHub annotations ---------------------------------------------------------------------


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    assert line.startswith("::")
    head, message = line[2:].split("::", 1)
    name, _, props = head.partition(" ")
    properties = dict(item.split("=", 1) for item in props.split(",")) if props else {}
    return name, properties, message


def test_github_annotations_put_findings_on_their_lines(project: Path, run_cli: RunCli) -> None:
    result = check(run_cli, project, "--format", "github")
    lines = result.stdout.splitlines()
    commands = [parse_command(line) for line in lines if line.startswith("::")]
    notebook_line = line_of(project / "notebooks/explore.ipynb", "FIXME")
    assert [(name, props.get("file"), props.get("line")) for name, props, _ in commands] == [
        ("error", "notebooks/explore.ipynb", str(notebook_line)),
        ("error", "src/demo/train.py", "2"),
        ("warning", "dsdone.yaml", None),
    ]
    _, props, message = commands[1]
    # A comma and a colon in a property, and a newline in the message, are escaped.
    assert props["title"] == "dsdone gate-markers%3A No FIXME left"
    assert message == "FIXME left: tune, then ship%0Ahint: finish it"
    assert lines[-1].startswith("✗ Not ready")


def test_github_annotations_leave_out_waived_findings(make_repo: MakeRepo, run_cli: RunCli) -> None:
    waiver = "waivers:\n  - check: gate-markers\n    reason: known debt\n    until: 2999-12-31\n"
    root = gate_repo(make_repo, {"src/a.py": "x = 1  # FIXME\n", "README.md": ""}, waiver)
    result = check(run_cli, root, "--format", "github")
    assert result.exit_code == 0
    assert [line for line in result.stdout.splitlines() if line.startswith("::")] == []


# -- every format ---------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", FORMATS)
def test_the_same_tree_gives_the_same_bytes(
    project: Path, run_cli: RunCli, output_format: str
) -> None:
    first = check(run_cli, project, "--format", output_format).stdout
    second = check(run_cli, project, "--format", output_format).stdout
    if output_format == "json":  # the one documented exception: timings
        first, second = (json.dumps(_without_timings(json.loads(t))) for t in (first, second))
    assert first == second


def _without_timings(data: dict[str, Any]) -> dict[str, Any]:
    for result in data["results"]:
        result.pop("duration_ms")
    return data


@pytest.mark.parametrize("output_format", [f for f in FORMATS if f != "json"])
def test_no_format_but_json_shows_timings_or_absolute_paths(
    project: Path, run_cli: RunCli, output_format: str
) -> None:
    # From the folder above the project, as a user next to it would run it: the terminal shows
    # paths from there (repo/src/...), the other formats from the project or repository.
    output = run_cli(
        "check",
        str(project),
        "--allow-plugins",
        "--select",
        GATE,
        "--format",
        output_format,
        cwd=project.parent,
    ).stdout
    assert str(project) not in output
    assert str(project.resolve()) not in output
    assert "duration" not in output and " ms" not in output


@pytest.mark.parametrize(
    ("output_format", "score_shown"),
    [
        ("terminal", "Readiness score 25/100, held down most by data and monitoring (each 0/100)"),
        ("json", '"overall": 25'),
        ("sarif", '"overall": 25'),
        ("junit", 'name="score" value="25/100"'),
        ("markdown", "Readiness score: 25/100"),
        ("github", "score 25/100"),
    ],
)
def test_every_format_shows_the_readiness_score(
    project: Path, run_cli: RunCli, output_format: str, score_shown: str
) -> None:
    assert score_shown in check(run_cli, project, "--format", output_format).stdout


@pytest.mark.parametrize("output_format", FORMATS)
def test_output_writes_the_report_to_a_file_and_prints_the_verdict(
    project: Path, run_cli: RunCli, tmp_path: Path, output_format: str
) -> None:
    target = tmp_path / f"report.{output_format}"
    result = check(run_cli, project, "--format", output_format, "--output", str(target))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "✗ Not ready: 1 blocking at --fail-on error: gate-markers · score 25/100 "
        "(2 pass, 2 fail, 1 skip)"
    ]
    written = target.read_text(encoding="utf-8")
    printed = check(run_cli, project, "--format", output_format).stdout
    if output_format == "json":
        written, printed = (json.dumps(_without_timings(json.loads(t))) for t in (written, printed))
    assert written == printed
    assert "\x1b[" not in written, "no colour codes in a file"


def test_output_into_folders_that_do_not_exist_makes_them(
    project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    # As pytest's --junitxml=reports/junit.xml does in a fresh CI checkout.
    target = tmp_path / "reports" / "dsdone" / "r.sarif"
    result = check(run_cli, project, "--format", "sarif", "--output", str(target))
    assert result.exit_code == 1, result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_output_where_a_file_stands_in_for_a_folder_is_a_usage_error(
    project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    (tmp_path / "reports").write_text("a file, not a folder\n")
    result = check(run_cli, project, "--output", str(tmp_path / "reports" / "r.sarif"))
    assert result.exit_code == 2
    assert "--output: cannot write" in result.stderr
    assert (tmp_path / "reports").read_text() == "a file, not a folder\n"
