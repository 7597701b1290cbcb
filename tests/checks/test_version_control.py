"""version-control: git work tree, a commit, the contract tracked, no large committed files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli, git

from dsdone.checks.version_control import version_control
from dsdone.report import CheckResult, Status
from dsdone.testing import run_check

MB = 1024 * 1024
LFS_POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 12345678\n"
)


def run(root: Path, **options: Any) -> CheckResult:
    return run_check(root, version_control, **options)


def messages(result: CheckResult) -> list[str]:
    return [finding.message for finding in result.findings]


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def test_committed_clean_repository_passes_and_names_commit_and_branch(make_repo: MakeRepo) -> None:
    root = make_repo({"src/churn/__init__.py": ""})

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == f"commit {head(root)[:12]} on main, clean"


def test_project_outside_git_fails(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": "print(1)\n"}, git_init=False)

    result = run(root)

    assert result.status is Status.FAIL
    assert messages(result) == ["the project is not inside a git work tree"]
    assert "git init" in (result.findings[0].hint or "")


def test_repository_without_commit_fails(make_repo: MakeRepo) -> None:
    root = make_repo(commit=False)
    git(root, "add", "dsdone.yaml")

    result = run(root)

    assert result.status is Status.FAIL
    assert messages(result) == ["the repository has no commit yet"]
    assert result.summary == "1 finding; no commit yet"


def test_untracked_contract_fails_with_git_add_hint(make_repo: MakeRepo) -> None:
    root = make_repo(contract=None, files={"README.md": "# demo\n"})
    (root / "dsdone.yaml").write_text(MINIMAL_CONTRACT, encoding="utf-8")

    result = run(root)

    assert result.status is Status.FAIL
    assert messages(result) == ["the contract is not tracked by git"]
    assert result.findings[0].path == "dsdone.yaml"
    assert result.findings[0].hint == "run `git add dsdone.yaml` and commit it"


def test_ignored_contract_fails_with_gitignore_hint(make_repo: MakeRepo) -> None:
    root = make_repo(contract=None, files={".gitignore": "*.yaml\n"})
    (root / "dsdone.yaml").write_text(MINIMAL_CONTRACT, encoding="utf-8")

    result = run(root)

    assert messages(result) == ["the contract is ignored by git, so a fresh clone does not have it"]
    assert "git check-ignore -v dsdone.yaml" in (result.findings[0].hint or "")


def test_eleven_megabyte_file_fails_at_default_limit(make_repo: MakeRepo) -> None:
    root = make_repo({"data/train.csv": b"\0" * (11 * MB)})

    result = run(root)

    assert result.status is Status.FAIL
    assert messages(result) == ["a file of 11.0 MB is committed to git (the limit is 10 MB)"]
    finding = result.findings[0]
    assert finding.path == "data/train.csv"
    assert "DVC, Git LFS or object storage" in (finding.hint or "")


@pytest.mark.parametrize(
    ("size", "fails"),
    [(1048, False), (1049, True)],
    ids=["exactly-at-limit", "one-byte-over"],
)
def test_size_limit_is_inclusive(make_repo: MakeRepo, size: int, fails: bool) -> None:
    root = make_repo({"model.pkl": b"x" * size})

    result = run(root, max_file_mb=0.001)

    assert (result.status is Status.FAIL) is fails
    assert [f.path for f in result.findings] == (["model.pkl"] if fails else [])


def test_lfs_pointer_over_the_limit_is_not_a_finding(make_repo: MakeRepo) -> None:
    same_size_not_a_pointer = "x" * len(LFS_POINTER)
    root = make_repo({"models/model.bin": LFS_POINTER, "models/raw.bin": same_size_not_a_pointer})

    result = run(root, max_file_mb=0.0001)

    assert [f.path for f in result.findings] == ["models/raw.bin"]


def test_lfs_file_checked_out_large_is_judged_by_the_committed_pointer(
    make_repo: MakeRepo,
) -> None:
    # With git-lfs installed, the work tree holds the real artefact and git the pointer.
    root = make_repo({"models/model.bin": LFS_POINTER})
    (root / "models/model.bin").write_bytes(b"\1" * 5000)

    result = run(root, max_file_mb=0.001)

    assert result.status is Status.PASS


def test_symlink_to_a_large_file_outside_is_not_a_finding(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "datasets/train.parquet"
    outside.parent.mkdir()
    outside.write_bytes(b"\0" * 5000)
    root = make_repo(commit=False)
    (root / "train.parquet").symlink_to(outside)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "link the data set")

    result = run(root, max_file_mb=0.001)

    assert result.status is Status.PASS


def test_large_untracked_file_is_not_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo()
    (root / "scratch.parquet").write_bytes(b"\0" * 5000)

    result = run(root, max_file_mb=0.001)

    assert result.status is Status.PASS
    assert result.summary.endswith("1 file changed")


def test_staged_large_file_is_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo()
    (root / "weights.pt").write_bytes(b"\0" * 5000)
    git(root, "add", "weights.pt")

    result = run(root, max_file_mb=0.001)

    assert [f.path for f in result.findings] == ["weights.pt"]


def test_sizes_are_what_the_index_holds_not_what_the_disk_holds(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "shrunk_on_disk.bin": b"\0" * 5000,  # committed large, emptied but not staged
            "shrunk_and_staged.bin": b"\0" * 5000,  # committed large, the small one staged
            "removed.bin": b"\0" * 5000,  # committed large, then `git rm --cached`
        }
    )
    for name in ("shrunk_on_disk.bin", "shrunk_and_staged.bin"):
        (root / name).write_bytes(b"small")
    git(root, "add", "shrunk_and_staged.bin")
    git(root, "rm", "-q", "--cached", "removed.bin")

    result = run(root, max_file_mb=0.001)

    assert [f.path for f in result.findings] == ["shrunk_on_disk.bin"]


def test_staged_large_file_in_a_project_subfolder(make_repo: MakeRepo) -> None:
    root = make_repo(contract=None, files={"services/churn/dsdone.yaml": MINIMAL_CONTRACT})
    (root / "services/churn/weights.pt").write_bytes(b"\0" * 5000)
    (root / "elsewhere.pt").write_bytes(b"\0" * 5000)
    git(root, "add", "-A")

    result = run(root / "services/churn", max_file_mb=0.001)

    assert [f.path for f in result.findings] == ["weights.pt"]


def test_project_in_a_subfolder_of_a_bigger_repository(make_repo: MakeRepo) -> None:
    root = make_repo(
        contract=None,
        files={
            "services/churn/dsdone.yaml": MINIMAL_CONTRACT,
            "services/churn/model.bin": b"\0" * 5000,
            "services/other/big.bin": b"\0" * 5000,
        },
    )
    project_root = root / "services/churn"

    result = run(project_root, max_file_mb=0.001)

    assert messages(result) == ["a file of 4.9 KB is committed to git (the limit is 0.001 MB)"]
    assert result.findings[0].path == "model.bin"
    assert result.summary.endswith("on main, clean, project in services/churn/ of the repository")


def test_dirty_tree_in_monorepo_counts_only_the_project_folder(make_repo: MakeRepo) -> None:
    root = make_repo(contract=None, files={"app/dsdone.yaml": MINIMAL_CONTRACT, "lib/x.py": ""})
    (root / "lib/x.py").write_text("changed = True\n", encoding="utf-8")
    (root / "app/notes.txt").write_text("new\n", encoding="utf-8")

    result = run(root / "app")

    assert result.status is Status.PASS
    assert "1 file changed" in result.summary


def test_detached_head_is_reported_and_passes(make_repo: MakeRepo) -> None:
    root = make_repo()
    git(root, "checkout", "-q", "--detach")

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == f"detached HEAD at {head(root)[:12]}, clean"


def test_shallow_clone_passes_and_says_so(make_repo: MakeRepo, tmp_path: Path) -> None:
    origin = make_repo({"a.py": ""})
    (origin / "a.py").write_text("x = 1\n", encoding="utf-8")
    git(origin, "commit", "-q", "-am", "second")
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", "clone")
    clone = tmp_path / "clone"

    result = run(clone)

    assert result.status is Status.PASS
    assert result.summary == f"commit {head(clone)[:12]} on main, clean, shallow clone"


def test_dirty_tree_is_reported_but_passes_by_default(make_repo: MakeRepo) -> None:
    root = make_repo({"a.py": "", "b.py": ""})
    (root / "a.py").write_text("x = 1\n", encoding="utf-8")
    (root / "new.py").write_text("", encoding="utf-8")

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == f"commit {head(root)[:12]} on main, 2 files changed"


def test_dirty_tree_fails_when_the_option_asks(make_repo: MakeRepo) -> None:
    root = make_repo({"a.py": ""})
    (root / "a.py").write_text("x = 1\n", encoding="utf-8")

    result = run(root, fail_on_dirty=True)

    assert result.status is Status.FAIL
    assert messages(result) == ["the work tree has uncommitted changes (1 file changed)"]


def test_clean_tree_passes_with_fail_on_dirty(make_repo: MakeRepo) -> None:
    root = make_repo()

    assert run(root, fail_on_dirty=True).status is Status.PASS


def test_git_missing_is_a_clear_error_not_a_crash(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = make_repo()
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    result = run(root)

    assert result.status is Status.ERROR
    assert "git is not usable here" in result.summary
    assert "git executable was not found" in result.summary


def test_git_missing_outside_a_repository_is_also_an_error(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = make_repo(git_init=False)
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    result = run(root)

    assert result.status is Status.ERROR
    assert "git executable was not found" in result.summary


def test_cli_reports_large_file_with_path_and_exit_code(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"data/big.bin": b"\0" * 5000})
    contract = MINIMAL_CONTRACT + "checks:\n  version-control:\n    max_file_mb: 0.001\n"
    (root / "dsdone.yaml").write_text(contract, encoding="utf-8")
    git(root, "commit", "-q", "-am", "limit")

    cli = run_cli("check", str(root), "--select", "version-control", "--format", "json")

    assert cli.exit_code == 1
    (result,) = json.loads(cli.stdout)["results"]
    assert result["status"] == "fail"
    assert [f["path"] for f in result["findings"]] == ["data/big.bin"]


# -- data and model files, by what they are ----------------------------------------------------

WRITTEN_FOR_0_2 = MINIMAL_CONTRACT.replace("version: 1\n", 'version: 1\nwritten_for: "0.2.0"\n')


@pytest.mark.parametrize(
    ("path", "size", "found"),
    [
        ("models/model.pkl", 3 * MB, True),  # a 3 MB model, far under the 10 MB limit
        ("credit-scorer/src/data/credit_scoring.csv", 4 * MB, True),  # zenml-projects
        ("data/solar_potential.parquet", 3 * MB + 300_000, True),  # Data-Analysis
        ("weights/best.pt", 2 * MB, True),
        ("export/model.onnx", 1 * MB + 1, True),
        ("data/train.csv.gz", 2 * MB, True),
        ("data/MODEL.PKL", 2 * MB, True),
        # quiet: small fixtures and samples, and files that are not data or models
        ("tests/fixtures/model.pkl", 4 * 1024, False),
        ("tests/data/sample.csv", 30 * 1024, False),
        ("data/01_raw/reviews.csv", 575 * 1024, False),  # Kedro's spaceflights tutorial data
        ("models/lin_reg.bin", MB, False),  # exactly at the limit
        ("docs/architecture.png", 3 * MB, False),
        ("docs/report.pdf", 3 * MB, False),
        ("notebooks/eda.ipynb", 3 * MB, False),
        ("data/archive.gz", 3 * MB, False),  # compressed, but of what?
        ("src/churn/pkl.py", 2 * MB, False),
    ],
)
def test_data_and_model_files_are_found_under_the_size_limit(
    make_repo: MakeRepo, path: str, size: int, found: bool
) -> None:
    root = make_repo({path: b"\1" * size}, contract=WRITTEN_FOR_0_2)

    result = run(root)

    assert [f.path for f in result.findings] == ([path] if found else [])


def test_a_committed_model_is_reported_with_the_way_out_of_git(make_repo: MakeRepo) -> None:
    root = make_repo({"models/churn model.pkl": b"\1" * (3 * MB)}, contract=WRITTEN_FOR_0_2)

    result = run(root)

    (finding,) = result.findings
    assert finding.message == (
        "a .pkl file of 3.0 MB is committed to git (the limit for data and model files is 1 MB)"
    )
    assert finding.hint == (
        "data and model artefacts belong in DVC, Git LFS or object storage, not in git: "
        "`git rm --cached 'models/churn model.pkl' && dvc add 'models/churn model.pkl'`, "
        "or `git lfs track '*.pkl'` (history keeps the old blob until it is rewritten)"
    )


@pytest.mark.parametrize(
    ("max_artifact_kb", "found"), [(5000, False), (500, True), (0, True)], ids=str
)
def test_the_artifact_limit_is_an_option(
    make_repo: MakeRepo, max_artifact_kb: float, found: bool
) -> None:
    root = make_repo({"models/model.joblib": b"\1" * (600 * 1024)}, contract=WRITTEN_FOR_0_2)

    result = run(root, max_artifact_kb=max_artifact_kb)

    assert [f.path for f in result.findings] == (["models/model.joblib"] if found else [])


def test_an_lfs_pointer_is_never_an_artifact(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"models/model.pkl": LFS_POINTER, "models/raw.pkl": "x" * len(LFS_POINTER)},
        contract=WRITTEN_FOR_0_2,
    )

    result = run(root, max_artifact_kb=0)

    assert [f.path for f in result.findings] == ["models/raw.pkl"]


def test_a_file_over_both_limits_is_one_finding(make_repo: MakeRepo) -> None:
    root = make_repo({"models/model.pt": b"\1" * (11 * MB)})

    result = run(root)

    assert messages(result) == ["a file of 11.0 MB is committed to git (the limit is 10 MB)"]
    assert "git lfs track '*.pt'" in (result.findings[0].hint or "")


def test_a_contract_written_for_an_older_release_is_told_not_blocked(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # Upgrading never turns a green gate red without notice: the rule came in 0.2.0.
    root = make_repo({"models/model.pkl": b"\1" * (3 * MB), "data/big.parquet": b"\1" * (2 * MB)})

    cli = run_cli("check", str(root), "--select", "version-control", "--format", "json")

    assert cli.exit_code == 0
    (result,) = json.loads(cli.stdout)["results"]
    assert result["status"] == "pass"
    assert result["summary"].startswith(
        "2 data or model files above 1 MB in git (new in dsdone 0.2.0, not blocking: the "
        'contract is written for 0.1.0; set `written_for: "0.2.0"` to opt in); commit '
    )
