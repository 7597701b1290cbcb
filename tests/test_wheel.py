"""The wheel a user installs carries every template file, dotfiles included, and the project
it scaffolds is ready and green. Built, installed and run exactly as a user would."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import git

REPO = Path(__file__).resolve().parent.parent
BIN = "Scripts" if os.name == "nt" else "bin"


def run(*args: str | Path, cwd: Path, timeout: float = 300) -> str:
    completed = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,  # as in CI: nothing may wait for an answer
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, (
        f"{' '.join(map(str, args))} exited {completed.returncode}\n"
        f"{completed.stdout}\n{completed.stderr}"
    )
    return completed.stdout


def template_sources() -> set[str]:
    """Every file of the templates in the source tree, as package data paths."""
    root = REPO / "templates"
    return {
        f"dsdone/templates/{path.relative_to(root).as_posix()}"
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a copy, so that the build leaves nothing (build/, *.egg-info) in the work tree.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, source / name)
    if not (source / "README.md").exists():  # pyproject names it as the long description
        (source / "README.md").write_text("# dsdone\n", "utf-8")
    for folder in ("src", "checks", "templates"):
        shutil.copytree(
            REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    dist = tmp_path_factory.mktemp("dist")
    # Build with the setuptools already installed when it is one the project builds with
    # (offline and faster); otherwise (a fresh venv bundles an old one) let pip fetch it.
    isolation = ["--no-build-isolation"] if _setuptools_builds_us() else []
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        *isolation,
        "-w",
        dist,
        source,
        cwd=source,
    )
    (built,) = dist.glob("dsdone-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_carries_every_template_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = template_sources() - names
    assert missing == set()
    assert "dsdone/templates/standard/dot-gitignore" in names
    assert "dsdone/templates/standard/dot-github/workflows/dsdone.yml" in names


@pytest.mark.slow
def test_the_wheel_carries_the_catalogue_page_and_the_report_schema(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    page = REPO / "src" / "dsdone" / "catalog" / "page"
    assert {f"dsdone/catalog/page/{p.name}" for p in page.iterdir() if p.is_file()} <= names
    assert "dsdone/report-v1.schema.json" in names


@pytest.mark.slow
def test_a_project_scaffolded_from_the_installed_wheel_is_ready_and_green(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / BIN / "python"
    template = REPO / "templates" / "standard"
    template_pyproject = (template / "pyproject.toml.tmpl").read_text("utf-8")
    pytest_pin = re.search(r'"(pytest==[^"]+)"', template_pyproject)
    assert pytest_pin is not None
    run(python, "-m", "pip", "install", "-q", wheel, pytest_pin.group(1), cwd=tmp_path)

    run(venv / BIN / "dsdone", "init", "churn", "--name", "Churn Model", "--owner",
        "ana@example.com", cwd=tmp_path)  # fmt: skip
    project = tmp_path / "churn"
    files = {
        p.relative_to(project).as_posix()
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(project).parts
    }
    assert {".gitignore", ".pre-commit-config.yaml", ".github/workflows/dsdone.yml"} <= files
    assert ".dsdone/contract-schema.json" in files  # written by init beside the template's
    assert len(files) == 1 + len(
        [n for n in template_sources() if n.startswith("dsdone/templates/standard/")]
    )

    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "start")
    report = run(venv / BIN / "dsdone", "check", "--color", "never", cwd=project)
    assert "Ready" in report
    tests = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert " passed" in tests
    run(venv / BIN / "dsdone", "catalog", "--output", tmp_path / "catalog.html", cwd=project)
    page = (tmp_path / "catalog.html").read_text("utf-8")
    assert page.startswith("<!doctype html>") and "Churn Model" in page


def _setuptools_builds_us() -> bool:
    """Whether the installed setuptools meets the project's build requirement."""
    if importlib.util.find_spec("setuptools") is None:
        return False
    from importlib.metadata import version

    required = re.search(r'"setuptools>=(\d+)', (REPO / "pyproject.toml").read_text("utf-8"))
    assert required, "pyproject.toml names a minimum setuptools"
    return int(version("setuptools").split(".")[0]) >= int(required.group(1))
