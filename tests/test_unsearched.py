"""What dsdone could not search is reported: a gate over files it could not read never says
"ready" without saying so.

Unreadable files and folders are tested as an unprivileged user (root reads everything): the
real console script runs as ``nobody`` (``runuser``) in a folder that user owns, or, when the
tests themselves do not run as root, as the current user.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, RunCli, git

PERSONAL = "DATA = '/home/ana/churn/data.csv'\n"
NOBODY = 65534
LIVENESS = 120


def _interpreter_for_nobody() -> str | None:
    """A Python of this version that the user nobody may run (a virtual environment under
    /root is out of its reach; the system's interpreter usually is not)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, f"/usr/bin/{version}", f"/usr/local/bin/{version}"):
        probe = ["runuser", "-u", "nobody", "--", candidate, "-c", "pass"]
        if Path(candidate).exists() and subprocess.run(probe, capture_output=True).returncode == 0:
            return candidate
    return None


def _console_script() -> list[str] | None:
    """The command that runs dsdone as a user who cannot read what ``chmod 0`` closes."""
    if os.geteuid() != 0:
        return [sys.executable, "-m", "dsdone"]
    if shutil.which("runuser") is None:
        return None
    python = _interpreter_for_nobody()
    if python is None:
        return None
    # The same dsdone and libraries as this test run: its site folders (an editable install
    # is a path hook in one of them), added by the interpreter nobody runs.
    folders = [*site.getsitepackages(), str(Path(__file__).resolve().parents[1] / "src")]
    code = (
        f"import site, sys; [site.addsitedir(f) for f in {folders!r}]; "
        "from dsdone.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    return ["runuser", "-u", "nobody", "--", python, "-c", code]


CONSOLE = _console_script()
needs_unprivileged = pytest.mark.skipif(
    CONSOLE is None,
    reason="root reads every file, and no unprivileged user can run dsdone here (runuser and a "
    "Python that user may run are needed)",
)


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder the unprivileged user owns, under a parent every user may enter (pytest's own
    temporary folders are root's alone)."""
    parent = Path(tempfile.mkdtemp(prefix="dsdone-unsearched-"))
    parent.chmod(0o755)
    try:
        yield parent
    finally:
        for folder, _, _ in os.walk(parent):  # what the test closed, opened again to delete
            Path(folder).chmod(0o755)
        shutil.rmtree(parent)


def build(place: Path, files: dict[str, str], *, in_git: bool = True, contract: str = "") -> Path:
    root = place / "repo"
    for relative, content in {"dsdone.yaml": MINIMAL_CONTRACT + contract, **files}.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(content), encoding="utf-8")
    if in_git:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
    (place / "home").mkdir()
    if os.geteuid() == 0:
        for folder, dirnames, filenames in os.walk(place):
            for name in (Path(folder), *(Path(folder, n) for n in dirnames + filenames)):
                os.chown(name, NOBODY, NOBODY)
    return root


def run_unprivileged(place: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CONSOLE is not None
    env = {**os.environ, "HOME": str(place / "home"), "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        [*CONSOLE, *args], capture_output=True, text=True, env=env, timeout=LIVENESS, check=False
    )


def report_of(place: Path, root: Path, *args: str) -> dict[str, Any]:
    completed = run_unprivileged(place, "check", str(root), "--format", "json", *args)
    assert completed.returncode in (0, 1), completed.stderr
    data: dict[str, Any] = json.loads(completed.stdout)
    return data


def findings_of(report: dict[str, Any], check_id: str) -> list[tuple[str, str]]:
    [result] = [r for r in report["results"] if r["check"] == check_id]
    return [(f["path"], f["message"]) for f in result["findings"]]


@needs_unprivileged
@pytest.mark.parametrize("in_git", [True, False], ids=["git", "outside-git"])
def test_an_unreadable_file_is_a_finding_of_the_search_that_needed_it(
    place: Path, in_git: bool
) -> None:
    root = build(place, {"train.py": PERSONAL, "secret.py": PERSONAL}, in_git=in_git)
    (root / "secret.py").chmod(0)

    found = findings_of(report_of(place, root, "--select", "personal-paths"), "personal-paths")

    assert ("secret.py", "not searched for personal paths: cannot be read: Permission denied") in (
        found
    )
    assert any(path == "train.py" for path, _ in found)


@needs_unprivileged
@pytest.mark.parametrize("in_git", [True, False], ids=["git", "outside-git"])
def test_a_folder_that_cannot_be_listed_is_a_finding(place: Path, in_git: bool) -> None:
    root = build(place, {"train.py": "print(1)\n", "locked/inner.py": PERSONAL}, in_git=in_git)
    (root / "locked" / "new.py").write_text(PERSONAL, "utf-8")  # untracked in git
    (root / "locked").chmod(0)

    report = report_of(place, root, "--select", "personal-paths")

    paths = [path for path, message in findings_of(report, "personal-paths")]
    assert "locked" in paths or "locked/inner.py" in paths, paths
    assert report["ready"] is False


@needs_unprivileged
def test_an_unreadable_test_folder_is_a_unit_tests_finding(place: Path) -> None:
    files = {
        "src/demo/__init__.py": "",
        "tests/test_ok.py": "import demo\n\ndef test_a():\n    assert demo\n",
        "tests/locked/test_more.py": "import demo\n\ndef test_b():\n    assert demo\n",
    }
    root = build(place, files, in_git=False)
    (root / "tests" / "locked").chmod(0)

    found = findings_of(report_of(place, root, "--select", "unit-tests"), "unit-tests")

    assert any(
        path == "tests/locked" and "tests here were not counted: cannot be read" in message
        for path, message in found
    ), found


@needs_unprivileged
def test_a_project_in_a_folder_that_cannot_be_listed_fails_all(place: Path) -> None:
    root = build(place, {"team/a/dsdone.yaml": MINIMAL_CONTRACT}, in_git=False)
    (root / "team").chmod(0)

    completed = run_unprivileged(place, "check", str(root), "--all", "--format", "json")

    assert completed.returncode == 1, completed.stderr
    projects = json.loads(completed.stdout)["projects"]
    messages = [f["message"] for p in projects for r in p["results"] for f in r["findings"]]
    assert any("team: not searched for projects: cannot be read" in m for m in messages), messages


@needs_unprivileged
def test_init_existing_says_what_it_could_not_read(place: Path) -> None:
    root = build(place, {"locked/params.yaml": "a: 1\n"}, in_git=False)
    (root / "dsdone.yaml").unlink()
    (root / "locked").chmod(0)

    completed = run_unprivileged(place, "init", "--existing", str(root), "--owner", "a@b.co")

    assert completed.returncode == 0, completed.stderr
    assert "could not be read, so nothing was inferred from them: locked" in completed.stdout


@pytest.mark.parametrize("name", ["tab\there.py", "new\nline.py", "escape\x1b[2J.py"])
def test_a_file_whose_name_cannot_be_shown_is_a_finding(
    make_repo: Any, run_cli: RunCli, name: str
) -> None:
    root = make_repo({"train.py": "print(1)\n", name: PERSONAL})

    result = run_cli("check", str(root), "--format", "json", "--select", "personal-paths")

    assert result.exit_code == 1, result.stderr
    [found] = json.loads(result.stdout)["results"]
    [(path, message)] = [(f["path"], f["message"]) for f in found["findings"]]
    assert message == "not searched for personal paths: its name holds control characters"
    assert "\\x" in path and "\t" not in path and "\n" not in path and "\x1b" not in path
