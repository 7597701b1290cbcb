"""`dsdone --help`, `list` and `explain` stay quick: they never import the heavy libraries.

Each command runs in a fresh interpreter, because in this one pytest and the other tests have
imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("jsonschema", "git", "nbformat", "packaging", "jinja2", "markupsafe")

PROBE = f"""
import contextlib, io, json, sys
from dsdone.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exit:
        code = exit.code
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
print(json.dumps({{"code": code, "heavy": heavy}}))
"""


def run_probe(args: list[str], cwd: Path) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    "args",
    [["--help"], ["list"], ["explain", "personal-paths"], ["--version"]],
    ids=["help", "list", "explain", "version"],
)
def test_command_imports_no_heavy_library(args: list[str], tmp_path: Path) -> None:
    result = run_probe(args, tmp_path)

    assert result["code"] in (0, None)
    assert result["heavy"] == []


def test_the_probe_sees_a_heavy_import_when_there_is_one(tmp_path: Path) -> None:
    # Without this, an empty "heavy" list above could come from a probe that sees nothing:
    # a check validates the contract against its JSON Schema, so jsonschema must show up here.
    (tmp_path / "dsdone.yaml").write_text("version: 1\nproject:\n  name: d\n  owner: a@b.c\n")

    result = run_probe(["check", "--select", "personal-paths"], tmp_path)

    assert "jsonschema" in result["heavy"]  # type: ignore[operator]


def test_check_imports_neither_gitpython_nor_nbformat(tmp_path: Path) -> None:
    # git is asked with plumbing commands started before typer is imported, and a version 4
    # notebook is plain JSON: nbformat is for notebooks of other versions (and dsdone does not
    # use GitPython at all: a module named git must not creep back in).
    (tmp_path / "dsdone.yaml").write_text("version: 1\nproject:\n  name: d\n  owner: a@b.c\n")
    (tmp_path / "nb.ipynb").write_text(
        '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code",'
        ' "metadata": {}, "outputs": [], "source": ["p = \'/home/ana/x\'"]}]}'
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)

    result = run_probe(["check", "--select", "personal-paths"], tmp_path)

    assert result["code"] == 1  # the notebook's personal path was found: its cells were read
    heavy = result["heavy"]
    assert isinstance(heavy, list)
    assert [m for m in heavy if m.split(".")[0] in ("git", "nbformat")] == []


def test_check_reads_no_package_metadata_when_no_plugin_is_installed(tmp_path: Path) -> None:
    # Plugins are found by their entry points; no installed package declares the group here,
    # which a look at each package's entry_points.txt tells without importlib.metadata
    # (about 20 ms of every run: its import and the parsing of every package's entry points).
    (tmp_path / "dsdone.yaml").write_text("version: 1\nproject:\n  name: d\n  owner: a@b.c\n")
    probe = PROBE.replace(
        "heavy = sorted(", "heavy = ['metadata'] * ('importlib.metadata' in sys.modules) + sorted("
    )

    completed = subprocess.run(
        [sys.executable, "-c", probe, "check", "--select", "ownership"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "metadata" not in json.loads(completed.stdout.strip().splitlines()[-1])["heavy"]
