"""The environment is not dsdone: what it does to dsdone's output never ends in exit 3.

A full device, a closed standard output, a reader that stops reading, an encoding that cannot
say ✓, a folder whose name is not UTF-8, a baseline nested 100,000 deep. Run as the user runs
dsdone: the console script in a subprocess, with real pipes and real file descriptors.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, git
from test_formats import validate_sarif

FORMATS = ["terminal", "json", "sarif", "junit", "markdown", "github"]


def dsdone(
    *args: str | bytes, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dsdone", *args],
        capture_output="stdout" not in kwargs,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
        **kwargs,
    )


@pytest.fixture
def not_ready(make_repo: MakeRepo) -> Path:
    """A project that is not ready, with a name no ASCII encoding can write."""
    return make_repo(contract=MINIMAL_CONTRACT.replace("name: demo", "name: Modèle ✓ 予測"))


def test_a_full_device_is_exit_2_cannot_write_the_report(not_ready: Path) -> None:
    with open("/dev/full", "w") as full:  # noqa: PTH123
        done = dsdone("check", str(not_ready), stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert b"cannot write the report to standard output: No space left on device" in done.stderr
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr


def test_a_closed_standard_output_is_exit_2(not_ready: Path) -> None:
    done = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -m dsdone check "{not_ready}" >&-'],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert b"cannot write the report: standard output is closed" in done.stderr


ASCII = {"PYTHONIOENCODING": "ascii"}
LATIN_1 = {"PYTHONIOENCODING": "latin-1"}
# LANG=C without Python's UTF-8 coercion: the locale's encoding, ASCII, is used.
C_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}


@pytest.mark.parametrize(
    ("env", "output_format"),
    [
        *((ASCII, output_format) for output_format in FORMATS),
        (LATIN_1, "terminal"),
        (LATIN_1, "json"),
        (C_LOCALE, "terminal"),
        (C_LOCALE, "markdown"),
    ],
    ids=[
        *(f"ascii-{f}" for f in FORMATS),
        *("latin-1-terminal", "latin-1-json", "c-locale-terminal", "c-locale-markdown"),
    ],
)
def test_an_encoding_that_cannot_say_the_marks_gets_ascii_or_escapes(
    not_ready: Path, env: dict[str, str], output_format: str
) -> None:
    encoding = "latin-1" if env.get("PYTHONIOENCODING") == "latin-1" else "ascii"
    done = dsdone("check", str(not_ready), "-f", output_format, env=env)
    assert done.returncode == 1, done.stderr
    text = done.stdout.decode(encoding)  # strict: only what the encoding has
    if output_format == "terminal":
        assert "\nx Not ready: " in text
        assert "Mod\\xe8le" in text or "Modèle" in text
    elif output_format in ("json", "sarif"):
        data = json.loads(text)
        if output_format == "json":
            assert data["project"]["name"] == "Modèle ✓ 予測"  # lossless: \\u escapes
    elif output_format == "markdown":
        assert "Modèle ✓ 予測" in text or "&#10003;" in text


def test_list_in_an_ascii_terminal(tmp_path: Path) -> None:
    done = dsdone("list", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert b"personal-paths" in done.stdout


# -- a reader that stops reading ------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "exit_code"),
    [(["check"], 1), (["check", "--format", "json"], 1), (["list"], 0)],
    ids=["check", "check-json", "list"],
)
def test_a_reader_that_closed_the_pipe_ends_dsdone_quietly(
    not_ready: Path, command: list[str], exit_code: int
) -> None:
    args = [*command, str(not_ready)] if command[0] == "check" else command
    process = subprocess.Popen(
        [sys.executable, "-m", "dsdone", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before dsdone writes anything: every write meets a closed pipe
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == exit_code
    assert stderr == b"", stderr.decode()  # no internal error, no "Exception ignored"


# -- names that are not UTF-8 ---------------------------------------------------------------


def test_a_project_folder_whose_name_is_not_utf8_in_sarif_and_output(tmp_path: Path) -> None:
    top = tmp_path / "top"
    folder = os.path.join(os.fsencode(top), b"caf\xe9")  # noqa: PTH118
    os.makedirs(folder)  # noqa: PTH103
    with open(os.path.join(folder, b"dsdone.yaml"), "w", encoding="utf-8") as handle:  # noqa: PTH118, PTH123
        handle.write(MINIMAL_CONTRACT)
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "initial")
    report = os.path.join(os.fsencode(tmp_path), b"r\xff.sarif")  # noqa: PTH118
    done = dsdone("check", folder, "-f", "sarif", "-o", report)
    assert done.returncode == 1, done.stderr
    with open(report, encoding="utf-8") as handle:  # noqa: PTH123 - strict UTF-8
        data = json.load(handle)
    validate_sarif(data)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in data["runs"][0]["results"]
    }
    assert uris == {"caf%E9/dsdone.yaml"}
    printed = dsdone("check", folder, "-f", "sarif")
    assert printed.returncode == 1
    assert json.loads(printed.stdout.decode("utf-8")) == data


# -- a baseline that is not a report --------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("[" * 100_000, "is not JSON: it is nested too deeply"),
        ('{"a": 1,\n  "b": }', "is not JSON: Expecting value (line 2, column 8)"),
    ],
    ids=["nested-100000-deep", "broken"],
)
def test_a_baseline_that_is_not_json_is_exit_2(
    not_ready: Path, tmp_path: Path, content: str, said: str
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content, encoding="utf-8")
    done = dsdone("check", str(not_ready), "--baseline", str(baseline))
    assert done.returncode == 2, done.stderr
    assert said in done.stderr.decode()
