"""What a check prints never lands in the report: ``--format json`` on standard output stays
JSON. What a check prints through Python is shown on standard error under its name; what it
writes below Python (``os.write(1)``, a subprocess, a thread of its own) goes to standard error.

Run as the user runs dsdone: the console script in a subprocess, so that file descriptor 1 is
the real standard output.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import MINIMAL_CONTRACT, MakeRepo

PLUGIN = '''\
import os
import subprocess
import sys
import threading
import time

from dsdone import Note, check


@check(id="noisy", title="Prints in every way it can", fix="Do not print.")
def noisy(project):
    """A check with debugging left in."""
    print("print to stdout")
    sys.stdout.write("sys.stdout.write\\n")
    print("print to stderr \\x1b[2J", file=sys.stderr)
    os.write(1, b"os.write to fd 1\\n")
    subprocess.run([sys.executable, "-c", "print('a subprocess prints')"], check=True)
    thread = threading.Thread(target=lambda: print("a thread of the check prints"))
    thread.start()
    thread.join()
    yield Note("printed")


@check(id="quiet", title="Prints nothing", fix="Nothing.")
def quiet(project):
    """Well behaved."""
    yield Note("fine")


@check(id="late", title="Prints after its timeout", fix="Nothing.")
def late(project):
    """Still printing while the report is written."""
    time.sleep(0.3)
    for _ in range(300):
        print("late output", flush=True)
        time.sleep(0.002)
    yield Note("done")
'''

CONTRACT = (
    MINIMAL_CONTRACT + "plugins: [dsdone_checks/noisy.py]\nchecks:\n  late:\n    timeout: 0.2\n"
)


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dsdone", "check", str(root), "--allow-plugins", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_what_checks_print_stays_out_of_the_json_report(make_repo: MakeRepo) -> None:
    root = make_repo({"dsdone_checks/noisy.py": PLUGIN}, contract=CONTRACT)
    done = run(root, "--select", "noisy,quiet,late", "-f", "json")
    assert done.returncode == 1, done.stderr  # late timed out
    results = {r["check"]: r for r in json.loads(done.stdout)["results"]}
    assert results["noisy"]["status"] == "pass"
    assert results["quiet"]["summary"] == "fine"
    assert results["late"]["summary"] == "did not finish within 0.2 s (its timeout)"
    # Python-level output under the check's name, escaped; the rest on stderr as it came.
    assert (
        "dsdone: the check noisy printed this while it ran (checks should not print; it is "
        "not part of the report):\n"
        "  | print to stdout\n"
        "  | sys.stdout.write\n"
        "  | print to stderr \\x1b[2J\n"
    ) in done.stderr
    for below_python in ("os.write to fd 1", "a subprocess prints", "a thread of the check"):
        assert below_python in done.stderr
        assert below_python not in done.stdout
    assert "late output" not in done.stdout
    assert "\x1b" not in done.stderr


def test_a_check_that_prints_nothing_adds_nothing_to_stderr(make_repo: MakeRepo) -> None:
    root = make_repo({"dsdone_checks/noisy.py": PLUGIN}, contract=CONTRACT)
    done = run(root, "--select", "quiet")
    assert done.returncode == 0
    assert done.stderr == ""


TWICE = '''\
from dsdone import Finding, check


@check(id="twice", title="Says one thing twice", fix="Nothing.")
def twice(project):
    """Yields the same finding twice, and one that differs only in its column."""
    yield Finding("the same problem", path="a.py", line=3, column=1)
    yield Finding("the same problem", path="a.py", line=3, column=1)
    yield Finding("the same problem", path="a.py", line=3, column=7)
'''


def test_a_check_that_yields_the_same_finding_twice_reports_it_once(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"dsdone_checks/twice.py": TWICE, "a.py": "x = 1\n"},
        contract=MINIMAL_CONTRACT + "plugins: [dsdone_checks/twice.py]\n",
    )

    command = ["check", "--allow-plugins", "--select", "twice", "--format", "json"]
    done = subprocess.run(
        [sys.executable, "-m", "dsdone", *command],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1, done.stderr
    [result] = json.loads(done.stdout)["results"]
    assert result["summary"].startswith("2 findings")
    assert [(f["line"], f["column"]) for f in result["findings"]] == [(3, 1), (3, 7)]
