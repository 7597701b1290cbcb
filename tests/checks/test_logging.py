"""logging: print() in the package's production code, found in the syntax tree."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo

from dsdone.checks.logging import logging_check
from dsdone.report import CheckResult, Severity, Status
from dsdone.testing import run_check


def run(root: Path) -> CheckResult:
    return run_check(root, logging_check)


def located(result: CheckResult) -> list[tuple[str | None, int | None, int | None]]:
    return [(f.path, f.line, f.column) for f in result.findings]


SCORE = """\
    import pandas as pd


    def score(frame: pd.DataFrame) -> pd.Series:
        print(f"scoring {len(frame)} rows")
        result = frame["amount"] * 0.1
        if result.isna().any():
            print("warning: missing amounts")
        return result
    """


def test_prints_in_the_package_are_reported_at_line_and_column(make_repo: MakeRepo) -> None:
    root = make_repo({"src/fraud/score.py": SCORE})

    result = run(root)

    assert result.status is Status.FAIL
    assert result.severity is Severity.INFO
    assert located(result) == [("src/fraud/score.py", 5, 5), ("src/fraud/score.py", 8, 9)]
    finding = result.findings[0]
    assert finding.message == (
        "print() in package code: in production its output has no level or source, "
        "and is often lost"
    )
    assert "logging.getLogger(__name__)" in (finding.hint or "")
    assert result.summary == "2 findings; package code in src/"


def test_a_flat_layout_package_is_package_code_too(make_repo: MakeRepo) -> None:
    root = make_repo({"fraud/__init__.py": "", "fraud/features/build.py": "print('x')\n"})

    assert located(run(root)) == [("fraud/features/build.py", 1, 1)]


def test_the_hint_names_the_logger_the_module_already_has(make_repo: MakeRepo) -> None:
    root = make_repo({
        "src/a/logged.py": "import logging\n\nlog = logging.getLogger(__name__)\nprint(1)\n",
        "src/a/loguru_user.py": "from loguru import logger\nprint(1)\n",
        "src/a/structured.py": "import structlog\nprint(1)\n",
    })  # fmt: skip

    hints = {f.path: f.hint for f in run(root).findings}

    assert hints == {
        "src/a/logged.py": "use the module's logger: `log.info(...)` (or .debug, .warning)",
        "src/a/loguru_user.py": "use loguru's logger, already imported: `logger.info(...)`",
        "src/a/structured.py": "use structlog: `log = structlog.get_logger()`, then "
        "`log.info(...)`",
    }


def test_the_exclude_setting_leaves_files_out(make_repo: MakeRepo) -> None:
    contract = MINIMAL_CONTRACT + "checks:\n  logging:\n    exclude: ['src/fraud/cli/**']\n"
    root = make_repo(
        {"src/fraud/cli/run.py": "print(1)\n", "src/fraud/score.py": "print(2)\n"},
        contract=contract,
    )

    assert located(run(root)) == [("src/fraud/score.py", 1, 1)]


def test_outside_git_the_files_are_read_directly(make_repo: MakeRepo) -> None:
    root = make_repo({"src/fraud/score.py": SCORE}, git_init=False)

    assert located(run(root)) == [("src/fraud/score.py", 5, 5), ("src/fraud/score.py", 8, 9)]


def test_a_package_without_prints_passes_and_says_where_it_looked(make_repo: MakeRepo) -> None:
    root = make_repo({
        "src/fraud/score.py": "X = 1\n",
        "features/__init__.py": "",
        "features/build.py": "Y = 2\n",
        "tests/__init__.py": "",
    })  # fmt: skip

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == "package code in src/, features/, no print()"


def test_a_project_without_package_code_is_skipped(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": "print('a script')\n", "notebooks/eda.py": "print(1)\n"})

    result = run(root)

    assert result.status is Status.SKIP
    assert result.summary == "no package code: no Python file under src/, no top-level package"


# Command-line interfaces print their output: the templates' own train.py does.
CLI_MODULES = {
    "main-block-and-its-function": """\
        import json
        import sys


        def main(argv=None) -> int:
            metrics = {"auc": 0.91}
            print(json.dumps(metrics, sort_keys=True))
            return 0


        if __name__ == "__main__":
            print("training", file=sys.stderr)
            raise SystemExit(main())
        """,
    "main-block-reversed": """\
        def run():
            print("done")


        if "__main__" == __name__:
            run()
        """,
    "click-command": """\
        import click


        @click.command()
        @click.option("--config")
        def train(config):
            print(f"trained with {config}")
        """,
    "typer-command": """\
        import typer

        app = typer.Typer()


        @app.command()
        def evaluate(path: str) -> None:
            print(path)
        """,
}


@pytest.mark.parametrize("source", CLI_MODULES.values(), ids=CLI_MODULES.keys())
def test_command_line_interfaces_may_print(make_repo: MakeRepo, source: str) -> None:
    root = make_repo({"src/churn/train.py": source})

    assert run(root).status is Status.PASS


def test_console_scripts_declared_in_pyproject_may_print(make_repo: MakeRepo) -> None:
    root = make_repo({
        "pyproject.toml": '[project]\nname = "churn"\n\n[project.scripts]\n'
        'churn-train = "churn.cli:train"\n',
        "src/churn/cli.py": "def train():\n    print('ok')\n\n\ndef helper():\n    print('x')\n",
    })  # fmt: skip

    assert located(run(root)) == [("src/churn/cli.py", 6, 5)]


# Near misses from real ML code: none of them calls the built-in print in package code.
NEAR_MISSES = {
    "src/churn/model.py": '''\
        """Train with `print(model)` to see the layers; use pprint for the config."""
        from pprint import pprint


        class Model:
            def __repr__(self) -> str:
                return f"Model(print({self.name!r}))"

            def summary(self, console) -> None:
                console.print(self.table())  # rich's Console.print: print(...) in a comment
                self.print("done")
                pprint(self.config)
                printer = self.printer
                printer("x")
        ''',
    "src/churn/report.py": """\
        def write(rows, path):
            with open(path, "w") as handle:
                for row in rows:
                    print(",".join(row), file=handle)
        """,
    "src/churn/__main__.py": "print('usage: python -m churn')\n",
    "src/churn/scripts/backfill.py": "print('backfilling')\n",
    "src/churn/tests/test_model.py": "print('debug')\n",
    "src/churn/conftest.py": "print('debug')\n",
    "scripts/train.py": "print('scripts are scripts')\n",
    "train.py": "print('a module at the root is a script')\n",
    "tests/test_score.py": "def test_x():\n    print('debug')\n",
    "notebooks/explore.py": "print('jupytext')\n",
    "docs/conf.py": "print('sphinx')\n",
    "src/churn/broken.py": "print('unterminated\n",
}


def test_near_misses_from_real_code_are_not_reported(make_repo: MakeRepo) -> None:
    result = run(make_repo(NEAR_MISSES))

    assert result.status is Status.PASS, located(result)


# Code that is in the package's folders but is not the package's own production code: other
# people's code copied in, and code written for a person to read and run (metaflow ships
# metaflow/_vendor/ and metaflow/tutorials/ inside its package).
NOT_THE_PACKAGE = [
    "churn/_vendor/typeguard/_decorators.py",
    "churn/vendor/six.py",
    "churn/vendored/chevron/renderer.py",
    "churn/third_party/fused_adam.py",
    "churn/externals/joblib/pool.py",
    "src/churn/site-packages/yaml/__init__.py",
    "src/churn/node_modules/pyodide/loader.py",
    "churn/tutorials/00-helloworld/helloworld.py",
    "churn/tutorial/intro.py",
    "src/churn/demos/gradio_app.py",
    "src/churn/demo/run.py",
    "churn/samples/predict.py",
    "churn/sample/predict.py",
]


@pytest.mark.parametrize("path", NOT_THE_PACKAGE)
def test_vendored_code_and_code_for_people_to_run_is_not_package_code(
    make_repo: MakeRepo, path: str
) -> None:
    root = make_repo({
        "churn/__init__.py": "print('importing churn')\n",
        "src/churn/model.py": "def fit():\n    print('fitting')\n",
        path: "def show():\n    print('hello')\n",
    })  # fmt: skip

    # The package's own prints are still found, beside the folder left out.
    assert located(run(root)) == [("churn/__init__.py", 1, 1), ("src/churn/model.py", 2, 5)]


# iterative/example-dvc-experiments: src/ holds DVC stage scripts run as
# `python3 src/train.py`, importing their neighbour as `from util import ...` (an empty
# src/__init__.py beside them changes nothing).
DVC_STAGE_SCRIPTS = {
    "dvc.yaml": "stages:\n  train:\n    cmd: python3 src/train.py\n    deps: [src]\n",
    "src/train.py": "from util import load_params\n\nprint(load_params())\n",
    "src/util.py": "def load_params():\n    print('reading params.yaml')\n    return {}\n",
}
SCRIPT_LAYOUTS = {
    "src-with-init": {**DVC_STAGE_SCRIPTS, "src/__init__.py": ""},
    "src-without-init": DVC_STAGE_SCRIPTS,
    "import-util-in-a-subfolder": {
        "src/__init__.py": "",
        "src/stages/__init__.py": "",
        "src/stages/featurize.py": "import util\n\nutil.log_step()\n",
        "src/stages/util.py": "def log_step():\n    print('step done')\n",
    },
    "loose-scripts-in-src": {
        "src/prepare.py": "print('prepared')\n",
        "src/evaluate.py": "print('evaluated')\n",
    },
}


@pytest.mark.parametrize("files", SCRIPT_LAYOUTS.values(), ids=SCRIPT_LAYOUTS.keys())
def test_a_src_folder_of_scripts_is_not_package_code(
    make_repo: MakeRepo, files: dict[str, str]
) -> None:
    result = run(make_repo(files))

    assert result.status in (Status.PASS, Status.SKIP), located(result)
    assert result.findings == ()
    assert "src/, src/" not in result.summary


# Real packages whose modules import each other by the package's name or relatively, or whose
# module shares its name with the standard library's: still package code.
PACKAGE_LAYOUTS = {
    "src-layout-absolute-imports": {
        "src/churn/__init__.py": "",
        "src/churn/util.py": "X = 1\n",
        "src/churn/model.py": "from churn.util import X\n\nprint(X)\n",
    },
    "src-layout-relative-imports": {
        "src/churn/__init__.py": "",
        "src/churn/util.py": "X = 1\n",
        "src/churn/model.py": "from .util import X\n\nprint(X)\n",
    },
    "a-neighbour-named-like-the-standard-library": {
        "src/churn/__init__.py": "",
        "src/churn/types.py": "Row = dict\n",
        "src/churn/model.py": "import types\n\nprint(types.SimpleNamespace())\n",
    },
    # Netflix/metaflow metaflow/plugins/kubernetes/: `from kubernetes import client` is the
    # kubernetes library, not the kubernetes.py beside it, which defines no `client`.
    "a-library-named-like-a-neighbour": {
        "src/churn/__init__.py": "",
        "src/churn/kubernetes.py": "class Kubernetes:\n    pass\n",
        "src/churn/model.py": "from kubernetes import client\n\nprint(client)\n",
        "src/churn/watch.py": "import kubernetes\n\nkubernetes.config.load_kube_config()\n",
    },
    "src-is-the-package": {
        "src/__init__.py": "",
        "src/util.py": "X = 1\n",
        "src/model.py": "from src.util import X\n\nprint(X)\n",
    },
}


@pytest.mark.parametrize("files", PACKAGE_LAYOUTS.values(), ids=PACKAGE_LAYOUTS.keys())
def test_packages_that_import_their_modules_by_the_package_name_are_package_code(
    make_repo: MakeRepo, files: dict[str, str]
) -> None:
    model = next(path for path in files if path.endswith("model.py"))

    assert located(run(make_repo(files))) == [(model, 3, 1)]


@pytest.mark.parametrize(
    ("comment", "reported"),
    [
        ("# noqa: T201", False),  # fmind/mlops-python-package src/bikes/io/services.py:125
        ("# noqa: T201  # user-facing fallback", False),
        ("# noqa:E501,T201", False),
        ("# noqa", False),
        ("# NOQA: t001", False),
        ("# noqa: E501", True),  # another rule's suppression says nothing of print
        ("# no qa, T201 is fine here", True),
    ],
)
def test_a_print_its_author_marked_noqa_for_the_print_rule_is_left_alone(
    make_repo: MakeRepo, comment: str, reported: bool
) -> None:
    code = f"def notify(message: str) -> None:\n    print(message)  {comment}\n"
    root = make_repo({"pkg/__init__.py": "", "pkg/notify.py": code})

    found = [(f.path, f.line) for f in run_check(root, logging_check).findings]

    assert found == ([("pkg/notify.py", 2)] if reported else [])
