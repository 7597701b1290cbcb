"""Static resolution of code references: modules, objects in modules and files, console scripts
and DVC stages, in real repositories, never importing the project's code."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MakeRepo

from dsdone.analysis.code_refs import (
    Located,
    Unresolved,
    console_scripts,
    dvc_stages,
    find_module,
    resolve,
)
from dsdone.contract import load_contract
from dsdone.project import Project

TRAIN = """\
import os
from demo.cli import main as entry

BATCH = 32
LIMIT: int = 10
first, second = 1, 2


def fit():
    return 1


async def fit_async():
    return 2


class Trainer:
    def run(self):
        return 3


if os.environ.get("FAST"):
    def fast():
        return 4

try:
    from fastjson import loads
except ImportError:
    from json import loads


def _outer():
    def inner():
        return 5
"""


def project_of(root: Path) -> Project:
    return Project(root, load_contract(root))


@pytest.fixture
def project(make_repo: MakeRepo) -> Project:
    return project_of(
        make_repo(
            {
                "src/demo/__init__.py": "",
                "src/demo/train.py": TRAIN,
                "src/demo/cli/__init__.py": "def main():\n    pass\n",
                "src/demo/serve/__main__.py": "print('serve')\n",
                "src/demo/pkgonly/__init__.py": "",
                "scripts/prepare.py": "def run():\n    pass\n",
                "scripts/fetch.sh": "echo fetch\n",
                "flat/__init__.py": "",
                "flat/loader.py": "def load():\n    pass\n",
                "broken.py": "def oops(:\n",
            }
        )
    )


@pytest.mark.parametrize(
    ("reference", "path", "line"),
    [
        ("demo.train", "src/demo/train.py", None),
        ("demo", "src/demo/__init__.py", None),
        ("flat.loader", "flat/loader.py", None),
        ("demo.train:fit", "src/demo/train.py", 9),
        ("demo.train:fit_async", "src/demo/train.py", 13),
        ("demo.train:Trainer", "src/demo/train.py", 17),
        ("demo.train:Trainer.run", "src/demo/train.py", 18),
        ("demo.train:BATCH", "src/demo/train.py", 4),
        ("demo.train:LIMIT", "src/demo/train.py", 5),
        ("demo.train:second", "src/demo/train.py", 6),
        ("demo.train:entry", "src/demo/train.py", 2),  # re-exported by an import
        ("demo.train:fast", "src/demo/train.py", 23),  # defined under a top-level if
        ("demo.train:loads", "src/demo/train.py", 27),  # bound in a top-level try
        ("demo.cli:main", "src/demo/cli/__init__.py", 1),
        ("flat.loader:load", "flat/loader.py", 1),
        ("scripts/prepare.py", "scripts/prepare.py", None),
        ("./scripts/prepare.py", "scripts/prepare.py", None),
        ("scripts/prepare.py:run", "scripts/prepare.py", 1),
        ("scripts/fetch.sh", "scripts/fetch.sh", None),
        ("scripts/", "scripts", None),  # a folder of committed code
    ],
)
def test_references_resolve_to_file_and_line(
    project: Project, reference: str, path: str, line: int | None
) -> None:
    assert resolve(project, reference) == Located(path, line)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("demo.trian", "module 'demo.trian' is not in the repository (looked for "
         "src/demo/trian.py, src/demo/trian/__init__.py, demo/trian.py, demo/trian/__init__.py)"),
        ("demo.train:fitt", "'fitt' is not defined at the top level of src/demo/train.py"),
        ("demo.train:inner", "'inner' is not defined at the top level of src/demo/train.py"),
        ("demo.train:Trainer.stop",
         "'stop' is not defined at the top level of class Trainer in src/demo/train.py"),
        ("demo.train:", "'demo.train:' names no object after the ':'"),
        ("demo.train:1x", "'1x' is not a Python name"),
        ("scripts/prepare.py:go", "'go' is not defined at the top level of scripts/prepare.py"),
        ("scripts/missing.py", "scripts/missing.py does not exist"),
        ("scripts/fetch.sh:run", "scripts/fetch.sh is not a Python file, so it has no 'run'"),
        ("../outside.py", "../outside.py points outside the project folder"),
        ("/etc/passwd.py", "/etc/passwd.py points outside the project folder"),
        ("demo-train", "'demo-train' is neither a file of the repository nor a Python module name"),
        ("broken.py:oops", "broken.py is not valid Python: invalid syntax"),
        ("", "the code reference is empty"),
    ],
)  # fmt: skip
def test_near_misses_say_why_they_do_not_resolve(
    project: Project, reference: str, message: str
) -> None:
    found = resolve(project, reference)
    assert isinstance(found, Unresolved)
    assert found.message == message


def test_a_syntax_error_is_located_in_the_file(project: Project) -> None:
    found = resolve(project, "broken.py:oops")
    assert found == Unresolved("broken.py is not valid Python: invalid syntax", "broken.py", 1)


def test_a_file_git_ignores_does_not_count(make_repo: MakeRepo) -> None:
    root = make_repo({".gitignore": "local/\n", "local/train.py": "def main():\n    pass\n"})
    found = resolve(project_of(root), "local/train.py:main")
    assert found == Unresolved(
        "local/train.py is ignored by git, so a fresh clone does not have it"
    )


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("demo.serve", Located("src/demo/serve/__main__.py")),
        ("demo.train", Located("src/demo/train.py")),
        (
            "demo.pkgonly",
            Unresolved(
                "'demo.pkgonly' is a package (src/demo/pkgonly/__init__.py) without a "
                "__main__.py, so `python -m demo.pkgonly` cannot run it"
            ),
        ),
    ],
)
def test_python_dash_m_needs_a_module_or_a_package_main(
    project: Project, module: str, expected: Located | Unresolved
) -> None:
    assert find_module(project, module, package_main=True) == expected


def test_a_namespace_package_resolves_to_its_folder(make_repo: MakeRepo) -> None:
    project = project_of(make_repo({"src/demo/ingest.py": "def load():\n    pass\n"}))
    assert resolve(project, "demo") == Located("src/demo")
    assert resolve(project, "demo.ingest:load") == Located("src/demo/ingest.py", 1)
    assert resolve(project, "demo:load") == Unresolved(
        "src/demo is not a Python file, so it has no 'load'"
    )


def test_the_src_layout_wins_over_the_flat_layout(make_repo: MakeRepo) -> None:
    root = make_repo({"src/demo/train.py": "", "demo/train.py": ""})
    assert resolve(project_of(root), "demo.train") == Located("src/demo/train.py")


def test_console_scripts_come_from_project_and_poetry_tables(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "pyproject.toml": """\
            [project]
            name = "demo"
            [project.scripts]
            demo-train = "demo.train:fit"
            [tool.poetry.scripts]
            demo-serve = "demo.serve:main"
            """
        }
    )
    assert console_scripts(project_of(root)) == {
        "demo-train": "demo.train:fit",
        "demo-serve": "demo.serve:main",
    }


@pytest.mark.parametrize(
    "pyproject",
    [None, "[project\nname = 'broken'\n", "[project]\nname = 'demo'\n"],
    ids=["no-pyproject", "invalid-toml", "no-scripts"],
)
def test_no_console_scripts_without_a_readable_table(
    make_repo: MakeRepo, pyproject: str | None
) -> None:
    root = make_repo({"pyproject.toml": pyproject} if pyproject else {})
    assert console_scripts(project_of(root)) == {}


@pytest.mark.parametrize(
    ("dvc_yaml", "stages", "problem"),
    [
        ("stages:\n  prepare:\n    cmd: python p.py\n  train:\n    cmd: python t.py\n",
         {"prepare", "train"}, None),
        (None, set(), "dvc.yaml is not in the repository"),
        ("stages: [a, b]\n", set(), "dvc.yaml has no 'stages:' mapping"),
        ("stages:\n  train: {cmd: [\n", set(), "dvc.yaml is not valid YAML: "),
    ],
    ids=["stages", "missing", "not-a-mapping", "invalid-yaml"],
)  # fmt: skip
def test_dvc_stages_are_read_as_safe_yaml(
    make_repo: MakeRepo, dvc_yaml: str | None, stages: set[str], problem: str | None
) -> None:
    root = make_repo({"dvc.yaml": dvc_yaml} if dvc_yaml else {})
    found = dvc_stages(project_of(root))
    assert found.stages == stages
    if problem is None:
        assert found.problem is None
    else:
        assert found.problem is not None and found.problem.startswith(problem)


def test_a_yaml_tag_in_dvc_yaml_is_refused_not_constructed(make_repo: MakeRepo) -> None:
    root = make_repo({"dvc.yaml": "stages: !!python/object/apply:os.system ['echo hi']\n"})
    found = dvc_stages(project_of(root))
    assert found.problem is not None and "not valid YAML" in found.problem
