"""`dsdone check`, `list`, `explain`, `schema` and `--version`, driven as a user drives them.

The checks used here come from a real plugin distribution (see plugin_fixture.py), so that
these tests exercise the engine and not the built-in checks, which have tests of their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli
from plugin_fixture import install_plugin

ACME = "acme-pass,acme-markers,acme-crash"


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    site = install_plugin(tmp_path / "site")
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop("acme_checks", None)


@pytest.fixture
def project(make_repo: MakeRepo, plugin_site: Path) -> Path:
    return make_repo(
        {
            "src/demo/__init__.py": "",
            "src/demo/model.py": "def fit():\n    return 1  # TODO tune\n",
        }
    )


def report(output: str) -> dict[str, object]:
    data = json.loads(output)
    assert isinstance(data, dict)
    return data


def results_by_check(output: str) -> dict[str, dict[str, object]]:
    return {r["check"]: r for r in report(output)["results"]}  # type: ignore[index, union-attr]


# -- exit codes -----------------------------------------------------------------------------


def test_passing_checks_exit_0_and_say_ready(project: Path, run_cli: RunCli) -> None:
    result = run_cli("check", str(project), "--select", "acme-pass")
    assert result.exit_code == 0, result.stderr
    assert "acme-pass" in result.stdout
    assert "saw 3 files" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("✓ Ready")


def test_a_crashing_check_is_an_error_the_others_still_run_and_exit_is_1(
    project: Path, run_cli: RunCli
) -> None:
    result = run_cli("check", str(project), "--select", ACME, "--format", "json")
    assert result.exit_code == 1
    results = results_by_check(result.stdout)
    assert results["acme-crash"]["status"] == "error"
    assert "RuntimeError: the plugin broke" in str(results["acme-crash"]["summary"])
    assert results["acme-pass"]["status"] == "pass"
    assert results["acme-markers"]["status"] == "fail"
    assert "Traceback" not in result.stderr


def test_a_failing_warning_blocks_only_with_fail_on_warning(project: Path, run_cli: RunCli) -> None:
    default = run_cli("check", ".", "--select", "acme-markers", cwd=project)
    assert default.exit_code == 0
    assert "src/demo/model.py:2:17: warning[acme-markers]: TODO left in the code" in (
        default.stdout.splitlines()
    )
    strict = run_cli("check", str(project), "--select", "acme-markers", "--fail-on", "warning")
    assert strict.exit_code == 1
    assert "Not ready" in strict.stdout


def test_the_contract_can_raise_a_checks_severity(
    make_repo: MakeRepo, plugin_site: Path, run_cli: RunCli
) -> None:
    contract = MINIMAL_CONTRACT + "checks:\n  acme-markers:\n    severity: error\n"
    root = make_repo({"a.py": "x = 1  # TODO\n"}, contract=contract)
    result = run_cli("check", str(root), "--select", "acme-markers", "--format", "json")
    assert result.exit_code == 1
    assert results_by_check(result.stdout)["acme-markers"]["severity"] == "error"


def test_check_options_come_from_the_contract(
    make_repo: MakeRepo, plugin_site: Path, run_cli: RunCli
) -> None:
    contract = MINIMAL_CONTRACT + "checks:\n  acme-markers:\n    marker: FIXME\n"
    root = make_repo({"a.py": "x = 1  # TODO\ny = 2  # FIXME\n"}, contract=contract)
    result = run_cli("check", str(root), "--select", "acme-markers", "--format", "json")
    findings = results_by_check(result.stdout)["acme-markers"]["findings"]
    assert [(f["message"], f["line"]) for f in findings] == [("FIXME left in the code", 2)]  # type: ignore[union-attr, index]


def test_excluded_paths_drop_their_findings(
    make_repo: MakeRepo, plugin_site: Path, run_cli: RunCli
) -> None:
    contract = MINIMAL_CONTRACT + "checks:\n  acme-markers:\n    exclude: ['vendor/**']\n"
    root = make_repo({"vendor/lib.py": "# TODO\n", "own.py": "# TODO\n"}, contract=contract)
    result = run_cli("check", str(root), "--select", "acme-markers", "--format", "json")
    paths = [f["path"] for f in results_by_check(result.stdout)["acme-markers"]["findings"]]  # type: ignore[union-attr, index]
    assert paths == ["own.py"]


def test_a_check_disabled_in_the_contract_does_not_run(
    make_repo: MakeRepo, plugin_site: Path, run_cli: RunCli
) -> None:
    contract = MINIMAL_CONTRACT + "checks:\n  acme-crash:\n    enabled: false\n"
    root = make_repo({}, contract=contract)
    result = run_cli("check", str(root), "--ignore", "acme-markers", "--format", "json")
    assert "acme-crash" not in results_by_check(result.stdout)
    assert "acme-pass" in results_by_check(result.stdout)


def test_select_and_ignore_choose_the_checks(project: Path, run_cli: RunCli) -> None:
    result = run_cli(
        "check", str(project), "--select", ACME, "--ignore", "acme-crash", "--format", "json"
    )
    assert sorted(results_by_check(result.stdout)) == ["acme-markers", "acme-pass"]
    assert result.exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--select", "acme-pas"],
            "--select: unknown check 'acme-pas' (did you mean 'acme-pass'?)",
        ),
        (["--ignore", "nope"], "--ignore: unknown check 'nope'"),
    ],
)
def test_an_unknown_check_id_on_the_command_line_is_exit_2(
    project: Path, run_cli: RunCli, args: list[str], message: str
) -> None:
    result = run_cli("check", str(project), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "dsdone list" in result.stderr


@pytest.mark.parametrize(
    ("args", "ran"),
    [
        (["--select", "acme-pass", "--select", "acme-markers"], ["acme-markers", "acme-pass"]),
        (["--select", "acme-pass,acme-markers", "--select", "acme-crash"], ACME.split(",")),
        (["--select", " acme-pass , ,acme-markers "], ["acme-markers", "acme-pass"]),
        (["--select", ACME, "--ignore", "acme-crash", "--ignore", "acme-pass"], ["acme-markers"]),
        (["--select", ACME, "--ignore", "acme-crash,acme-pass"], ["acme-markers"]),
    ],
)
def test_select_and_ignore_accumulate_when_repeated(
    project: Path, run_cli: RunCli, args: list[str], ran: list[str]
) -> None:
    result = run_cli("check", str(project), *args, "--format", "json")
    assert result.exit_code == (1 if "acme-crash" in ran else 0), result.stderr
    assert sorted(results_by_check(result.stdout)) == sorted(ran)


def test_every_unknown_check_id_is_reported_with_a_suggestion(
    project: Path, run_cli: RunCli
) -> None:
    result = run_cli(
        "check",
        str(project),
        "--select",
        "Acme-Pass",
        "--select",
        "nope,acme-markrs",
        "--ignore",
        "ACME-CRASH,zzz",
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:5] == [
        "dsdone: error: --select: unknown check 'Acme-Pass' (did you mean 'acme-pass'?)",
        "--select: unknown check 'acme-markrs' (did you mean 'acme-markers'?)",
        "--select: unknown check 'nope'",
        "--ignore: unknown check 'ACME-CRASH' (did you mean 'acme-crash'?)",
        "--ignore: unknown check 'zzz'",
    ]


def test_every_unknown_check_id_in_the_contract_is_reported(
    make_repo: MakeRepo, plugin_site: Path, run_cli: RunCli
) -> None:
    contract = MINIMAL_CONTRACT + (
        "checks:\n  Acme-Pass: {enabled: false}\n  nope: {enabled: false}\n"
        "waivers:\n  - check: acme-crsh\n    reason: later\n"
    )
    result = run_cli("check", str(make_repo({}, contract=contract)))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:3] == [
        "dsdone: error: dsdone.yaml:6:3: unknown check 'Acme-Pass' in checks (did you mean "
        "'acme-pass'?)",
        "dsdone.yaml:7:3: unknown check 'nope' in checks",
        "dsdone.yaml:9:5: unknown check 'acme-crsh' in waivers (did you mean 'acme-crash'?)",
    ]


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--select", ""], "--select names no check (was it given an empty value?)"),
        (["--select", " , "], "--select names no check"),
        (["--select", "acme-pass", "--ignore", "acme-pass"], "every check --select names is"),
        (
            ["--select", "acme-pass,acme-crash", "--ignore", "acme-crash", "--ignore", "acme-pass"],
            "every check --select names is also named by --ignore",
        ),
    ],
)
def test_a_run_in_which_no_check_runs_is_exit_2(
    project: Path, run_cli: RunCli, args: list[str], why: str
) -> None:
    result = run_cli("check", str(project), *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"dsdone: error: no check ran: {why}")


def test_a_contract_that_disables_every_check_is_exit_2(
    make_repo: MakeRepo, plugin_site: Path, run_cli: RunCli
) -> None:
    from dsdone.engine import available_checks

    disabled = "".join(f"  {check_id}: {{enabled: false}}\n" for check_id in available_checks())
    root = make_repo({}, contract=MINIMAL_CONTRACT + "checks:\n" + disabled)
    result = run_cli("check", str(root))
    assert result.exit_code == 2
    assert "dsdone.yaml:5:1: no check ran: the contract disables every check" in result.stderr
    ignored = run_cli("check", str(root), "--ignore", "acme-pass")
    assert "no check ran: every check the contract enables is named by --ignore" in ignored.stderr
    # Near-miss: a check named by --select runs even when the contract disables it.
    selected = run_cli("check", str(root), "--select", "acme-pass")
    assert selected.exit_code == 0, selected.stderr


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        (
            "checks:\n  acme-pas:\n    enabled: false\n",
            "6:3",
            "unknown check 'acme-pas' in checks (did you mean 'acme-pass'?)",
        ),
        (
            "checks:\n  acme-markers:\n    marker: 3\n",
            "7:5",
            "option 'marker' of check 'acme-markers' must be a string, not 3",
        ),
        (
            "checks:\n  acme-markers:\n    colour: red\n",
            "7:5",
            "check 'acme-markers' has no option 'colour' (its options: marker)",
        ),
    ],
)
def test_bad_check_settings_in_the_contract_are_exit_2_at_their_place(
    make_repo: MakeRepo, plugin_site: Path, run_cli: RunCli, extra: str, line: str, message: str
) -> None:
    root = make_repo({}, contract=MINIMAL_CONTRACT + extra)
    result = run_cli("check", str(root), "--select", "acme-pass")
    assert result.exit_code == 2
    assert f"dsdone.yaml:{line}: {message}" in result.stderr


def test_no_contract_is_exit_2_with_a_way_forward(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("check", str(tmp_path))
    assert result.exit_code == 2
    assert "no dsdone.yaml in this folder" in result.stderr
    assert "dsdone init" in result.stderr


def test_a_missing_path_is_exit_2(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("check", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


def test_a_bad_option_value_is_exit_2(project: Path, run_cli: RunCli) -> None:
    result = run_cli("check", str(project), "--fail-on", "critical")
    assert result.exit_code == 2


def test_the_contract_file_itself_can_be_given(project: Path, run_cli: RunCli) -> None:
    result = run_cli("check", str(project / "dsdone.yaml"), "--select", "acme-pass")
    assert result.exit_code == 0


def test_the_current_folder_is_the_default(project: Path, run_cli: RunCli) -> None:
    result = run_cli("check", "--select", "acme-pass", "--format", "json", cwd=project)
    assert result.exit_code == 0
    assert report(result.stdout)["project"] == {
        "name": "demo",
        "owner": "ana@example.com",
        "description": None,
        "consumers": [],
        "inputs": [],
        "outputs": [],
        "retrain_schedule": None,
    }


# -- the JSON report ------------------------------------------------------------------------


def test_the_json_report_has_the_documented_shape(project: Path, run_cli: RunCli) -> None:
    result = run_cli("check", str(project), "--select", ACME, "--format", "json")
    data = report(result.stdout)
    assert list(data)[:9] == [
        "dsdone",
        "schema_version",
        "project",
        "contract",
        "commit",
        "ready",
        "fail_on",
        "summary",
        "results",
    ]
    assert data["schema_version"] == 1
    assert data["contract"] == "dsdone.yaml"
    commit = data["commit"]
    assert isinstance(commit, str) and len(commit) == 40
    assert data["ready"] is False
    summary = data["summary"]
    assert isinstance(summary, dict)
    assert (summary["checks"], summary["pass"], summary["fail"], summary["error"]) == (3, 1, 1, 1)
    assert summary["findings"] == 1
    results = results_by_check(result.stdout)
    assert list(results) == sorted(results), "results are sorted by check id"
    markers = results["acme-markers"]
    for key in ("check", "title", "severity", "status", "summary", "findings", "duration_ms"):
        assert key in markers
    assert markers["findings"] == [
        {
            "message": "TODO left in the code",
            "path": "src/demo/model.py",
            "line": 2,
            "column": 17,
            "cell": None,
            "cell_line": None,
            "hint": "finish it or open an issue",
            "waived": None,
            "known": False,
            "change": None,
            "count": 1,
            "also_at": [],
        }
    ]


def test_the_json_report_is_the_same_twice_but_for_timings(project: Path, run_cli: RunCli) -> None:
    def without_timings(output: str) -> dict[str, object]:
        data = report(output)
        for result in data["results"]:  # type: ignore[attr-defined]
            result.pop("duration_ms")
        return data

    first = run_cli("check", str(project), "--select", ACME, "--format", "json").stdout
    second = run_cli("check", str(project), "--select", ACME, "--format", "json").stdout
    assert without_timings(first) == without_timings(second)
    assert first.replace(" ", "").count("duration_ms") == 3


# -- the terminal report --------------------------------------------------------------------


def test_the_terminal_report_has_no_colour_when_not_a_terminal(
    project: Path, run_cli: RunCli
) -> None:
    plain = run_cli("check", str(project), "--select", ACME)
    assert "\x1b[" not in plain.stdout
    forced = run_cli("check", str(project), "--select", ACME, "--color", "always")
    assert "\x1b[" in forced.stdout


def test_no_color_wins_over_force_color(
    project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run_cli("check", str(project), "--select", ACME).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_cli("check", str(project), "--select", ACME).stdout


def test_quiet_prints_only_what_blocks_and_the_verdict(project: Path, run_cli: RunCli) -> None:
    result = run_cli("check", str(project), "--select", ACME, "--quiet")
    assert "acme-crash" in result.stdout
    assert "acme-pass" not in result.stdout.splitlines()[-1] or "Not ready" in result.stdout
    assert "saw 3 files" not in result.stdout


# -- list, explain, schema, --version -------------------------------------------------------


def test_list_shows_plugin_checks_with_their_source(plugin_site: Path, run_cli: RunCli) -> None:
    result = run_cli("list")
    assert result.exit_code == 0
    line = next(line for line in result.stdout.splitlines() if line.startswith("acme-markers"))
    assert "warning" in line and "plugin acme-checks" in line


def test_explain_shows_why_how_and_options(plugin_site: Path, run_cli: RunCli) -> None:
    result = run_cli("explain", "acme-markers")
    assert result.exit_code == 0
    assert "Marker words are promises nobody kept." in result.stdout
    assert "How to fix: Finish the work, then remove the marker." in result.stdout
    assert 'marker (a string, default "TODO")' in result.stdout


def test_explain_an_unknown_check_is_exit_2(plugin_site: Path, run_cli: RunCli) -> None:
    result = run_cli("explain", "acme-marker")
    assert result.exit_code == 2
    assert "did you mean 'acme-markers'?" in result.stderr


def test_schema_prints_a_valid_json_schema(run_cli: RunCli) -> None:
    from jsonschema import Draft202012Validator

    result = run_cli("schema")
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["version"] == {
        "description": "The contract format version. This dsdone reads version 1.",
        "const": 1,
    }


@pytest.mark.parametrize("args", [["--version"], ["-V"]])
def test_version(run_cli: RunCli, args: list[str]) -> None:
    from dsdone import __version__

    result = run_cli(*args)
    assert (result.exit_code, result.stdout) == (0, f"dsdone {__version__}\n")


def test_project_plugins_run_only_when_allowed(make_repo: MakeRepo, run_cli: RunCli) -> None:
    plugin = (
        "from dsdone import check, Finding\n"
        "@check(id='local-readme', title='Has a README', fix='Write one.')\n"
        "def readme(project):\n"
        "    '''People read the README first.'''\n"
        "    if 'README.md' not in project.files:\n"
        "        yield Finding('no README.md', hint='write one')\n"
    )
    contract = MINIMAL_CONTRACT + "plugins:\n  - checks_local/readme.py\n"
    root = make_repo({"checks_local/readme.py": plugin}, contract=contract)
    refused = run_cli("check", str(root))
    assert refused.exit_code == 2
    assert "dsdone.yaml:5:1: the contract loads project plugins" in refused.stderr
    assert "--allow-plugins" in refused.stderr
    allowed = run_cli(
        "check", str(root), "--allow-plugins", "--select", "local-readme", "--format", "json"
    )
    assert allowed.exit_code == 1
    result = results_by_check(allowed.stdout)["local-readme"]
    assert result["source"] == "project checks_local/readme.py"
    assert result["findings"][0]["message"] == "no README.md"  # type: ignore[index]


# -- the installed console script -----------------------------------------------------------


def console_script() -> str:
    script = Path(sys.executable).with_name("dsdone")
    assert script.exists(), f"the dsdone console script is not installed next to {sys.executable}"
    return str(script)


def test_the_installed_console_script_checks_a_project(project: Path, plugin_site: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(plugin_site)}
    completed = subprocess.run(
        [console_script(), "check", str(project), "--select", ACME, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert results_by_check(completed.stdout)["acme-crash"]["status"] == "error"
    assert completed.stderr == ""


def test_python_dash_m_dsdone_is_the_same_command(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "dsdone", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "no dsdone.yaml" in completed.stderr
    assert "Traceback" not in completed.stderr
