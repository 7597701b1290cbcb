"""No file or contract a stranger writes makes dsdone hang.

A regular expression that backtracks runs in C holding the interpreter's lock: neither a
check's timeout nor Ctrl-C can stop it. Each case here is a repository built to make such a
pattern take hours (a long line of the shape that backtracks), checked by the real console
script with a short ``--timeout``. The test's own bound (``LIVENESS``) is generous: it fails only
on a hang, never on a slow machine.
"""

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
from conftest import MINIMAL_CONTRACT, MakeRepo

LIVENESS = 90  # seconds: a run that hangs would take hours
MB = 1024 * 1024


def run_dsdone(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The console script, as a user runs it; fails the test on a hang."""
    return subprocess.run(
        [sys.executable, "-m", "dsdone", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=LIVENESS,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def check_report(root: Path, *args: str) -> dict[str, Any]:
    completed = run_dsdone("check", str(root), "--format", "json", "--timeout", "30", *args)
    assert completed.returncode in (0, 1), completed.stderr
    data: dict[str, Any] = json.loads(completed.stdout)
    return data


def result_of(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    [found] = [r for r in report["results"] if r["check"] == check_id]
    return found


def with_config(*files: str) -> str:
    return MINIMAL_CONTRACT + "config:\n  files: [" + ", ".join(files) + "]\n"


# -- dsdone's own patterns, on the longest lines a text file may have ---------------------------

SPACES = " " * (2 * MB)


def test_a_makefile_line_of_spaces_does_not_hang_retrain_entrypoint(make_repo: MakeRepo) -> None:
    contract = MINIMAL_CONTRACT + "retrain:\n  entrypoint: make train\n"
    makefile = f"a{SPACES}b\ntrain:\n\tpython train.py\n"
    root = make_repo({"Makefile": makefile, "train.py": "print(1)\n"}, contract=contract)

    result = result_of(check_report(root, "--select", "retrain-entrypoint"), "retrain-entrypoint")

    assert result["status"] == "pass", result


def test_a_makefile_line_of_spaces_does_not_hang_init_existing(make_repo: MakeRepo) -> None:
    root = make_repo({"Makefile": f"a{SPACES}b\ntrain:\n\tpython x.py\n"}, contract=None)

    completed = run_dsdone("init", "--existing", str(root), "--owner", "ana@example.com")

    assert completed.returncode == 0, completed.stderr
    assert "entrypoint: make train" in (root / "dsdone.yaml").read_text("utf-8")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (".env", f"DB_PASSWORD=a{SPACES}b\n"),  # a lazy value before optional spaces
        ("params.yaml", "password: '" + "${" * MB + "'\n"),  # `${` after `${`, no `}`
        ("params.yaml", "token: '" + "{{" * MB + "'\n"),
        ("params.ini", f"[db]\na{SPACES}b\n"),  # configparser's pattern for an option line
        ("params.ini", "[db]\n" + "no delimiter here\n" * 300_000),  # its growing message
    ],
    ids=["dotenv-spaces", "reference-opening-marks", "template-opening-marks", "ini-spaces",
         "ini-many-bad-lines"],
)  # fmt: skip
def test_a_config_file_built_to_backtrack_gets_a_report(
    make_repo: MakeRepo, name: str, content: str
) -> None:
    root = make_repo({name: content}, contract=with_config(name))

    result = result_of(check_report(root, "--select", "tracked-config"), "tracked-config")

    assert result["status"] in ("pass", "fail"), result


# -- globs: the contract's and .gitignore's, against the repository's names ----------------------

GREEDY_GLOB = "*a*a*a*a*a*a*a*a*a*a*a*a*b"  # through a backtracking engine: every split of a name
LONG_NAME = "a" * 200 + ".py"
PERSONAL = "DATA = '/home/ana/data.csv'\n"


def test_an_exclude_glob_built_to_backtrack_does_not_hang(make_repo: MakeRepo) -> None:
    contract = MINIMAL_CONTRACT + f"checks:\n  personal-paths:\n    exclude: ['{GREEDY_GLOB}']\n"
    root = make_repo({LONG_NAME: PERSONAL}, contract=contract)

    result = result_of(check_report(root, "--select", "personal-paths"), "personal-paths")

    assert [f["path"] for f in result["findings"]] == [LONG_NAME]


def test_a_waiver_glob_built_to_backtrack_does_not_hang(make_repo: MakeRepo) -> None:
    contract = MINIMAL_CONTRACT + (
        "waivers:\n  - check: personal-paths\n    reason: legacy\n"
        f"    paths: ['{LONG_NAME}', '{GREEDY_GLOB}']\n"  # the last glob is tried first
    )
    root = make_repo({LONG_NAME: PERSONAL}, contract=contract)

    result = result_of(check_report(root, "--select", "personal-paths"), "personal-paths")

    assert result["status"] == "waived"


def test_a_config_glob_built_to_backtrack_does_not_hang(make_repo: MakeRepo) -> None:
    root = make_repo({LONG_NAME: "x = 1\n"}, contract=with_config(f"'{GREEDY_GLOB}'"))

    result = result_of(check_report(root, "--select", "tracked-config"), "tracked-config")

    assert "matches no file" in result["findings"][0]["message"]


def test_a_gitignore_built_to_backtrack_does_not_hang_outside_git(make_repo: MakeRepo) -> None:
    root = make_repo({".gitignore": GREEDY_GLOB + "\n", LONG_NAME: PERSONAL}, git_init=False)

    result = result_of(check_report(root, "--select", "personal-paths"), "personal-paths")

    assert [f["path"] for f in result["findings"]] == [LONG_NAME]


# -- a repository's own regular expressions: JSON Schema patterns, run in a child process -------

CATASTROPHIC = {
    "type": "object",
    "properties": {"id": {"type": "string", "pattern": "^(a+)+$"}},
}
SAMPLE = json.dumps({"id": "a" * 64 + "!"}) + "\n"  # 2^64 ways to fail


def schema_repo(make_repo: MakeRepo) -> Path:
    contract = MINIMAL_CONTRACT + (
        "outputs:\n  - name: scores\n    format: jsonl\n"
        "    schema: schemas/scores.json\n    sample: samples/scores.jsonl\n"
    )
    files = {"schemas/scores.json": json.dumps(CATASTROPHIC), "samples/scores.jsonl": SAMPLE}
    return make_repo(files, contract=contract)


def isolated_children() -> list[int]:
    """The child processes this worktree's dsdone starts for isolated work, still running."""
    source = str(Path(__file__).resolve().parents[1] / "src")
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if "isolation.serve()" in command and source in command:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="lists processes through /proc")
def test_a_schema_pattern_built_to_backtrack_ends_at_the_checks_timeout(
    make_repo: MakeRepo,
) -> None:
    root = schema_repo(make_repo)

    completed = run_dsdone(
        "check", str(root), "--format", "json", "--timeout", "3", "--select", "output-schema"
    )

    assert completed.returncode == 1, completed.stderr
    result = result_of(json.loads(completed.stdout), "output-schema")
    assert (result["status"], result["summary"]) == (
        "error",
        "did not finish within 3 s (its timeout)",
    )
    assert isolated_children() == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="lists processes through /proc")
def test_ctrl_c_ends_a_run_stuck_in_a_schema_pattern_with_exit_130(make_repo: MakeRepo) -> None:
    root = schema_repo(make_repo)
    process = subprocess.Popen(
        [sys.executable, "-m", "dsdone", "check", str(root), "--select", "output-schema"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(200):  # until the pattern runs (or, before the fix, the check is stuck)
            if isolated_children() or process.poll() is not None:
                break
            time.sleep(0.05)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=LIVENESS)
    finally:
        process.kill()
        process.wait()

    assert process.returncode == 130, stderr
    assert "dsdone: interrupted" in stderr
    assert "Traceback" not in stderr
    assert isolated_children() == []


# -- realistic shapes that took quadratic time: each a report within the liveness bound --------


def vocabulary(n: int) -> str:
    return "{\n" + ",\n".join(f'  "tok{i}": {i}' for i in range(n)) + "\n}\n"


def minified_secrets(n: int) -> str:
    items = ",".join(f'{{"name": "s{i}", "api_key": "k3y{i:08d}x"}}' for i in range(n))
    return f'{{"services": [{items}]}}\n'


def notebook_output(n: int) -> str:
    text = [f'  File "/home/ana/lib/module_{i}.py", line {i}, in load\n' for i in range(n)]
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "c0",
        "metadata": {},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": text}],
        "source": ["load_all()\n"],
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, sort_keys=True, indent=1) + "\n"


@pytest.mark.parametrize(
    ("check", "name", "content", "findings"),
    [
        ("tracked-config", "vocab.json", vocabulary(200_000), 0),  # a search of the text per key
        ("tracked-config", "secrets.json", minified_secrets(60_000), 1),  # one finding a line
        ("personal-paths", "run.ipynb", notebook_output(100_000), 100_000),  # git grep, outputs
    ],
    ids=["tokenizer-vocabulary", "minified-secrets", "notebook-output-lines"],
)
def test_a_file_of_a_shape_that_took_quadratic_time_gets_a_report(
    make_repo: MakeRepo, check: str, name: str, content: str, findings: int
) -> None:
    root = make_repo({name: content}, contract=with_config(name))

    result = result_of(check_report(root, "--select", check), check)

    assert result["status"] != "error", result["summary"]  # not stopped at its timeout
    # Every finding counts (a flood in one file is listed as one entry with its count).
    assert result["finding_count"] == findings, result["summary"]
