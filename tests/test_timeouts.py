"""A check that runs past its timeout is reported as an error, and nothing it does afterwards
reaches the report or outlives the run; a timeout that is not a number of seconds is refused."""

from __future__ import annotations

import sys
import threading
import time
import types
from collections.abc import Iterator

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli

from dsdone.engine import Selection, run
from dsdone.report import Status

PLUGIN = """\
import dsdone_test_probe as probe
from dsdone import Note, check


@check(id="late-git", title="Asks git after its time is up", fix="-")
def late_git(project):
    probe.released.wait(30)
    try:
        list(project.grep([b"import"]) or ())
        probe.seen.append("started git")
    except Exception as exc:
        probe.seen.append(type(exc).__name__)
    yield Note("finished late")
"""


@pytest.fixture
def probe() -> Iterator[types.SimpleNamespace]:
    shared = types.SimpleNamespace(released=threading.Event(), seen=[])
    sys.modules["dsdone_test_probe"] = shared  # type: ignore[assignment]
    yield shared
    shared.released.set()
    del sys.modules["dsdone_test_probe"]


def test_a_check_abandoned_at_its_timeout_cannot_start_git_after_the_run(
    make_repo: MakeRepo, probe: types.SimpleNamespace
) -> None:
    contract = MINIMAL_CONTRACT + (
        "plugins: [late_git.py]\nchecks:\n  late-git:\n    timeout: 0.5\n"
    )
    root = make_repo({"late_git.py": PLUGIN, "train.py": "import os\n"}, contract=contract)

    report = run(root, Selection(select=frozenset({"late-git"}), allow_plugins=True))
    probe.released.set()  # the run is over: the abandoned check goes on
    for _ in range(200):
        if probe.seen:
            break
        time.sleep(0.05)

    [result] = report.results
    assert (result.status, result.summary) == (
        Status.ERROR,
        "did not finish within 0.5 s (its timeout)",
    )
    assert report.commit is not None
    assert probe.seen == ["GitError"]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "-1", "0", "700000"])
def test_a_timeout_that_is_not_a_number_of_seconds_is_exit_2(
    make_repo: MakeRepo, run_cli: RunCli, value: str
) -> None:
    root = make_repo()

    result = run_cli("check", str(root), "--timeout", value)

    assert result.exit_code == 2
    assert "--timeout" in result.stderr and "a week" in result.stderr


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "-1", "0", "700000"])
def test_a_contract_timeout_that_is_not_a_number_of_seconds_is_exit_2(
    make_repo: MakeRepo, run_cli: RunCli, value: str
) -> None:
    contract = MINIMAL_CONTRACT + f"checks:\n  unit-tests:\n    timeout: {value}\n"
    root = make_repo(contract=contract, commit=False)

    result = run_cli("check", str(root))

    assert result.exit_code == 2, result.stderr
    assert "checks.unit-tests.timeout" in result.stderr
