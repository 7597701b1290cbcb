"""Installing dsdone where users meet it: what dsdone writes and documents works as written.

No dsdone release is on the package index yet: the scaffold's dev extra, its pre-commit hook,
its workflow, the README's CI examples and the hints all install dsdone from what exists today
(``dsdone.release``). The pre-commit hook the scaffold writes is run by the real pre-commit in
a real scaffolded repository, with nothing to download.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import git
from github_actions import condition
from packaging.requirements import Requirement

from dsdone import __version__, release
from dsdone.scaffold import rendered_files, template_values

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
OWNER = "ana@example.com"


def standard() -> dict[str, str]:
    return rendered_files("standard", template_values("Churn Model", OWNER))


def test_until_a_release_exists_dsdone_comes_from_its_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    urls = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["urls"]
    assert urls["Repository"] == release.REPOSITORY
    assert release.LATEST_RELEASE is None
    assert release.pip_requirement() == "dsdone @ git+https://github.com/dsdone/dsdone"
    assert release.action_reference() == "dsdone/dsdone@main"
    # The day a release is cut, one constant switches every default to it.
    monkeypatch.setattr(release, "LATEST_RELEASE", "0.3.0")
    assert release.pip_requirement() == "dsdone==0.3.0"
    assert release.action_reference() == "dsdone/dsdone@v0.3.0"
    assert "dsdone==0.3.0" in standard()["pyproject.toml"]
    assert "uses: dsdone/dsdone@v0.3.0" in standard()[".github/workflows/dsdone.yml"]


def test_the_scaffold_names_no_release_that_does_not_exist() -> None:
    files = standard()
    for path, text in files.items():
        assert f"v{__version__}" not in text, f"{path} names the tag v{__version__}"
        assert f"dsdone=={__version__}" not in text, f"{path} pins dsdone {__version__}"
    dev = tomllib.loads(files["pyproject.toml"])["project"]["optional-dependencies"]["dev"]
    (dsdone,) = [Requirement(item) for item in dev if Requirement(item).name == "dsdone"]
    assert dsdone.url == "git+https://github.com/dsdone/dsdone"
    assert 'pip install "dsdone @ git+https://github.com/dsdone/dsdone"' in files["README.md"]
    workflow = yaml.safe_load(files[".github/workflows/dsdone.yml"])
    steps = workflow["jobs"]["ready"]["steps"]
    assert {"name": "Definition of done", "uses": "dsdone/dsdone@main", "with": {"path": "."}} in (
        steps
    )
    (repo,) = yaml.safe_load(files[".pre-commit-config.yaml"])["repos"]
    assert repo["repo"] == "local", "a remote hook needs a release tag that does not exist"
    (hook,) = repo["hooks"]
    assert (hook["entry"], hook["language"]) == ("dsdone check", "system")


def _job_runs(workflow: dict[object, object], event: str, ref: str, default_branch: str) -> bool:
    """Whether GitHub starts the workflow's job for ``event`` on branch ``ref``."""
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert isinstance(triggers, dict)
    if event not in triggers:
        return False
    branches = (triggers[event] or {}).get("branches")
    assert branches in (None, ["**"]), "a list of branch names misses the default one"
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    context = {
        "github": {
            "event_name": event,
            "ref_name": ref,
            "event": {"repository": {"default_branch": default_branch}},
        }
    }
    return condition(jobs["ready"].get("if"), context)


@pytest.mark.parametrize("default_branch", ["main", "master", "trunk"])
def test_the_scaffolded_workflow_runs_on_the_default_branch_whatever_its_name(
    default_branch: str,
) -> None:
    workflow = yaml.safe_load(standard()[".github/workflows/dsdone.yml"])
    assert _job_runs(workflow, "push", default_branch, default_branch)
    assert _job_runs(workflow, "pull_request", "feature", default_branch)
    # A push to another branch is checked by its pull request, not twice.
    assert not _job_runs(workflow, "push", "feature", default_branch)


def test_the_workflow_runs_on_the_branch_init_creates(tmp_path: Path) -> None:
    dsdone = Path(sys.executable).with_name("dsdone")
    target = tmp_path / "churn"
    subprocess.run(
        [str(dsdone), "init", str(target), "--name", "Churn", "--owner", OWNER],
        check=True, capture_output=True,
    )  # fmt: skip
    branch = git(target, "branch", "--show-current").strip()
    workflow = yaml.safe_load((target / ".github/workflows/dsdone.yml").read_text("utf-8"))
    assert _job_runs(workflow, "push", branch, branch), f"no run on {branch}"


# -- the scaffold's pre-commit hook, run by pre-commit -------------------------------------


def _commit(project: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    git(project, "add", "-A")
    return subprocess.run(
        ["git", "commit", "-m", message],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_the_scaffolds_pre_commit_hook_blocks_a_commit_that_adds_a_personal_path(
    tmp_path: Path,
) -> None:
    bin_dir = Path(sys.executable).parent
    pre_commit = bin_dir / "pre-commit"
    assert pre_commit.exists(), "pre-commit is a test dependency (pip install -e '.[test]')"
    env = {
        **os.environ,
        # The hook runs `dsdone` from PATH: this installation's, first.
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        # Nothing may be downloaded: no package index, no git clone but of local files.
        "PIP_NO_INDEX": "1",
        "GIT_ALLOW_PROTOCOL": "file",
    }
    project = tmp_path / "churn"
    subprocess.run(
        [str(bin_dir / "dsdone"), "init", str(project), "--name", "Churn", "--owner", OWNER],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    installed = subprocess.run(
        [str(pre_commit), "install"], cwd=project, env=env, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    first = _commit(project, env, "Start Churn")
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.search(r"dsdone \(definition of done\)\.+Passed", first.stdout + first.stderr)

    (project / "src/churn/paths.py").write_text(
        'TRAIN = "/Users/alice/data/train.csv"\n', encoding="utf-8"
    )
    blocked = _commit(project, env, "Read the training data")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert re.search(r"dsdone \(definition of done\)\.+Failed", output)
    assert "personal path '/Users/alice/data/train.csv'" in output
    assert "src/churn/paths.py:1:" in output
    assert git(project, "rev-list", "--count", "HEAD").strip() == "1", "nothing was committed"

    (project / "src/churn/paths.py").write_text('TRAIN = "data/train.csv"\n', encoding="utf-8")
    allowed = _commit(project, env, "Read the training data")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert git(project, "rev-list", "--count", "HEAD").strip() == "2"
    # A local hook: pre-commit cloned and installed nothing.
    home = tmp_path / "pre-commit-home"
    assert not [entry.name for entry in home.iterdir() if entry.name.startswith("repo")]
    assert shutil.which("dsdone", path=env["PATH"]) == str(bin_dir / "dsdone")


# -- the README ----------------------------------------------------------------------------


def test_the_readme_installs_dsdone_from_where_it_is_today() -> None:
    installs = re.findall(r'pip install ("[^"]*"|\S+)', README)
    dsdone = [spec for spec in installs if re.match(r'"?dsdone\b', spec)]
    assert dsdone, "the README says how to install dsdone"
    for spec in dsdone:
        if "X.Y.Z" in spec:  # the release procedure's placeholder
            continue
        assert spec == f'"{release.pip_requirement()}"', spec
    uses = re.findall(r"uses: (dsdone/dsdone@[^\s`]+)", README)
    assert uses
    for reference in uses:
        if "X.Y.Z" not in reference and not reference.endswith("..."):  # placeholders
            assert reference == release.action_reference()
    assert f"rev: v{__version__}" not in README


def test_the_readmes_waivers_have_not_expired_and_will_not_for_a_year() -> None:
    dates = [
        datetime.date.fromisoformat(found)
        for found in re.findall(r"^\s*until: (\d{4}-\d{2}-\d{2})", README, re.MULTILINE)
    ]
    assert dates, "the README shows waivers with an end"
    in_a_year = datetime.date.today() + datetime.timedelta(days=366)
    assert min(dates) >= in_a_year, "push the README's waiver dates further ahead"
