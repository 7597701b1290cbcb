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
import subprocess
import sys
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
