"""Every contract dsdone writes means exactly what it was given, and ``init`` never stops half
way, never crashes and never waits: whatever the names, the folder or the repository.

The first ``dsdone check`` after ``init`` used to reject the contract ``init`` wrote for names
YAML reads as other types (``0x1F``, ``yes``, ``2026-01-01``, a trailing space, an emoji written
as a pair of escapes), and ``init`` ended in exit 3 on a name too long, an argument that is not
UTF-8 or a folder it cannot write.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsdone.adopt import MAX_ENTRIES, Inference, render, writable
from dsdone.contract import contract_from_text
from dsdone.globs import glob_problem
from dsdone.scaffold import rendered_files, template_values, unwritable, yaml_scalar
from dsdone.yamlsource import load_yaml

LIVENESS = 60
TEXT = st.text(st.characters(codec="utf-8"), max_size=40)  # any code point but surrogates
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
PLAIN_LOOKING = st.sampled_from(
    ["0x1F", "1e3", "1_000", "0b101", "yes", "No", "null", "~", "2026-01-01", "12:30", ".inf",
     "abc ", " abc", "*star", "&anchor", "!bang", "0x10.dvc", "a: b", "a #b", "-", "?", "@x",
     "😀", "\u2028", "\ufeff", "\uffff", "tab\there", "new\nline", "'q'", '"q"', "\\"]
)  # fmt: skip


def contract_value(scalar: str) -> Any:
    """What ``dsdone check``'s contract loader reads ``scalar`` as."""
    return load_yaml(f"value: {scalar}\n", "dsdone.yaml").data["value"]


@settings(max_examples=300, suppress_health_check=list(HealthCheck))
@given(st.one_of(TEXT, PLAIN_LOOKING))
def test_a_scalar_reads_back_as_exactly_what_was_written(value: str) -> None:
    if unwritable(value) is not None:
        with pytest.raises(ValueError):
            yaml_scalar(value)
        return
    scalar = yaml_scalar(value)
    assert yaml.safe_load(f"value: {scalar}")["value"] == value
    assert contract_value(scalar) == value


@given(st.text(min_size=1, max_size=5).map(lambda s: s + "\udcff"))
def test_text_that_is_not_utf8_is_never_written(value: str) -> None:
    assert unwritable(value) is not None
    with pytest.raises(ValueError):
        yaml_scalar(value)


NAMES = st.one_of(PLAIN_LOOKING, TEXT).filter(
    lambda s: unwritable(s) is None and any(c.isascii() and c.isalnum() for c in s)
)


@settings(max_examples=150, suppress_health_check=list(HealthCheck))
@given(
    NAMES,
    st.one_of(PLAIN_LOOKING, TEXT).filter(lambda s: s.strip() and unwritable(s) is None),
    TEXT,
)
def test_the_contract_init_writes_means_what_it_was_given(
    name: str, owner: str, description: str
) -> None:
    description = description if unwritable(description) is None else "plain"
    values = template_values(name, owner, description or None)
    for template in ("minimal", "standard"):
        text = rendered_files(template, values)["dsdone.yaml"]
        contract = contract_from_text(text, Path("/project/dsdone.yaml"))
        assert (contract.project.name, contract.project.owner) == (name, owner)
        if template == "standard":
            assert contract.project.description == values["description"]


@settings(max_examples=100, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.tuples(st.one_of(TEXT, PLAIN_LOOKING), st.one_of(TEXT, PLAIN_LOOKING)), max_size=8),
    st.lists(st.one_of(TEXT, PLAIN_LOOKING), max_size=5),
)
def test_the_contract_init_existing_writes_means_what_it_found(
    inputs: list[tuple[str, str]], configs: list[str]
) -> None:
    found = Inference(name="demo", owner="ana@example.com")
    for name, source in inputs:
        found.add_input(source, f"dvc:{name}", "dvc.yaml", name=name or None)
    found.config_files = [path for path in configs if writable(path) and glob_problem(path) is None]

    contract = contract_from_text(render(found), Path("/project/dsdone.yaml"))

    assert [(i.name, i.source, i.pipeline) for i in contract.inputs or ()] == [
        (i.name, i.source, i.pipeline) for i in found.inputs
    ]
    assert list(contract.config_files or ()) == found.config_files


# -- the real console script ---------------------------------------------------------------------


def dsdone(*args: str | bytes, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dsdone", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=LIVENESS,
        check=False,
    )


def everything_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("name", ["0x1F", "1e3", "yes", "null", "~", "trail ", "😀 model", "*star",
                                  "&anchor", "!bang", "2026-01-01"])  # fmt: skip
def test_check_reads_back_the_name_init_wrote(tmp_path: Path, name: str) -> None:
    target = tmp_path / "proj"

    written = dsdone(
        "init", str(target), "--template", "minimal", "--name", name, "--owner", "a@b.co"
    )
    checked = dsdone("check", str(target), "--format", "json", "--select", "version-control")

    assert written.returncode == 0, written.stderr
    assert checked.returncode in (0, 1), checked.stderr
    # init takes the name without the spaces around it (a name is a word, not a layout)
    assert json.loads(checked.stdout)["project"]["name"] == name.strip()


def test_a_name_too_long_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    completed = dsdone("init", str(tmp_path / "p"), "--name", "a" * 300, "--owner", "a@b.co")

    assert completed.returncode == 2, completed.stderr
    assert "keep it under 100" in completed.stderr
    assert not (tmp_path / "p").exists()


def test_a_folder_path_too_long_is_exit_2(tmp_path: Path) -> None:
    target = tmp_path / ("a" * 300) / "b"

    completed = dsdone("init", str(target), "--name", "x", "--owner", "a@b.co")

    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr


def test_an_argument_that_is_not_utf8_is_written_as_reports_show_it(tmp_path: Path) -> None:
    # The byte is written as \xff, as every report shows it (dsdone.render.escape), and the
    # contract reads back as written.
    name = os.fsdecode(b"churn-\xff")  # as Python gives a command line that is not UTF-8

    completed = dsdone("init", str(tmp_path / "p"), "--name", name, "--owner", "a@b.co")
    checked = dsdone("check", str(tmp_path / "p"), "--format", "json", "--select", "unit-tests")

    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    assert checked.returncode in (0, 1), checked.stderr
    assert json.loads(checked.stdout)["project"]["name"] == "churn-\\xff"


def test_a_folder_named_in_bytes_that_are_not_utf8_gets_a_project(tmp_path: Path) -> None:
    target = Path(os.fsdecode(bytes(tmp_path) + b"/proj-\xff"))
    other = Path(os.fsdecode(bytes(tmp_path) + b"/other-proj-\xff"))

    without_name = dsdone("init", str(other), "--owner", "a@b.co")
    with_name = dsdone("init", str(target), "--name", "Churn", "--owner", "a@b.co")

    assert without_name.returncode == 0, without_name.stderr
    assert "Traceback" not in without_name.stderr
    assert with_name.returncode == 0, with_name.stderr
    assert "proj-\\xff" in with_name.stdout


def test_a_conflict_is_found_before_anything_is_written(tmp_path: Path) -> None:
    target = tmp_path / "proj"
    target.mkdir()
    (target / "tests").write_text("a file where the template has a folder\n", "utf-8")

    completed = dsdone("init", str(target), "--name", "Churn", "--owner", "a@b.co")

    assert completed.returncode == 2, completed.stderr
    assert "tests: is a file, but the template needs a folder there" in completed.stderr
    assert everything_in(target) == ["tests"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("existing", [False, True], ids=["init", "init-existing"])
def test_a_named_pipe_in_the_target_is_not_waited_on(tmp_path: Path, existing: bool) -> None:
    target = tmp_path / "proj"
    target.mkdir()
    os.mkfifo(target / ("dsdone.yaml" if existing else "README.md"))
    flags = ["--existing"] if existing else []

    completed = dsdone("init", str(target), *flags, "--name", "Churn", "--owner", "a@b.co")

    assert completed.returncode == 0, completed.stderr
    assert "(exists; --force overwrites it)" in completed.stdout


def test_a_folder_that_cannot_be_written_is_exit_2_and_writes_nothing() -> None:
    from test_unsearched import CONSOLE

    if CONSOLE is None or os.geteuid() != 0:
        pytest.skip("needs root, to run the console script as the user nobody")
    place = Path(tempfile.mkdtemp(prefix="dsdone-readonly-"))
    try:
        place.chmod(0o755)
        target = place / "readonly"
        target.mkdir(mode=0o755)  # root's: nobody may enter it, not write in it
        completed = subprocess.run(
            [*CONSOLE, "init", str(target), "--name", "Churn", "--owner", "a@b.co"],
            capture_output=True,
            text=True,
            timeout=LIVENESS,
            check=False,
            env={**os.environ, "HOME": str(place)},
        )
        assert completed.returncode == 2, completed.stderr
        assert "cannot write in this folder" in completed.stderr
        assert everything_in(target) == []
    finally:
        shutil.rmtree(place)


BIG = "9" * 5000


@pytest.mark.parametrize(
    ("files", "todo"),
    [
        ({"dvc.yaml": "stages:\n  train:\n    cmd: x\n    frozen: 2026-02-30\n"}, "dvc.yaml"),
        ({"dvc.yaml": f"stages:\n  train:\n    cmd: x\n    seed: {BIG}\n"}, "dvc.yaml"),
        ({"dvc.yaml": "stages: " + "[" * 10_000 + "]" * 10_000 + "\n"}, "dvc.yaml"),
        ({"pyproject.toml": "a = " + "[" * 10_000 + "]" * 10_000 + "\n"}, "pyproject.toml"),
        ({"pyproject.toml": f"[project]\nversion = {BIG}\n"}, "pyproject.toml"),
        ({"MLproject": 'entry_points:\n  "\\e[2J":\n    command: x\n'}, "retrain entrypoint"),
        ({"dvc.yaml": 'stages:\n  s:\n    cmd: x\n    deps: ["\\e[2Jdata.csv"]\n'}, "input"),
        (
            {"dvc.yaml": "stages:\n  s:\n    cmd: x\n    deps:\n"
             + "".join(f"      - data/part_{i}.csv\n" for i in range(300))},
            f"past the first {MAX_ENTRIES}",
        ),
        ({"pyproject.toml": '[project]\nname = "x"\ndescription = "a\\u001bb"\n'}, "description"),
    ],
    ids=["dvc-date", "dvc-integer", "dvc-nested", "pyproject-nested", "pyproject-integer",
         "mlproject-escape", "dvc-escape", "dvc-300-inputs", "pyproject-escape"],
)  # fmt: skip
def test_a_broken_file_leaves_a_todo_and_a_contract_check_reads(
    make_repo: MakeRepo, run_cli: RunCli, files: dict[str, str], todo: str
) -> None:
    root = make_repo(files, contract=None)

    written = run_cli("init", "--existing", str(root), "--owner", "a@b.co")
    checked = run_cli("check", str(root), "--select", "version-control")

    assert written.exit_code == 0, written.stderr
    assert any(todo in line for line in written.stdout.splitlines() if line.startswith("todo"))
    assert "\x1b" not in written.stdout
    assert checked.exit_code in (0, 1), checked.stderr


def test_init_existing_names_an_input_from_0x10_dvc_as_a_string(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"0x10.dvc": "outs:\n- path: 0x10\n"}, contract=None)

    assert run_cli("init", "--existing", str(root), "--owner", "a@b.co").exit_code == 0
    result = run_cli("check", str(root), "--format", "json", "--select", "input-pipelines")

    assert result.exit_code == 1, result.stderr
    assert MINIMAL_CONTRACT  # the contract loaded: the finding is about the input, not its name
    [found] = json.loads(result.stdout)["results"]
    assert all("must be a string" not in f["message"] for f in found["findings"])
