"""The facts of unchanged test files kept between runs, in the user's cache folder: same
findings as without it, never in the project, re-read whenever a file's content changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MakeRepo, RunCli, git

TESTS = {
    "src/churn/__init__.py": "",
    "src/churn/model.py": "def fit(x):\n    return x\n",
    "tests/test_model.py": (
        "from churn.model import fit\n\n\ndef test_fit():\n    assert fit(1) == 1\n"
    ),
}


def cache_files(name: str = "test-files.json") -> list[Path]:
    return sorted(Path(os.environ["DSDONE_CACHE_DIR"]).rglob(name))


def without_durations(report: bytes) -> object:
    """The JSON report without the time each check took: all else is the same run to run."""
    data = json.loads(report)
    for result in data["results"]:
        result.pop("duration_ms")
    return data


def unit_tests_note(run_cli: RunCli, root: Path, *extra: str) -> str:
    result = run_cli("check", str(root), "--select", "unit-tests", "--format", "json", *extra)
    assert result.exit_code == 0, result.stdout + result.stderr
    (outcome,) = json.loads(result.stdout)["results"]
    return str(outcome["summary"])


def test_a_second_run_reports_the_same_and_writes_nothing_in_the_project(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo(TESTS)
    environment = {**os.environ, "DSDONE_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "dsdone", "check", str(root), "--format", "json"]

    first = subprocess.run(command, capture_output=True, env=environment, check=False)
    second = subprocess.run(command, capture_output=True, env=environment, check=False)

    assert first.returncode == second.returncode
    assert without_durations(first.stdout) == without_durations(second.stdout)
    assert b"1 test in tests" in first.stdout
    assert list((tmp_path / "cache").rglob("test-files.json")), "nothing was cached"
    assert git(root, "status", "--porcelain", "--ignored") == ""


def test_a_test_file_that_changed_is_read_again(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(TESTS)
    assert unit_tests_note(run_cli, root).startswith("1 test in tests")
    test_file = root / "tests/test_model.py"
    more = "\n\ndef test_fit_zero():\n    assert not fit(0)\n"
    test_file.write_text(test_file.read_text() + more)

    assert unit_tests_note(run_cli, root).startswith("2 tests in tests")


def test_the_same_content_under_another_name_is_reported_under_that_name(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({**TESTS, "tests/test_broken.py": "def test_x(:\n    pass\n"})
    run_cli("check", str(root), "--select", "unit-tests")
    (root / "tests/test_broken.py").rename(root / "tests/test_renamed.py")

    result = run_cli("check", str(root), "--select", "unit-tests", "--format", "json")

    (outcome,) = json.loads(result.stdout)["results"]
    assert [f["path"] for f in outcome["findings"]] == ["tests/test_renamed.py"]


def test_unchanged_files_are_not_parsed_again(make_repo: MakeRepo, run_cli: RunCli) -> None:
    # What the first run learnt is what the second reports: here the cached facts are edited to
    # show that the second run took them and did not parse the file.
    root = make_repo(TESTS)
    unit_tests_note(run_cli, root)
    (cache,) = cache_files()
    data = json.loads(cache.read_text())
    (entry,) = data["entries"].values()
    entry["functions"].append(["test_from_the_cache", 9, False])
    cache.write_text(json.dumps(data))

    assert unit_tests_note(run_cli, root).startswith("2 tests in tests")


@pytest.mark.parametrize(
    "damage",
    ["not json", '{"code": "from another dsdone", "entries": {}}', '{"code": 1, "entries": []}'],
    ids=["not JSON", "other code", "wrong shape"],
)
def test_a_damaged_or_foreign_cache_is_ignored_and_replaced(
    make_repo: MakeRepo, run_cli: RunCli, damage: str
) -> None:
    root = make_repo(TESTS)
    unit_tests_note(run_cli, root)
    (cache,) = cache_files()
    data = json.loads(cache.read_text())
    cache.write_text(damage)

    assert unit_tests_note(run_cli, root).startswith("1 test in tests")
    assert json.loads(cache.read_text()) == data


def test_no_cache_and_an_empty_cache_dir_keep_nothing(
    make_repo: MakeRepo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(TESTS)
    assert unit_tests_note(run_cli, root, "--no-cache").startswith("1 test in tests")
    assert cache_files("*") == []

    cache_root = Path(os.environ["DSDONE_CACHE_DIR"])
    monkeypatch.setenv("DSDONE_CACHE_DIR", "")
    monkeypatch.chdir(cache_root.parent)
    assert unit_tests_note(run_cli, root).startswith("1 test in tests")
    assert cache_files("*") == [] and not (cache_root.parent / "v1").exists()


def test_a_cache_folder_that_cannot_be_written_changes_nothing(
    make_repo: MakeRepo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = make_repo(TESTS)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder\n")
    monkeypatch.setenv("DSDONE_CACHE_DIR", str(blocked))

    assert unit_tests_note(run_cli, root).startswith("1 test in tests")
    assert blocked.read_text() == "not a folder\n"


def test_the_caches_of_projects_not_checked_for_a_month_are_removed(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    old_root = make_repo(TESTS, name="old")
    unit_tests_note(run_cli, old_root)
    (old_cache,) = cache_files()
    month_ago = old_cache.stat().st_mtime - 31 * 24 * 3600
    os.utime(old_cache.parent, (month_ago, month_ago))
    recent_root = make_repo(TESTS, name="recent")
    unit_tests_note(run_cli, recent_root)
    (recent_cache,) = (path for path in cache_files() if path != old_cache)
    yesterday = recent_cache.stat().st_mtime - 24 * 3600
    os.utime(recent_cache.parent, (yesterday, yesterday))

    new_root = make_repo({**TESTS, "tests/test_more.py": "def test_more():\n    pass\n"}, name="x")
    unit_tests_note(run_cli, new_root)

    assert not old_cache.parent.exists()
    assert recent_cache.exists() and len(cache_files()) == 2


def test_a_test_file_changed_by_a_commit_is_read_again(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    """An unchanged tracked file is looked up by the blob git's index names for it: a commit
    that changes the file changes the blob, and the file is parsed again."""
    root = make_repo(TESTS)
    assert unit_tests_note(run_cli, root).startswith("1 test in tests")
    test_file = root / "tests/test_model.py"
    test_file.write_text(
        test_file.read_text() + "\n\ndef test_fit_zero():\n    assert not fit(0)\n"
    )
    git(root, "commit", "-q", "-am", "one more test")

    assert unit_tests_note(run_cli, root).startswith("2 tests in tests")


def test_a_contract_made_invalid_after_a_run_is_reported(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    """That a contract passed the JSON Schema is kept by its text: any change is validated."""
    root = make_repo(TESTS)
    unit_tests_note(run_cli, root)
    assert cache_files("contract.json")
    contract = root / "dsdone.yaml"
    contract.write_text(contract.read_text() + "tests:\n  min_tests: many\n")

    result = run_cli("check", str(root), "--select", "unit-tests")

    assert result.exit_code == 2
    assert "dsdone.yaml:" in result.stderr and "min_tests" in result.stderr
