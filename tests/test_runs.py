"""`dsdone check --run`: the project's code runs only when asked, is stopped at its timeout with
everything it started, and what it did becomes findings of the check it proves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli

PYTHON = sys.executable
PACKAGE = {
    "src/churn/__init__.py": "",
    "src/churn/model.py": "def predict(x):\n    return 2 * x\n",
    "conftest.py": (
        "import sys, pathlib\nsys.path.insert(0, str(pathlib.Path(__file__).parent / 'src'))\n"
    ),
}


def report(run_cli: RunCli, root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", str(root), "--python", PYTHON, *args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def result_of(data: dict[str, Any], check_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in data["results"] if r["check"] == check_id)
    return found


def test_a_passing_suite_is_counted_in_unit_tests(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(
        {
            **PACKAGE,
            "tests/test_model.py": """\
                import pytest
                from churn.model import predict

                def test_doubles():
                    assert predict(2) == 4

                @pytest.mark.skip(reason="later")
                def test_later():
                    assert predict(1) == 2
            """,
        }
    )

    code, data = report(run_cli, root, "--run", "tests", "--select", "unit-tests")

    unit = result_of(data, "unit-tests")
    assert code == 0, unit
    assert unit["status"] == "pass"
    assert "tests run: 1 passed, 0 failed, 0 errors, 1 skipped" in unit["summary"]
    (run,) = data["runs"]
    assert run["kind"] == "tests"
    assert run["exit_code"] == 0
    assert run["command"][:3] == [PYTHON, "-m", "pytest"]
    assert run["interpreter"] == f"{PYTHON} (--python)"


def test_a_failing_test_is_a_finding_at_its_file_and_line(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(
        {
            **PACKAGE,
            "tests/test_model.py": """\
                from churn.model import predict


                def test_doubles():
                    assert predict(2) == 5, "predict(2) should be 5"
            """,
        }
    )

    code, data = report(run_cli, root, "--run", "tests", "--select", "unit-tests")

    assert code == 1
    unit = result_of(data, "unit-tests")
    (finding,) = unit["findings"]
    assert finding["path"] == "tests/test_model.py"
    assert finding["line"] == 4  # the def
    assert finding["message"].startswith("tests/test_model.py::test_doubles failed: ")
    assert "predict(2) should be 5" in finding["message"]


def test_without_run_no_project_code_is_executed(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    marker = tmp_path / "imported"
    code_that_marks = f"open({str(marker)!r}, 'w').close()\n"
    contract = MINIMAL_CONTRACT + (
        "tests:\n  command: python -m pytest tests\n"
        "retrain:\n  entrypoint: python -m churn.train\n"
        "  smoke:\n    command: python -m churn.train\n"
        "monitoring:\n  verification:\n    - name: drift\n      function: churn.train:main\n"
    )
    root = make_repo(
        {
            **PACKAGE,
            "src/churn/train.py": code_that_marks + "def main():\n    pass\n",
            "tests/test_model.py": code_that_marks + "def test_x():\n    assert 1\n",
            "setup.py": code_that_marks,
            "noxfile.py": code_that_marks,
        },
        contract=contract,
    )

    for fmt in ("terminal", "json"):
        run_cli("check", str(root), "--format", fmt)
    run_cli("init", "--existing", str(root), "--owner", "a@example.com", "--force")

    assert not marker.exists()
    run_cli("check", str(root), "--python", PYTHON, "--run", "tests", "--select", "unit-tests")
    assert marker.exists()  # the same code, once --run asked for it


def test_a_hanging_suite_is_stopped_with_its_children_at_the_timeout(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    root = make_repo(
        {
            "tests/test_hang.py": f"""\
                import subprocess, sys, time

                def test_hangs():
                    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
                    open({str(pid_file)!r}, "w").write(str(child.pid))
                    time.sleep(600)
            """,
        }
    )

    # A liveness bound: a hang is the bug; the run's own timeout is 3 s.
    completed = subprocess.run(
        [PYTHON, "-m", "dsdone", "check", str(root), "--select", "unit-tests", "--run", "tests",
         "--python", PYTHON, "--run-timeout", "3", "--format", "json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert completed.returncode == 1, completed.stderr
    unit = result_of(json.loads(completed.stdout), "unit-tests")
    assert any("did not finish in" in f["message"] for f in unit["findings"])
    child = int(pid_file.read_text())
    assert not _alive(child), "the test's own child process was left running"


def test_a_flood_of_output_is_kept_bounded(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(
        {
            "tests/test_flood.py": """\
                def test_floods():
                    for i in range(200_000):
                        print("line", i, "x" * 80)
                    assert False, "the end"
            """,
        }
    )

    _, data = report(run_cli, root, "--run", "tests", "--select", "unit-tests")

    (run,) = data["runs"]
    assert len(run["output_tail"]) < 20_000
    assert run["output_tail"].startswith("[... earlier output left out ...]")
    assert "1 failed" in run["output_tail"]


def test_a_missing_interpreter_is_a_clear_error(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"tests/test_x.py": "def test_x():\n    assert 1\n"})

    result = run_cli("check", str(root), "--run", "tests", "--python", "/no/such/python")

    assert result.exit_code == 2
    assert "--python /no/such/python: no such interpreter" in result.stderr


def test_an_interpreter_without_pytest_says_so(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    bare = tmp_path / "bare"
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(bare)], check=True, timeout=120)
    root = make_repo({"tests/test_x.py": "def test_x():\n    assert 1\n"})

    result = run_cli(
        "check", str(root), "--run", "tests", "--python", str(bare / "bin" / "python"),
        "--select", "unit-tests", "--format", "json",
    )  # fmt: skip

    assert result.exit_code == 1
    unit = result_of(json.loads(result.stdout), "unit-tests")
    assert any("No module named pytest" in f["message"] for f in unit["findings"])
    assert any("install pytest" in (f["hint"] or "") for f in unit["findings"])


def test_a_run_that_changes_the_work_tree_is_a_finding(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(
        {
            "data/train.csv": "a\n1\n",
            "tests/test_writes.py": """\
                from pathlib import Path

                def test_writes():
                    Path("data/train.csv").write_text("a\\n2\\n")
                    Path("predictions.json").write_text("[]")
            """,
        }
    )

    code, data = report(run_cli, root, "--run", "tests", "--select", "unit-tests")

    assert code == 1
    messages = [f["message"] for f in result_of(data, "unit-tests")["findings"]]
    assert "the test run changed files of the project: data/train.csv, predictions.json" in messages


def test_the_retrain_smoke_run_must_write_its_declared_outputs(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    contract = MINIMAL_CONTRACT + (
        "outputs:\n"
        "  - name: scores\n    format: json\n"
        "    schema: {type: object, required: [id, score], properties: {score: {type: number}}}\n"
        "retrain:\n  entrypoint: python train.py\n"
        "  smoke:\n    command: python train.py --sample\n    outputs: {scores: scores.json}\n"
    )
    writes_a_bad_record = (
        "import json, os, pathlib\n"
        "out = pathlib.Path(os.environ['DSDONE_OUTPUT_DIR']) / 'scores.json'\n"
        "out.write_text(json.dumps([{'id': 1, 'score': 0.5}, {'id': 2, 'score': 'high'}]))\n"
    )
    root = make_repo({"train.py": writes_a_bad_record}, contract=contract)

    code, data = report(run_cli, root, "--run", "retrain", "--select", "retrain-entrypoint")

    assert code == 1
    messages = [f["message"] for f in result_of(data, "retrain-entrypoint")["findings"]]
    assert messages == [
        "the smoke run's output 'scores': record 2 fails the schema: 'high' is not of type "
        "'number' (at score)"
    ]
    assert not (root / "scores.json").exists()


def test_verification_scripts_run_as_functions_and_commands(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    contract = MINIMAL_CONTRACT + (
        "monitoring:\n  verification:\n"
        "    - name: drift\n      function: churn.checks:no_drift\n"
        "    - name: bias\n      command: python -c \"raise SystemExit('bias 0.3 > 0.1')\"\n"
    )
    root = make_repo(
        {"src/churn/__init__.py": "", "src/churn/checks.py": "def no_drift():\n    return None\n"},
        contract=contract,
    )

    code, data = report(run_cli, root, "--run", "verify", "--select", "version-control")

    assert code == 1
    assert [(r["name"], r["exit_code"]) for r in data["runs"]] == [("drift", 0), ("bias", 1)]
    messages = [f["message"] for f in result_of(data, "monitoring")["findings"]]
    assert messages == ["the verification 'bias' failed with exit code 1: bias 0.3 > 0.1"]


def test_secrets_in_the_environment_never_reach_the_report(
    make_repo: MakeRepo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_supersecretvalue123")
    root = make_repo(
        {"tests/test_leak.py": "import os\n\ndef test_leak():\n    print(os.environ['HF_TOKEN'])\n"
         "    assert False, os.environ['HF_TOKEN']\n"}
    )  # fmt: skip

    result = run_cli(
        "check", str(root), "--python", PYTHON, "--run", "tests", "--select", "unit-tests",
        "--format", "json",
    )  # fmt: skip

    assert "hf_supersecretvalue123" not in result.stdout
    assert "***" in result.stdout


def test_ctrl_c_during_a_run_stops_it_and_exits_130(make_repo: MakeRepo, tmp_path: Path) -> None:
    started = tmp_path / "started"
    pid_file = tmp_path / "child.pid"
    root = make_repo(
        {
            "tests/test_slow.py": f"""\
                import subprocess, sys, time

                def test_slow():
                    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
                    open({str(pid_file)!r}, "w").write(str(child.pid))
                    open({str(started)!r}, "w").close()
                    time.sleep(600)
            """,
        }
    )
    process = subprocess.Popen(
        [PYTHON, "-m", "dsdone", "check", str(root), "--select", "unit-tests", "--run", "tests",
         "--python", PYTHON],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started.exists(), "the test run never started"

    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)  # a liveness bound

    assert process.returncode == 130, stderr
    assert not _alive(int(pid_file.read_text()))


def _alive(pid: int) -> bool:
    deadline = time.monotonic() + 10  # the group was sent SIGKILL: give the kernel a moment
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        try:  # a zombie whose parent is gone is reaped by init; ours may still be listed
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return False
        except OSError:
            return False
        time.sleep(0.1)
    return True


def test_a_suite_killed_by_a_signal_says_so(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(
        {"tests/test_dies.py": "import os, signal\n\ndef test_dies():\n"
         "    os.kill(os.getpid(), signal.SIGKILL)\n"}
    )  # fmt: skip

    code, data = report(run_cli, root, "--run", "tests", "--select", "unit-tests")

    assert code == 1
    messages = [f["message"] for f in result_of(data, "unit-tests")["findings"]]
    assert any(m.startswith("the test run was killed by signal 9") for m in messages), messages


@pytest.mark.parametrize(
    ("kind", "check_id", "words"),
    [
        ("retrain", "retrain-entrypoint", "--run retrain: the contract declares no retrain.smoke"),
        ("verify", "monitoring", "--run verify: the contract declares no monitoring.verification"),
    ],
)
def test_a_run_the_contract_does_not_declare_is_a_finding_at_the_contract(
    make_repo: MakeRepo, run_cli: RunCli, kind: str, check_id: str, words: str
) -> None:
    root = make_repo({"README.md": "x\n"})

    code, data = report(run_cli, root, "--run", kind, "--select", "version-control")

    assert code == 1
    (finding,) = result_of(data, check_id)["findings"]
    assert finding["message"].startswith(words)
    assert finding["path"] == "dsdone.yaml"
    assert data["runs"][0]["outcome"] == "not declared"


def test_python_and_run_timeout_need_run(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"README.md": "x\n"})

    result = run_cli("check", str(root), "--python", PYTHON)

    assert result.exit_code == 2
    assert "--python and --run-timeout apply to --run" in result.stderr
