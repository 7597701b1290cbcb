"""What the shared git grep found in unchanged tracked files, kept between runs: each run
reports exactly what a run without the cache reports, whatever changed in between (the work
tree, a commit, the attributes that make a file binary, the cache itself)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import MakeRepo, RunCli, git

FILES = {
    "src/churn/__init__.py": "",
    "src/churn/paths.py": 'DATA = "/Users/alice/churn/train.csv"\n',
    "src/churn/model.py": "def fit(x):\n    return x\n",
    "notes/setup.txt": "Copy the data to /home/bob/datasets first.\n",
}
SEARCHING = ("personal-paths", "logging")


def findings(run_cli: RunCli, root: Path, *extra: str) -> list[tuple[str, str, int]]:
    arguments = [a for check in SEARCHING for a in ("--select", check)]
    result = run_cli("check", str(root), *arguments, "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return sorted(
        (outcome["check"], finding["path"], finding["line"])
        for outcome in json.loads(result.stdout)["results"]
        for finding in outcome["findings"]
    )


def grep_cache() -> Path:
    (found,) = Path(os.environ["DSDONE_CACHE_DIR"]).rglob("grep.json")
    return found


def same_with_and_without_cache(run_cli: RunCli, root: Path) -> list[tuple[str, str, int]]:
    cached = findings(run_cli, root)
    assert cached == findings(run_cli, root, "--no-cache")
    return cached


def test_a_second_run_reports_what_the_first_found(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(FILES)

    first = findings(run_cli, root)
    second = findings(run_cli, root)

    assert ("personal-paths", "src/churn/paths.py", 1) in first
    assert ("personal-paths", "notes/setup.txt", 1) in first
    assert second == first
    assert grep_cache().is_file()
    assert git(root, "status", "--porcelain", "--ignored") == ""


def test_a_file_changed_in_the_work_tree_is_searched_again(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(FILES)
    findings(run_cli, root)
    (root / "src/churn/paths.py").write_text('DATA = "data/train.csv"\n')
    (root / "src/churn/model.py").write_text(
        'def fit(x):\n    return x\n\n\nCACHE = "/home/carol/cache"\n'
    )

    found = same_with_and_without_cache(run_cli, root)

    paths = [(path, line) for check, path, line in found if check == "personal-paths"]
    assert ("src/churn/paths.py", 1) not in paths
    assert ("src/churn/model.py", 5) in paths


def test_a_commit_that_changes_a_file_is_searched_again(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(FILES)
    findings(run_cli, root)
    (root / "notes/setup.txt").write_text("Copy the data to the shared bucket first.\n")
    (root / "src/churn/model.py").write_text("def fit(x):\n    print(x)\n    return x\n")
    (root / "src/churn/report.py").write_text("def show(x):\n    print(x)\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "no home folder in the notes")

    found = same_with_and_without_cache(run_cli, root)

    assert ("personal-paths", "notes/setup.txt", 1) not in found
    assert ("logging", "src/churn/model.py", 2) in found
    assert ("logging", "src/churn/report.py", 2) in found


def test_attributes_that_make_a_file_binary_are_taken_into_account(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(FILES)
    assert ("personal-paths", "notes/setup.txt", 1) in findings(run_cli, root)
    (root / ".gitattributes").write_text("*.txt binary\n")
    git(root, "add", ".gitattributes")
    git(root, "commit", "-q", "-m", "text notes are binary")

    found = same_with_and_without_cache(run_cli, root)

    assert ("personal-paths", "notes/setup.txt", 1) not in found


def test_a_file_git_is_told_to_assume_unchanged_reads_as_without_a_cache(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(FILES)
    findings(run_cli, root)
    git(root, "update-index", "--assume-unchanged", "src/churn/model.py")
    (root / "src/churn/model.py").write_text('HOME = "/Users/dave/x"\n')

    same_with_and_without_cache(run_cli, root)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: "not json at all {", id="not JSON"),
        pytest.param(lambda data: json.dumps({**data, "code": "another dsdone"}), id="other code"),
        pytest.param(lambda data: json.dumps({**data, "clean": 42}), id="clean not a string"),
        pytest.param(lambda data: json.dumps({**data, "clean": "odd\0"}), id="clean cut short"),
        pytest.param(lambda data: json.dumps({**data, "hits": {"a": [1, 2, 3]}}), id="bad hits"),
        pytest.param(lambda data: json.dumps({**data, "hits": {"a": [1, []]}}), id="blob no str"),
        pytest.param(lambda data: json.dumps({**data, "hits": {"a": "xy"}}), id="hit a string"),
        pytest.param(
            lambda data: json.dumps({**data, "hits": {"a": ["b", [[1, "\u0100"]]]}}),
            id="line not bytes",
        ),
    ],
)
def test_a_damaged_cache_is_not_used(make_repo: MakeRepo, run_cli: RunCli, damage) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(FILES)
    first = findings(run_cli, root)
    cache = grep_cache()
    cache.write_text(damage(json.loads(cache.read_text())))

    assert same_with_and_without_cache(run_cli, root) == first


def test_what_the_cache_holds_for_an_unchanged_file_is_what_is_reported(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    """The cache is really read: a hit it holds for a file's blob is reported without the file
    being searched, and forgotten as soon as the file changes."""
    root = make_repo(FILES)
    findings(run_cli, root)
    cache = grep_cache()
    data = json.loads(cache.read_text())
    parts = data["clean"].split("\0")
    clean = dict(zip(parts[::2], parts[1::2], strict=True))
    blob = clean.pop("src/churn/model.py")
    data["clean"] = "\0".join(part for pair in sorted(clean.items()) for part in pair)
    data["hits"]["src/churn/model.py"] = [blob, [[2, '    return "/Users/erin/x"']]]
    cache.write_text(json.dumps(data))

    assert ("personal-paths", "src/churn/model.py", 2) in findings(run_cli, root)

    (root / "src/churn/model.py").write_text("def fit(x):\n    return 2 * x\n")
    assert ("personal-paths", "src/churn/model.py", 2) not in findings(run_cli, root)


def test_no_cache_keeps_nothing(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(FILES)

    findings(run_cli, root, "--no-cache")

    assert not list(Path(os.environ["DSDONE_CACHE_DIR"]).rglob("*.json"))
