"""The integrations shipped in the repository: the pre-commit hook and the GitHub Action.

Neither pre-commit nor GitHub runs here: the hook's entry is run as pre-commit would run it
(the console script, no file names, in the repository), and the Action's check step is run
with bash and the environment GitHub would give it.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MakeRepo, git
from gate_plugin import GATE, gate_repo
from github_actions import ActionRun, run_action

REPO = Path(__file__).resolve().parent.parent
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def load(name: str) -> Any:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


def bin_dir() -> Path:
    script = Path(sys.executable).with_name("dsdone")
    assert script.exists(), f"the dsdone console script is not installed next to {sys.executable}"
    return script.parent


# -- pre-commit -----------------------------------------------------------------------------


def test_the_pre_commit_hook_is_declared_as_pre_commit_expects() -> None:
    (hook,) = load(".pre-commit-hooks.yaml")
    assert hook["id"] == "dsdone"
    assert hook["entry"] == "dsdone check --ignore version-control"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["always_run"] is True


@pytest.mark.parametrize(("source", "exit_code"), [("x = 1\n", 0), ("x = 1  # FIXME\n", 1)])
def test_the_pre_commit_hook_entry_gates_the_commit(
    make_repo: MakeRepo, source: str, exit_code: int
) -> None:
    (hook,) = load(".pre-commit-hooks.yaml")
    root = gate_repo(make_repo, {"src/a.py": source, "README.md": ""})
    entry = shlex.split(hook["entry"])
    entry[0] = str(bin_dir() / entry[0])
    args = [*entry, *hook.get("args", []), "--allow-plugins", "--select", GATE]
    completed = subprocess.run(args, cwd=root, capture_output=True, text=True, check=False)
    assert completed.returncode == exit_code, completed.stdout + completed.stderr
    assert completed.stderr == ""


def test_the_pre_commit_hook_does_not_fail_the_first_commit_over_version_control(
    make_repo: MakeRepo,
) -> None:
    # The first `git commit` of a project runs the hook on staged files and no commit yet;
    # with args of the project's own (which replace the hook's), version-control stays out.
    (hook,) = load(".pre-commit-hooks.yaml")
    root = make_repo({"README.md": "# churn\n"}, commit=False)
    git(root, "add", "-A")
    entry = shlex.split(hook["entry"])
    entry[0] = str(bin_dir() / entry[0])
    args = [*entry, "--fail-on", "warning", "--format", "json"]  # a project's own args
    completed = subprocess.run(args, cwd=root, capture_output=True, text=True, check=False)
    report = json.loads(completed.stdout)
    assert "version-control" not in {result["check"] for result in report["results"]}


# -- the GitHub Action ----------------------------------------------------------------------


def test_the_action_is_composite_and_references_only_declared_inputs() -> None:
    action = load("action.yml")
    assert action["runs"]["using"] == "composite"
    declared = set(action["inputs"])
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text))
    assert used <= declared, f"undeclared inputs: {sorted(used - declared)}"
    assert declared <= used, f"inputs never used: {sorted(declared - used)}"
    assert {"path", "version", "fail-on", "min-score", "upload-sarif"} <= declared
    steps = action["runs"]["steps"]
    for step in steps:
        if "run" in step:
            assert step.get("shell") == "bash", f"a composite run step needs a shell: {step}"
            assert not re.search(r"\binputs\.", step["run"]), (
                "inputs go through env, not the script"
            )
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.upload-sarif" in upload["if"]


def _check_step() -> dict[str, Any]:
    steps = load("action.yml")["runs"]["steps"]
    step: dict[str, Any] = next(s for s in steps if s.get("id") == "check")
    return step


def _evaluate(value: str, inputs: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name.startswith("inputs."), f"unexpected expression {name}"
        return inputs[name.removeprefix("inputs.")]

    return EXPRESSION.sub(replace, value)


def run_check_step(tmp_path: Path, **given: str) -> tuple[int, dict[str, str], str]:
    """Run the Action's check step as GitHub would; return its exit code, outputs and summary."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    action = load("action.yml")
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update({key.replace("_", "-"): value for key, value in given.items()})
    step = _check_step()
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text("", encoding="utf-8")
    env = {
        "PATH": f"{bin_dir()}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(tmp_path),
        **{key: _evaluate(str(value), inputs) for key, value in step["env"].items()},
    }
    completed = subprocess.run(
        # As GitHub runs a `shell: bash` step.
        [bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    outputs = dict(
        line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if line
    )
    text = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return completed.returncode, outputs, text + completed.stdout


@pytest.mark.parametrize(("source", "exit_code"), [("x = 1\n", "0"), ("x = 1  # FIXME\n", "1")])
def test_the_action_check_step_writes_the_summary_and_the_exit_code(
    make_repo: MakeRepo, tmp_path: Path, source: str, exit_code: str
) -> None:
    root = gate_repo(make_repo, {"src/a.py": source, "README.md": ""})
    code, outputs, text = run_check_step(
        tmp_path, path=str(root), args=f"--allow-plugins --select {GATE}"
    )
    assert code == 0, "the step records the verdict; the Gate step fails the job"
    assert outputs["exit-code"] == exit_code
    assert "## dsdone: demo · " in text
    if exit_code == "1":
        assert "::error file=src/a.py,line=1," in text, "annotations are on by default"


def test_the_action_check_step_writes_sarif_when_asked(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = gate_repo(make_repo, {"src/a.py": "x = 1  # FIXME\n", "README.md": ""})
    code, outputs, _ = run_check_step(
        tmp_path,
        path=str(root),
        args=f"--allow-plugins --select {GATE}",
        upload_sarif="true",
        min_score="50",
    )
    assert (code, outputs["exit-code"]) == (0, "1")
    sarif = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"][0]["ruleId"] == "gate-markers"


def test_the_action_check_step_fails_at_once_on_bad_input(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo({"README.md": ""})  # no plugins: the only mistake is the input
    good, outputs, _ = run_check_step(tmp_path, path=str(root), args="--select version-control")
    assert (good, outputs["exit-code"]) == (0, "0")
    code, outputs, _ = run_check_step(tmp_path, path=str(root), fail_on="fatal")
    assert code == 2
    assert outputs["exit-code"] == "2"


def test_the_action_compares_with_the_base_it_is_given(make_repo: MakeRepo, tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"score": {"type": "number"}}}
    contract = (
        "version: 1\nproject: {name: demo, owner: ana@example.com}\n"
        "outputs:\n  - name: scores\n    schema: scores.json\n"
    )
    root = make_repo({"scores.json": json.dumps(schema)}, contract=contract)
    (root / "scores.json").write_text(json.dumps({"type": "object"}), encoding="utf-8")
    subprocess.run(["git", "commit", "-q", "-am", "drop score"], cwd=root, check=True)
    args = "--select breaking-changes"

    _, outputs, text = run_check_step(tmp_path, path=str(root), args=args, base="HEAD~1")
    assert outputs["exit-code"] == "1"
    assert "property 'score' was removed" in text

    _, outputs, text = run_check_step(tmp_path, path=str(root), args=args, base="none")
    assert outputs["exit-code"] == "0"
    assert "no --base revision to compare with" in text


# -- the whole Action, every shell step in order ------------------------------------------


def _python_shim(tmp_path: Path, version: str | None = None) -> tuple[Path, Path]:
    """A `python` first on PATH, as a job's Python would be: it records what pip is asked to
    install (and installs nothing: this dsdone is installed already), and runs everything else
    with the real interpreter; with ``version``, it is a Python of that version, too old."""
    folder, log = tmp_path / "job-python", tmp_path / "pip-installs"
    folder.mkdir(parents=True)
    old = ""
    if version is not None:
        old = f'case "$1" in --version) echo "Python {version}"; exit 0 ;; -c) exit 1 ;; esac\n'
    script = folder / "python"
    script.write_text(
        "#!/bin/sh\n"
        f"{old}"
        'if [ "$1 $2 $3" = "-m pip install" ]; then shift 3; '
        f'printf "%s\\n" "$*" >> {shlex.quote(str(log))}; exit 0; fi\n'
        f'exec {shlex.quote(sys.executable)} "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return folder, log


def run_action_as_a_job(
    tmp_path: Path,
    job_env: dict[str, str] | None = None,
    job_python: str | None = None,
    **given: str,
) -> tuple[ActionRun, list[str]]:
    """The action as a step of a job whose earlier steps set up a Python (actions/setup-python
    sets pythonLocation), unless ``job_env`` says otherwise, and whose Python is
    ``job_python`` when given; returns the run and what the job's pip was asked to install."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    shim, log = _python_shim(tmp_path, job_python)
    work = tmp_path / "runner"
    work.mkdir()
    env = {
        "PATH": f"{shim}:{bin_dir()}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "RUNNER_TEMP": str(work),
        "pythonLocation": str(Path(sys.executable).parent.parent),
    }
    env.update(job_env or {})
    env = {key: value for key, value in env.items() if value}
    inputs = {key.replace("_", "-"): value for key, value in given.items()}
    run = run_action(REPO / "action.yml", work, inputs, env)
    installs = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return run, installs


@pytest.mark.parametrize(("source", "exit_code"), [("x = 1\n", 0), ("x = 1  # FIXME\n", 1)])
def test_the_action_installs_dsdone_from_its_checkout_checks_and_gates(
    make_repo: MakeRepo, tmp_path: Path, source: str, exit_code: int
) -> None:
    root = gate_repo(make_repo, {"src/a.py": source, "README.md": ""})
    run, installs = run_action_as_a_job(
        tmp_path, path=str(root), args=f"--allow-plugins --select {GATE}"
    )

    # The job's Python is kept: nothing is set up over it, and dsdone goes into it, from the
    # action's own checkout (no release on the package index is needed).
    assert run.step("python").outputs == {"setup": ""}
    assert "dsdone runs with the job's Python: Python 3." in run.step("python").stdout
    assert run.step("Set up Python").skipped
    assert installs == [f"--disable-pip-version-check --quiet {REPO}"]
    check = run.step("check")
    assert check.code == 0, check.stderr
    assert run.outputs["exit-code"] == str(exit_code)
    assert check.summary.startswith("## dsdone: demo · ")
    assert ("✗ Not ready" if exit_code else "✓ Ready") in check.summary
    annotations = [line for line in check.stdout.splitlines() if line.startswith("::")]
    if exit_code:
        assert annotations == [
            "::error file=src/a.py,line=1,title=dsdone gate-markers%3A No FIXME left::"
            "FIXME left: %0Ahint: finish it"
        ]
    else:
        assert annotations == []
    assert run.step("Gate").code == exit_code
    assert run.code == exit_code, "the job fails at the Gate step when the project is not ready"


def test_the_action_sets_up_python_only_when_the_job_has_none(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = gate_repo(make_repo, {"src/a.py": "x = 1\n", "README.md": ""})
    args = f"--allow-plugins --select {GATE}"

    bare, _ = run_action_as_a_job(tmp_path / "bare", {"pythonLocation": ""}, path=str(root),
                                  args=args)  # fmt: skip
    assert bare.step("python").outputs == {"setup": "3.12"}
    setup = bare.step("Set up Python")
    assert (setup.skipped, setup.uses, setup.with_) == (
        False, "actions/setup-python@v5", {"python-version": "3.12"}
    )  # fmt: skip

    venv, _ = run_action_as_a_job(
        tmp_path / "venv", {"pythonLocation": "", "VIRTUAL_ENV": str(tmp_path)}, path=str(root),
        args=args,
    )  # fmt: skip
    assert venv.step("Set up Python").skipped
    assert venv.code == 0

    asked, _ = run_action_as_a_job(tmp_path / "asked", path=str(root), args=args,
                                   python_version="3.13")  # fmt: skip
    assert asked.step("Set up Python").with_ == {"python-version": "3.13"}


def test_the_action_refuses_a_job_python_too_old_for_dsdone(tmp_path: Path) -> None:
    run, installs = run_action_as_a_job(tmp_path, job_python="3.10.14", path=".")

    assert run.code == 2
    assert run.step("python").stdout.splitlines() == [
        "::error title=dsdone::the job's Python (Python 3.10.14 at "
        f"{tmp_path / 'job-python' / 'python'}) is older than 3.11, which dsdone needs: set the "
        'input python-version, for example "3.12"'
    ]
    assert installs == []
    assert [step.name for step in run.steps] == ["Find the Python"], "nothing runs after it"


@pytest.mark.parametrize(
    ("version", "installed"),
    [
        ("0.3.0", "dsdone==0.3.0"),
        ("dsdone==0.3.0", "dsdone==0.3.0"),
        (
            "dsdone @ git+https://github.com/dsdone/dsdone@4f1c2d3",
            "dsdone @ git+https://github.com/dsdone/dsdone@4f1c2d3",
        ),
    ],
)
def test_the_action_installs_the_version_it_is_told(
    make_repo: MakeRepo, tmp_path: Path, version: str, installed: str
) -> None:
    root = make_repo({"README.md": ""})
    run, installs = run_action_as_a_job(
        tmp_path, path=str(root), args="--select version-control", version=version
    )
    assert installs == [f"--disable-pip-version-check --quiet {installed}"]
    assert run.code == 0
