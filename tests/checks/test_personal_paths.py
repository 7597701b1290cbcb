"""personal-paths: absolute paths into one person's home, in every kind of file of the project."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli, git
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dsdone.checks.personal_paths import (
    BINARY_SUFFIXES,
    DOC_SUFFIXES,
    _count_searched,
    _left_out,
    _may_be_left_out,
    personal_paths,
)
from dsdone.report import CheckResult, Finding, Status
from dsdone.repository import by_suffix_of
from dsdone.testing import run_check

MB = 1024 * 1024


def run(root: Path, **options: Any) -> CheckResult:
    return run_check(root, personal_paths, **options)


def located(result: CheckResult) -> list[tuple[str | None, int | None, int | None]]:
    return [(f.path, f.line, f.column) for f in result.findings]


def text_at(root: Path, finding: Finding) -> str:
    """The file's text from the finding's line and column on: where the finding points."""
    assert finding.path is not None and finding.line is not None and finding.column is not None
    line = (root / finding.path).read_text("utf-8").splitlines()[finding.line - 1]
    return line[finding.column - 1 :]


def write_notebook(cells: list[Any]) -> str:
    notebook = new_notebook()
    notebook.cells = cells
    return nbformat.writes(notebook)


def test_personal_path_in_a_script_fails_with_path_line_column_and_hint(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {"src/churn/load.py": "import pandas as pd\n\ndf = pd.read_csv('/Users/ana/data/x.csv')\n"}
    )

    result = run(root)

    assert result.status is Status.FAIL
    [finding] = result.findings
    assert finding.message == (
        "personal path '/Users/ana/data/x.csv': it is in the macOS home folder of 'ana'"
    )
    assert located(result) == [("src/churn/load.py", 3, 19)]
    assert "relative to the repository" in (finding.hint or "")
    assert "Path.home()" in (finding.hint or "")


def test_clean_project_passes_and_says_how_many_files_it_read(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": "from pathlib import Path\nDATA = Path('data')\n"})

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == "2 files searched"  # train.py and dsdone.yaml


@pytest.mark.parametrize(
    ("name", "content", "path"),
    [
        (
            "configs/train.yaml",
            "data:\n  path: /home/ana/churn/data.parquet\n",
            "/home/ana/churn/data.parquet",
        ),
        (
            "configs/model.json",
            '{\n  "out": "C:\\\\Users\\\\ana\\\\models"\n}\n',
            "C:\\\\Users\\\\ana\\\\models",
        ),
        ("pyproject.toml", "[tool.churn]\ndata = 'C:/Users/ana/data'\n", "C:/Users/ana/data"),
        (
            "scripts/run.sh",
            "#!/bin/sh\ncd /mnt/c/Users/ana/churn && make\n",
            "/mnt/c/Users/ana/churn",
        ),
        ("analysis/eda.R", 'df <- read.csv("/Users/ana/x.csv")\n', "/Users/ana/x.csv"),
        (
            "etl/job.py",
            "x = 1\nspark.read.load('/Workspace/Users/ana@corp.com/t')\n",
            "/Workspace/Users/ana@corp.com/t",
        ),
        ("colab.py", "\n\nopen('/content/drive/MyDrive/x.csv')\n", "/content/drive/MyDrive/x.csv"),
        ("win.py", "p = r'c:\\users\\ana\\x'\n", "c:\\users\\ana\\x"),
        ("notes.txt", "copied from file:///home/ana/x.csv\n", "file:///home/ana/x.csv"),
    ],
)
def test_personal_paths_are_found_in_every_kind_of_text_file(
    make_repo: MakeRepo, name: str, content: str, path: str
) -> None:
    root = make_repo({name: content})

    result = run(root)

    [finding] = result.findings
    assert finding.path == name
    assert f"'{path}'" in finding.message
    assert text_at(root, finding).startswith(path)


def test_requirements_file_entry_gets_a_dependency_hint(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"requirements.txt": "pandas==2.2\nfeatlib @ file:///Users/ana/w/featlib.whl\n"}
    )

    [finding] = run(root).findings

    assert (finding.path, finding.line, finding.column) == ("requirements.txt", 2, 11)
    assert "'file:///Users/ana/w/featlib.whl'" in finding.message
    assert "published version" in (finding.hint or "")


def test_conda_prefix_line_gets_a_hint_to_delete_it(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "environment.yml": (
                "name: churn\ndependencies:\n  - python=3.11\n"
                "prefix: /home/ana/miniconda3/envs/churn\n"
            )
        }
    )

    [finding] = run(root).findings

    assert (finding.line, finding.column) == (4, 9)
    assert "delete the prefix: line" in (finding.hint or "")


@pytest.mark.parametrize(
    "line",
    [
        "DATA = Path.home() / 'churn'",
        "CONFIG = os.path.expanduser('~/.config/churn/settings.toml')",
        "CACHE = os.environ['HOME'] + '/cache'  # $HOME and ${HOME} are fine",
        "HOMES = '/home/'",
        "URL = 'https://files.example.com/home/ana/data.csv'",
        "USER_DIR = re.compile(r'^/home/[^/]+/')",
        "TEMPLATE = f'/home/{user}/data'",
        "NOTEBOOKS = '/home/jovyan/work'",
        "CI = '/home/runner/work/churn'",
        "DEVCONTAINER = '/home/vscode/data'",
        "RELATIVE = 'fixtures/home/ana/x.csv'",
    ],
)
def test_near_misses_pass(make_repo: MakeRepo, line: str) -> None:
    root = make_repo({"settings.py": line + "\n"})

    assert run(root).status is Status.PASS


@pytest.mark.parametrize("in_git", [True, False], ids=["git grep", "outside git"])
def test_binary_files_are_skipped_by_gits_rule(make_repo: MakeRepo, in_git: bool) -> None:
    # git's rule, FIRST_FEW_BYTES: a NUL byte in the first 8,000 bytes. git grep -I applies it
    # in a work tree, dsdone's own reader outside one; both must draw the line at the same byte.
    path = b"'/home/ana/model'"
    root = make_repo(
        {
            "model.bin": b"\0" + path,
            "nul_at_7999.dat": b"x" * 7999 + b"\0\n" + path,  # the last byte git looks at
            "nul_at_8000.dat": b"x" * 8000 + b"\0\n" + path,  # the first it does not
        },
        git_init=in_git,
    )

    assert [(f.path, f.line) for f in run(root).findings] == [("nul_at_8000.dat", 2)]


def test_ignored_files_are_skipped_and_untracked_ones_are_not(make_repo: MakeRepo) -> None:
    root = make_repo({".gitignore": "scratch/\n"})
    (root / "scratch").mkdir()
    (root / "scratch" / "tmp.py").write_text("P = '/home/ana/x'\n")
    (root / "new.py").write_text("P = '/home/ana/y'\n")

    assert [f.path for f in run(root).findings] == ["new.py"]


def test_documentation_is_skipped_unless_asked(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "README.md": "On my laptop the data is in /Users/ana/data.\n",
            "docs/setup.rst": "Copy it to C:\\Users\\ana\\data\n",
        }
    )

    assert run(root).status is Status.PASS
    assert [f.path for f in run(root, include_docs=True).findings] == [
        "README.md",
        "docs/setup.rst",
    ]


def test_allow_users_adds_to_the_built_in_accounts(make_repo: MakeRepo) -> None:
    root = make_repo({"deploy.sh": "cp model.pkl /home/mlsvc/models\ncp x /home/jovyan/x\n"})

    assert run(root).status is Status.FAIL
    assert run(root, allow_users=["mlsvc"]).status is Status.PASS


# Where real repositories put these paths: Dockerfiles, CI workflows, cloud setup scripts and
# notebooks run on hosted platforms, and the fixtures of their tests.
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup_ec2.sh", "scp model.pkl ubuntu@host:/home/ubuntu/models/\n"),
        ("train_sm.py", "ROOT = '/home/ec2-user/SageMaker/churn'\n"),
        ("studio.py", "open('/home/sagemaker-user/data/train.csv')\n"),
        ("dags/etl.py", "SQL = '/home/airflow/gcs/dags/sql/load.sql'\n"),
        ("Jenkinsfile", "sh 'cp -r out /home/jenkins/workspace/churn'\n"),
        ("Dockerfile", "FROM node:20\nWORKDIR /home/node/app\n"),
        ("docker/Dockerfile", "RUN useradd appuser\nWORKDIR /home/appuser/src\n"),
        (".gitlab-ci.yml", "script:\n  - cd /home/gitlab-runner/builds/x\n"),
        ("azure.py", "mount = '/home/azureuser/cloudfiles/code'\n"),
        ("vertex.py", "DATA = '/home/jupyter/data.csv'\n"),
        ("Vagrantfile", "config.vm.synced_folder '.', '/home/vagrant/app'\n"),
        ("oci.sh", "cd /home/opc/model && python serve.py\n"),
        ("centos.sh", "cp x /home/centos/x\n"),
        ("rpi.py", "LOG = '/home/pi/logs/sensor.log'\n"),
        ("ci.yml", "path: /home/runner/work/churn/churn\n"),
        ("azure-pipelines.yml", "workingDirectory: /home/vsts/work/1/s\n"),
        ("tests/test_io.py", "assert expand('~') == '/home/me'\n"),
        ("tests/test_paths.py", "p = '/home/foo/bar.txt'\n"),
        ("tests/test_cfg.py", "HOME = '/home/user'\n"),
        ("tests/test_win.py", "p = r'C:\\Users\\test\\AppData\\x'\n"),
        ("tests/test_mac.py", "p = '/Users/example/data.csv'\n"),
        ("docs_example.py", "p = 'C:/Users/Public/Documents/x.csv'\n"),
    ],
)
def test_service_and_placeholder_accounts_are_not_persons(
    make_repo: MakeRepo, name: str, content: str
) -> None:
    root = make_repo({name: content})

    assert run(root).findings == ()


# A standard folder of a home where the user name goes: the path lost its user (an anonymised
# fixture, a mock), so it names no one.
@pytest.mark.parametrize(
    "content",
    [
        '{"filepath": "/Users/Documents/project-src/test/data/01_raw/iris.csv"}\n',
        "p = '/Users/Desktop/report.pdf'\n",
        "p = '/Users/Downloads/x.csv'\n",
        "p = '/Users/Library/Caches/x'\n",
        "p = r'C:\\Users\\Documents\\x.csv'\n",
    ],
)
def test_a_standard_folder_in_the_place_of_the_user_is_no_person(
    make_repo: MakeRepo, content: str
) -> None:
    root = make_repo({"mock.json": content})

    assert run(root).findings == ()


def test_a_standard_folder_under_a_user_is_still_that_users(make_repo: MakeRepo) -> None:
    root = make_repo({"load.py": "DATA = '/Users/ana/Documents/x.csv'\n"})

    assert [f.message for f in run(root).findings] == [
        "personal path '/Users/ana/Documents/x.csv': it is in the macOS home folder of 'ana'"
    ]


@pytest.mark.parametrize(
    ("content", "user"),
    [
        ("DATA = '/home/alice/churn/data.csv'\n", "alice"),
        ("DATA = '/Users/jdoe/Downloads/x.csv'\n", "jdoe"),
        ("DATA = r'C:\\Users\\rsmith\\Desktop\\x.csv'\n", "rsmith"),
        ("DATA = '/home/ubuntu2/x.csv'\n", "ubuntu2"),  # not the image's account
        ("DATA = '/home/node-ana/x.csv'\n", "node-ana"),
        ("DATA = '/home/testuser1/x.csv'\n", "testuser1"),
        ("DATA = '/Users/admin.ana/x.csv'\n", "admin.ana"),
    ],
)
def test_a_name_close_to_a_service_account_is_still_a_person(
    make_repo: MakeRepo, content: str, user: str
) -> None:
    root = make_repo({"load.py": content})

    [finding] = run(root).findings
    assert f"'{user}'" in finding.message


def test_excluded_paths_are_not_reported(make_repo: MakeRepo) -> None:
    contract = MINIMAL_CONTRACT + "checks:\n  personal-paths:\n    exclude: ['legacy/**']\n"
    root = make_repo(
        {"legacy/old.py": "P = '/home/ana/x'\n", "new.py": "P = '/home/bob/x'\n"},
        contract=contract,
    )

    result = run(root)

    assert [f.path for f in result.findings] == ["new.py"]
    assert result.summary == "1 finding; 2 files searched"  # new.py and dsdone.yaml


def test_non_utf8_files_are_scanned_not_crashed_on(make_repo: MakeRepo) -> None:
    root = make_repo({"legacy.sas": "* caf\xe9 ;\nlibname x '/home/ana/sas';\n".encode("latin-1")})

    result = run(root)

    assert located(result) == [("legacy.sas", 2, 12)]


def test_windows_line_endings_keep_lines_and_columns_right(make_repo: MakeRepo) -> None:
    root = make_repo({"run.bat": b"@echo off\r\ncd C:\\Users\\ana\\churn\r\n"})

    assert located(run(root)) == [("run.bat", 2, 4)]


def test_only_the_first_max_file_mb_of_a_long_file_is_scanned(make_repo: MakeRepo) -> None:
    early = "a = '/home/ana/early'\n"
    filler = "# " + "x" * 98 + "\n"
    root = make_repo({"big.py": early + filler * 20_000 + "b = '/home/ana/late'\n"})  # 2 MB

    result = run(root, max_file_mb=1.0)

    assert [f.message for f in result.findings] == [
        "personal path '/home/ana/early': it is in the Linux home folder of 'ana'"
    ]
    assert "only the first 1 MB of 1 read: big.py" in result.summary
    assert len(run(root, max_file_mb=3.0).findings) == 2


@pytest.mark.parametrize("git_init", [True, False], ids=["git-grep", "python-scan"])
def test_inside_and_outside_git_the_same_paths_are_found(
    make_repo: MakeRepo, git_init: bool
) -> None:
    files = {
        "a.py": "A = '/home/ana/a'\n",
        "b.yaml": "b: C:\\Users\\ana\\b\n",
        "c.py": "C = 'https://host/home/ana/c'\n",  # a needle, but not a personal path
        "d.py": "D = 'data/d'\n",
        "e.bin": b"\0/home/ana/e",
        "docs/f.md": "/home/ana/f\n",
        "scratch/g.py": "G = '/home/ana/g'\n",
        ".gitignore": "scratch/\n",
    }
    root = make_repo(files, git_init=git_init)

    result = run(root)

    assert located(result) == [("a.py", 1, 6), ("b.yaml", 1, 4)]
    # dsdone.yaml, .gitignore and a to e (e.bin is searched and found binary); not the
    # documentation nor the ignored file.
    assert result.summary == "2 findings; 7 files searched"


def test_project_in_a_subfolder_of_a_repository_is_searched_alone(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "churn/dsdone.yaml": MINIMAL_CONTRACT,
            "churn/src/train.py": "OUT = '/Users/ana/out'\n",
            "fraud/train.py": "OUT = '/Users/bob/out'\n",
        },
        contract=None,
    )

    assert located(run(root / "churn")) == [("src/train.py", 1, 8)]


# -- notebooks ---------------------------------------------------------------------------------


def test_notebook_code_cell_is_located_by_file_line_cell_and_cell_line(make_repo: MakeRepo) -> None:
    notebook = write_notebook(
        [
            new_markdown_cell("# Churn"),
            new_code_cell("import pandas as pd"),
            new_code_cell("x = 1\ndf = pd.read_csv('/Users/ana/data/train.csv')\n"),
        ]
    )
    root = make_repo({"notebooks/eda.ipynb": notebook})

    [finding] = run(root).findings

    assert (finding.path, finding.cell, finding.cell_line) == ("notebooks/eda.ipynb", 2, 2)
    assert text_at(root, finding).startswith("/Users/ana/data/train.csv')\\n\"")
    assert finding.message == (
        "personal path '/Users/ana/data/train.csv': it is in the macOS home folder of 'ana'"
    )


def test_notebook_findings_in_several_cells_each_name_their_cell(make_repo: MakeRepo) -> None:
    printed = new_output("stream", name="stdout", text="saved to /home/bob/out.csv\n")
    notebook = write_notebook(
        [
            new_code_cell("a = '/home/ana/a'"),
            new_code_cell("b = 2\nprint('done')", outputs=[printed]),
            new_markdown_cell("text"),
            new_code_cell("c = 3\n\nd = 'C:/Users/carl/d'\n"),
        ]
    )
    root = make_repo({"nb.ipynb": notebook})

    findings = run(root).findings

    assert [(f.cell, f.cell_line) for f in findings] == [(0, 1), (1, None), (3, 3)]
    assert [text_at(root, f)[:15] for f in findings] == [
        "/home/ana/a'\"",
        "/home/bob/out.c",
        "C:/Users/carl/d",
    ]


def test_notebook_windows_path_is_shown_as_written_in_the_cell(make_repo: MakeRepo) -> None:
    source = "p = 'C:\\\\Users\\\\ana\\\\data'"  # in the cell: p = 'C:\\Users\\ana\\data'
    root = make_repo({"nb.ipynb": write_notebook([new_code_cell(source)])})

    [finding] = run(root).findings

    assert "'C:\\\\Users\\\\ana\\\\data'" in finding.message
    assert (finding.cell, finding.cell_line) == (0, 1)
    # In the .ipynb file each backslash is escaped once more, by JSON.
    assert text_at(root, finding).startswith("C:\\\\\\\\Users")


def test_notebook_source_stored_as_one_string_is_located(make_repo: MakeRepo) -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": "import os\nos.chdir('/home/ana/proj')\n",
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    root = make_repo({"one.ipynb": json.dumps(notebook, indent=1)})

    [finding] = run(root).findings

    assert (finding.cell, finding.cell_line) == (0, 2)
    assert text_at(root, finding).startswith("/home/ana/proj')\\n")


def test_notebook_output_is_a_finding_with_a_hint_to_clear_outputs(make_repo: MakeRepo) -> None:
    traceback = ['  File "/Users/ana/churn/features.py", line 12, in build']
    cell = new_code_cell(
        "build()",
        outputs=[new_output("error", ename="KeyError", evalue="'x'", traceback=traceback)],
    )
    root = make_repo({"nb.ipynb": write_notebook([cell])})

    [finding] = run(root).findings

    assert finding.message == (
        "personal path '/Users/ana/churn/features.py' in the saved output of cell 0: "
        "it is in the macOS home folder of 'ana'"
    )
    assert (finding.cell, finding.cell_line) == (0, None)
    assert text_at(root, finding).startswith("/Users/ana/churn/features.py")
    assert "--clear-output" in (finding.hint or "")


def test_notebook_markdown_cells_are_documentation(make_repo: MakeRepo) -> None:
    notebook = write_notebook([new_markdown_cell("Data: /Users/ana/data"), new_code_cell("1")])
    root = make_repo({"nb.ipynb": notebook})

    assert run(root).status is Status.PASS
    [finding] = run(root, include_docs=True).findings
    assert (finding.cell, finding.cell_line) == (0, 1)


def test_a_version_3_notebook_is_read_through_nbformat(make_repo: MakeRepo) -> None:
    # Code cells of version 3 keep their text under "input", not "source": the path is found
    # at its line in the file, without a cell number.
    from nbformat import v3

    cells = [v3.new_code_cell(input="x = 1"), v3.new_code_cell(input="df = load('/Users/ana/d')")]
    notebook = v3.new_notebook(worksheets=[v3.new_worksheet(cells=cells)])
    root = make_repo({"old.ipynb": nbformat.writes(notebook, version=3)})

    [finding] = run(root).findings

    assert (finding.path, finding.cell) == ("old.ipynb", None)
    assert text_at(root, finding).startswith("/Users/ana/d")


@pytest.mark.parametrize(
    "content",
    [
        '{"cells": [\n  "/home/ana/x"\n',  # not JSON
        '{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [\n  "/home/ana/x"]}',
        '{"nbformat": 9, "cells": [{"cell_type": "code",\n  "source": "/home/ana/x"}]}',
    ],
    ids=["truncated", "cell-not-an-object", "unknown-version"],
)
def test_invalid_notebook_is_still_scanned_as_text(make_repo: MakeRepo, content: str) -> None:
    root = make_repo({"broken.ipynb": content})

    [finding] = run(root).findings

    assert (finding.path, finding.line, finding.cell) == ("broken.ipynb", 2, None)
    assert text_at(root, finding).startswith("/home/ana/x")


# -- through the command line ------------------------------------------------------------------


def test_cli_reports_the_finding_in_json_and_exits_1(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"train.py": "OUT = '/home/ana/models'\n"})

    result = run_cli("check", "--select", "personal-paths", "--format", "json", cwd=root)

    assert result.exit_code == 1
    [check] = json.loads(result.stdout)["results"]
    assert check["status"] == "fail"
    assert [(f["path"], f["line"], f["column"]) for f in check["findings"]] == [("train.py", 1, 8)]


def test_explain_shows_why_and_the_options(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("explain", "personal-paths", cwd=tmp_path)

    assert result.exit_code == 0
    assert "/Users/ana/data/train.csv works on Ana's laptop" in " ".join(result.stdout.split())
    for name in ("allow_users", "include_docs", "max_file_mb"):
        assert name in result.stdout


def test_committed_history_does_not_matter_only_the_files(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": "OUT = '/home/ana/models'\n"})
    (root / "train.py").write_text("OUT = 'models'\n")
    git(root, "commit", "-q", "-am", "relative path")

    assert run(root).status is Status.PASS


# -- which files are searched ---------------------------------------------------------------


def _reference_left_out(relative: str, include_docs: bool) -> bool:
    """The rule, spelled out: the suffix after the name's last dot, unless the name starts
    with that dot, decides."""
    name = relative.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot > 0 else ""
    return suffix in BINARY_SUFFIXES or (not include_docs and suffix in DOC_SUFFIXES)


@given(
    folders=st.lists(st.sampled_from(["a", ".git", "x.png", "docs"]), max_size=2),
    stem=st.sampled_from(["", ".", "..", "model", "a.b", ".hidden", "README"]),
    suffix=st.sampled_from(["", ".png", ".PNG", ".md", ".Md", ".py", ".tar.gz", ".gz.txt", "."]),
    include_docs=st.booleans(),
)
def test_which_files_are_left_out_by_name(
    folders: list[str], stem: str, suffix: str, include_docs: bool
) -> None:
    relative = "/".join([*folders, stem + suffix]) or "x"

    left_out = bool(_left_out(include_docs).search(relative))
    # Counted over many names joined a line each, as the check counts what it searched.
    counted = _count_searched([relative, "x.py", relative], _left_out(include_docs))
    # And as it counts them in a project: only over the names whose suffix may be left out.
    maybe = _may_be_left_out(by_suffix_of([relative, "x.py", relative]))
    counted_by_suffix = 3 - len(maybe) + _count_searched(maybe, _left_out(include_docs))

    assert left_out is _reference_left_out(relative, include_docs)
    assert counted == 1 + 2 * (not left_out)
    assert counted_by_suffix == counted


def console(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """``dsdone check ARGS --format json`` by the console script, in ``root``: exit code and
    the JSON report (read from the ``-o`` file when there is one)."""
    completed = subprocess.run(
        [sys.executable, "-m", "dsdone", "check", *args, "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    if "-o" in args:
        written = root / args[args.index("-o") + 1]
        return completed.returncode, json.loads(written.read_text("utf-8"))
    return completed.returncode, json.loads(completed.stdout)


def finding_paths(report: dict[str, Any], check: str) -> list[str]:
    (result,) = [r for r in report["results"] if r["check"] == check]
    return [finding["path"] for finding in result["findings"]]


def test_a_committed_baseline_is_not_scanned_its_paths_are_copies_of_findings(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({"load.py": "df = read_csv('/Users/ana/data/x.csv')\n"})
    code, _ = console(
        root, "--select", "personal-paths", "--write-baseline", "dsdone-baseline.json"
    )
    assert code == 1
    git(root, "add", "dsdone-baseline.json")
    git(root, "commit", "-qm", "baseline")

    code, report = console(root, "--select", "personal-paths", "--baseline", "dsdone-baseline.json")

    assert code == 0  # the finding in load.py is known; the baseline itself is no new one
    assert finding_paths(report, "personal-paths") == ["load.py"]


def test_the_report_a_run_writes_is_not_scanned_by_the_next_run(make_repo: MakeRepo) -> None:
    root = make_repo({"load.py": "df = read_csv('/Users/ana/data/x.csv')\n"})
    console(root, "--select", "personal-paths", "-o", "dsdone-report.json")

    code, report = console(root, "--select", "personal-paths", "-o", "dsdone-report.json")

    assert code == 1
    assert finding_paths(report, "personal-paths") == ["load.py"]


def test_secrets_are_still_looked_for_in_the_report_files(make_repo: MakeRepo) -> None:
    token = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
    stale = json.dumps({"note": f"/Users/ana/x.csv {token}"}) + "\n"
    root = make_repo({"report.json": stale, "train.py": "x = 1\n"})

    _, report = console(root, "--select", "personal-paths,secrets", "-o", "report.json")

    assert finding_paths(report, "personal-paths") == []
    assert finding_paths(report, "secrets") == ["report.json"]


# -- the same path twice on one line ---------------------------------------------------------


def test_one_line_holding_the_same_path_twice_is_one_finding(make_repo: MakeRepo) -> None:
    # As in kedro-viz's cypress fixtures: a traceback saved on one JSON line names the same
    # file in two frames.
    frame = '  File \\"/Users/ana/env/lib/pandas/io/readers.py\\", line 912'
    line = '{"error": "Traceback:\\n' + frame + "\\n" + frame + '\\n"}'
    root = make_repo({"fixtures/run_status.json": "{\n" + line + "\n}\n"})

    findings = run(root).findings

    assert [(f.path, f.line, f.column) for f in findings] == [
        ("fixtures/run_status.json", 2, line.index("/Users/ana") + 1)
    ]
    assert "'/Users/ana/env/lib/pandas/io/readers.py'" in findings[0].message


def test_one_line_holding_two_paths_and_two_lines_holding_one_stay_apart(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            "copy.sh": "cp /Users/ana/a.csv /Users/ana/b.csv\ncp /Users/ana/a.csv x\n",
            "run.json": '{"a": "/Users/ana/a.csv", "b": "/Users/ana/a.csv"}\n',
        }
    )

    assert located(run(root)) == [
        ("copy.sh", 1, 4),
        ("copy.sh", 1, 21),
        ("copy.sh", 2, 4),
        ("run.json", 1, 8),
    ]


def test_a_notebook_cell_line_holding_the_same_path_twice_is_one_finding(
    make_repo: MakeRepo,
) -> None:
    code = "a, b = load('/home/ana/x.csv'), load('/home/ana/x.csv')\nc = load('/home/ana/y.csv')"
    root = make_repo({"nb.ipynb": write_notebook([new_code_cell(code)])})

    findings = run(root).findings

    assert [(f.cell, f.cell_line, f.message.split("'")[1]) for f in findings] == [
        (0, 1, "/home/ana/x.csv"),
        (0, 2, "/home/ana/y.csv"),
    ]


# -- the accounts of the repository's own containers -----------------------------------------

# kedro-plugins' kedro-docker template (Dockerfile.simple:15-18) and its plugin.
KEDRO_DOCKERFILE = """\
FROM python:3.10-slim
ARG KEDRO_UID=999
ARG KEDRO_GID=0
RUN groupadd -f -g ${KEDRO_GID} kedro_group && \\
    useradd -m -d /home/kedro_docker -s /bin/bash -g ${KEDRO_GID} -u ${KEDRO_UID} kedro_docker

WORKDIR /home/kedro_docker
USER kedro_docker
"""
# BentoML's Dockerfile templates (base.j2:37-40), with the account in a build argument.
BENTO_TEMPLATE = """\
{% block SETUP_BENTO_USER %}
ARG BENTO_USER=bentoml
ARG BENTO_USER_UID=1034
RUN groupadd -g $BENTO_USER_UID -o $BENTO_USER && useradd -m -u $BENTO_USER_UID -o -r $BENTO_USER
{% endblock %}
"""
# handson-ml2's docker/: the compose file's build argument names the user the Dockerfile adds.
HANDSON_COMPOSE = """\
services:
  handson-ml2:
    build:
      context: ../
      dockerfile: ./docker/Dockerfile
      args:
        - username=devel
        - userid=1000
    volumes:
      - ../:/home/devel/handson-ml2
"""
HANDSON_DOCKERFILE = """\
FROM continuumio/miniconda3:latest
ARG username
ARG userid
ARG home=/home/${username}
ARG workdir=${home}/handson-ml2
RUN adduser ${username} --uid ${userid} --gecos '' --disabled-password && \\
    echo "${username} ALL=(root) NOPASSWD:ALL" > /etc/sudoers.d/${username}
WORKDIR ${workdir}
USER ${username}
"""


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {
                "kedro_docker/template/Dockerfile.simple": KEDRO_DOCKERFILE,
                "kedro_docker/plugin.py": 'info = {"root": "/home/kedro_docker"}\n',
            },
            id="useradd -m -d in a Dockerfile.NAME",
        ),
        pytest.param(
            {
                "container/dockerfile/templates/base.j2": BENTO_TEMPLATE,
                "testing/server.py": 'cmd.extend(["-v", f"{cfg}:/home/bentoml/config.yml"])\n',
            },
            id="ARG USER=NAME in a Jinja template of a Dockerfile",
        ),
        pytest.param(
            {
                "docker/docker-compose.yml": HANDSON_COMPOSE,
                "docker/Dockerfile": HANDSON_DOCKERFILE,
                "docker/README.txt": "Your work is in /home/devel/handson-ml2\n",
            },
            id="compose build argument feeding adduser ${username}",
        ),
        pytest.param(
            {
                "api/Dockerfile": "FROM python:3.9-slim\n"
                "RUN addgroup --system svc && adduser --system --ingroup svc svc && \\\n"
                "    mkdir -p /home/svc && chown -R svc:svc /home/svc\n"
                "ENV HOME=/home/svc\n"
            },
            id="adduser --system --ingroup",
        ),
        pytest.param(
            {
                "Dockerfile.alpine": "FROM alpine\nRUN adduser -D -h /home/worker worker\n",
                "run.sh": "cp model.pkl /home/worker/models/\n",
            },
            id="BusyBox adduser -D -h",
        ),
        pytest.param(
            {
                "compose.yaml": "services:\n  train:\n    volumes:\n"
                '      - "./conf:/home/mlsvc/conf:ro"\n',
                "train.py": "CONF = '/home/mlsvc/conf/train.yaml'\n",
            },
            id="target of a compose volume",
        ),
        pytest.param(
            {
                "deploy/docker-compose.prod.yml": "services:\n  api:\n    user: serving\n",
                "serve.py": "MODEL = '/home/serving/model.pkl'\n",
            },
            id="compose user:",
        ),
        pytest.param(
            {
                "dev.Dockerfile": "FROM python\nENV NB_USER=analyst\nWORKDIR /srv\n",
                "nb.py": "WORK = '/home/analyst/work'\n",
            },
            id="ENV NB_USER in NAME.Dockerfile",
        ),
        pytest.param(
            {
                "kedro_docker/helpers.py": "def mount(container_root: str):\n"
                '    """container_root: project root in the container (e.g. `/home/kedro`)."""\n',
                "tests/test_helpers.py": 'kwargs = {"container_root": "/home/kedro/project"}\n',
            },
            id="the line says the path is in a container",
        ),
        pytest.param(
            {
                "kedro_docker/helpers.py": "def run(container_root: str):\n"
                '    """Args:\n'
                "        container_root: Path to project root in the container\n"
                "            (e.g., `/home/kedro/<repo_name>`). It must be given.\n"
                '    """\n',
            },
            id="the sentence that says container began on the line before",
        ),
        pytest.param(
            {
                "run.ipynb": nbformat.writes(
                    new_notebook(
                        cells=[
                            new_code_cell(
                                "# mount the data inside the docker container,\n"
                                "# at /home/worker/data\n"
                            )
                        ]
                    )
                ),
            },
            id="the same in a notebook's cell",
        ),
    ],
)
def test_the_home_of_a_container_account_the_repository_creates_is_not_personal(
    make_repo: MakeRepo, files: dict[str, str]
) -> None:
    root = make_repo(files)

    result = run(root)

    assert result.findings == ()


def test_the_summary_names_the_container_accounts_it_left_out(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "kedro_docker/template/Dockerfile.simple": KEDRO_DOCKERFILE,
            "kedro_docker/plugin.py": 'info = {"root": "/home/kedro_docker"}\n',
        }
    )

    result = run(root)

    assert result.status is Status.PASS
    assert "container accounts are not personal: kedro_docker" in result.summary


@pytest.mark.parametrize(
    ("files", "found"),
    [
        pytest.param(
            {"Dockerfile": "FROM python\nRUN useradd -m bob\nCOPY /Users/alice/data /data\n"},
            [("Dockerfile", 3, "/Users/alice/data")],
            id="a Dockerfile that copies from a laptop",
        ),
        pytest.param(
            {
                "Dockerfile": "FROM python\nRUN useradd -m bob\nUSER bob\n",
                "load.py": "DATA = '/home/alice/data.csv'\n",
            },
            [("load.py", 1, "/home/alice/data.csv")],
            id="the Dockerfile creates someone else",
        ),
        pytest.param(
            {
                "docker-compose.yml": "services:\n  nb:\n    volumes:\n"
                "      - /home/alice/data:/home/alice/data\n"
            },
            [("docker-compose.yml", 4, "/home/alice/data:/home/alice/data")],
            id="a person's folder mounted where it is",
        ),
        pytest.param(
            {
                "Dockerfile": 'FROM python\nRUN useradd -m -c "alice" -u 1000 svc\n'
                "ARG USER_UID=1000\n",
                "load.py": "DATA = '/home/alice/data.csv'\n",
            },
            [("load.py", 1, "/home/alice/data.csv")],
            id="a comment of useradd is no account",
        ),
        pytest.param(
            {
                "Dockerfile": "FROM python\nRUN useradd -m svc\n",
                "docs/Dockerfile.md": "RUN useradd alice\n",
                "load.py": "DATA = '/home/alice/data.csv'\n",
            },
            [("load.py", 1, "/home/alice/data.csv")],
            id="documentation about Dockerfiles is no Dockerfile",
        ),
        pytest.param(
            {
                "load.py": "container = load('/Users/alice/x.pkl')\n"
                "box = '/home/alice/in_container'\n"
            },
            [("load.py", 1, "/Users/alice/x.pkl"), ("load.py", 2, "/home/alice/in_container")],
            id="the word container is not a container path",
        ),
        pytest.param(
            {
                "load.py": "# runs inside the container\n"
                "DATA = '/home/alice/data.csv'\n"
                "CONTAINER_ROOT = '/srv'\n"
                "open('/home/alice/x.csv')\n"
                "# the container is built elsewhere.\n"
                "# /home/alice/y.csv holds the labels\n"
            },
            [
                ("load.py", 2, "/home/alice/data.csv"),
                ("load.py", 4, "/home/alice/x.csv"),
                ("load.py", 6, "/home/alice/y.csv"),
            ],
            id="a container named on the line before a new statement or sentence",
        ),
    ],
)
def test_a_person_near_a_container_account_is_still_found(
    make_repo: MakeRepo, files: dict[str, str], found: list[tuple[str, int, str]]
) -> None:
    root = make_repo(files)

    result = run(root)

    assert [(f.path, f.line, f.message.split("'")[1]) for f in result.findings] == found


# -- what was found in unchanged files, kept between runs ------------------------------------


def checked(run_cli: RunCli, root: Path, *extra: str) -> dict[str, Any]:
    result = run_cli("check", str(root), "--select", "personal-paths", "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.stderr
    (outcome,) = json.loads(result.stdout)["results"]
    outcome.pop("duration_ms")
    return dict(outcome)


def path_findings(run_cli: RunCli, root: Path, *extra: str) -> list[tuple[str, int]]:
    return [(f["path"], f["line"]) for f in checked(run_cli, root, *extra)["findings"]]


def with_options(root: Path, options: str) -> None:
    contract = root / "dsdone.yaml"
    contract.write_text(MINIMAL_CONTRACT + f"checks:\n  personal-paths: {options}\n")
    git(root, "commit", "-qam", "options")


CACHED_FILES = {
    "src/paths.py": 'DATA = "/Users/alice/churn/train.csv"\nDOCS = "https://x.org/home/bob"\n',
    "conf/run.yaml": "output: /home/mlsvc/runs\n",
    "notebooks/eda.ipynb": nbformat.writes(
        new_notebook(cells=[new_code_cell("df = load('/home/carol/data.csv')")])
    ),
}


def test_a_second_run_reports_the_same_personal_paths_as_the_first(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(CACHED_FILES)

    first = checked(run_cli, root)

    paths = [finding["path"] for finding in first["findings"]]
    assert paths == ["conf/run.yaml", "notebooks/eda.ipynb", "src/paths.py"]
    assert first["findings"][1]["cell"] == 0
    assert checked(run_cli, root) == first == checked(run_cli, root, "--no-cache")


def test_a_long_file_read_in_part_is_said_again_from_the_cache(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    early = "a = '/home/ana/early'\n"
    filler = "# " + "x" * 98 + "\n"
    root = make_repo({"big.py": early + filler * 20_000 + "b = '/home/ana/late'\n"})  # 2 MB
    with_options(root, "{max_file_mb: 1}")

    first = checked(run_cli, root)

    assert [f["line"] for f in first["findings"]] == [1]
    assert "only the first 1 MB of 1 read: big.py" in first["summary"]
    assert checked(run_cli, root) == first


def test_options_changed_between_runs_are_applied_to_unchanged_files(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(CACHED_FILES)
    assert ("conf/run.yaml", 1) in path_findings(run_cli, root)
    with_options(root, "{allow_users: [mlsvc]}")

    assert ("conf/run.yaml", 1) not in path_findings(run_cli, root)


def test_a_file_changed_by_a_commit_is_scanned_again(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(CACHED_FILES)
    path_findings(run_cli, root)
    (root / "src/paths.py").write_text('DATA = "data/train.csv"\nDOCS = "/Users/dave/docs"\n')
    git(root, "commit", "-qam", "relative data path")

    found = path_findings(run_cli, root)

    assert ("src/paths.py", 1) not in found
    assert ("src/paths.py", 2) in found
