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
