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
from conftest import MakeRepo
from gate_plugin import GATE, gate_repo

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
    assert hook["entry"] == "dsdone check"
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
