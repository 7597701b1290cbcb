"""ci-gate: a CI job runs the tests and one runs dsdone check, where merges happen."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo

from dsdone import release
from dsdone.analysis.shell import commands, runs_dsdone_check, runs_tests
from dsdone.checks.ci_gate import ci_gate
from dsdone.report import CheckResult, Severity, Status
from dsdone.testing import run_check


def run(root: Path) -> CheckResult:
    return run_check(root, ci_gate)


def located(result: CheckResult) -> list[tuple[str | None, int | None, str]]:
    return [(f.path, f.line, f.message) for f in result.findings]


WORKFLOW = """\
    name: ci
    on:
      pull_request:
      push:
        branches: [main]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: pip install -e ".[test]"
    {steps}
    """


def workflow(*steps: str) -> str:
    lines = "".join(textwrap.indent(f"- {step}\n", "      ") for step in steps)
    return textwrap.dedent(WORKFLOW).replace("{steps}\n", lines)


PRE_COMMIT = """\
    repos:
      - repo: https://github.com/dsdone/dsdone
        rev: v0.1.0
        hooks:
          - id: dsdone
    """


# -- what passes ---------------------------------------------------------------------------------


PASSING = {
    "github-action": {
        ".github/workflows/ci.yml": workflow("run: pytest", "uses: dsdone/dsdone@v0.1.0")
    },
    "github-commands": {
        ".github/workflows/ci.yaml": workflow(
            "run: uv run python -m pytest -q", "run: uvx dsdone check . --min-score 75"
        )
    },
    "github-block-script": {
        ".github/workflows/ci.yml": workflow(
            "name: checks\n  run: |\n    set -e\n    make test\n    dsdone check --format github"
        )
    },
    "github-separate-workflows": {
        ".github/workflows/tests.yml": workflow("run: tox -e py311"),
        ".github/workflows/dsdone.yml": workflow("uses: acme/dsdone@4f1c2d3"),
    },
    "github-pre-commit-action": {
        ".github/workflows/ci.yml": workflow("run: hatch test", "uses: pre-commit/action@v3.0.1"),
        ".pre-commit-config.yaml": PRE_COMMIT,
    },
    "github-pre-commit-run": {
        ".github/workflows/ci.yml": workflow("run: pytest", "run: pre-commit run --all-files"),
        ".pre-commit-config.yaml": PRE_COMMIT,
    },
    "gitlab-readme-snippet": {
        ".gitlab-ci.yml": """\
        default:
          image: python:3.12
        .install: &install
          before_script:
            - pip install -e ".[test]"
        tests:
          <<: *install
          script:
            - python -m pytest --junitxml=report.xml
        dsdone:
          image: python:3.12
          script:
            - pip install dsdone
            - dsdone check --format junit --output dsdone-junit.xml
          artifacts:
            when: always
            reports:
              junit: dsdone-junit.xml
        """
    },
    "azure": {
        "azure-pipelines.yml": """\
        trigger: [main]
        pool: {vmImage: ubuntu-latest}
        steps:
          - script: pip install -e .[test] && pytest
            displayName: Tests
          - bash: dsdone check .
        """
    },
    "circleci": {
        ".circleci/config.yml": """\
        version: 2.1
        jobs:
          build:
            docker: [{image: cimg/python:3.12}]
            steps:
              - checkout
              - run: poetry run pytest
              - run:
                  name: Definition of done
                  command: poetry run dsdone check
        """
    },
    "bitbucket": {
        "bitbucket-pipelines.yml": """\
        image: python:3.12
        pipelines:
          default:
            - step:
                script:
                  - pip install -e .[test] dsdone
                  - nox -s tests
                  - dsdone check
        """
    },
    "jenkins": {
        "Jenkinsfile": """\
        // Declarative pipeline
        pipeline {
          agent { docker { image 'python:3.12' } }
          stages {
            stage('Test') { steps { sh 'pip install -e .[test] && pytest' } }
            stage('Done') {
              steps {
                sh(script: "dsdone check --format junit --output dsdone.xml")
              }
            }
          }
        }
        """
    },
}


@pytest.mark.parametrize("files", PASSING.values(), ids=PASSING.keys())
def test_ci_that_runs_the_tests_and_dsdone_passes(
    make_repo: MakeRepo, files: dict[str, str]
) -> None:
    result = run(make_repo(files))

    assert result.status is Status.PASS, located(result)


def test_the_summary_says_where_each_runs(make_repo: MakeRepo) -> None:
    root = make_repo(
        {".github/workflows/ci.yml": workflow("run: pytest", "uses: dsdone/dsdone@v1")}
    )

    assert run(root).summary == (
        "tests in .github/workflows/ci.yml:12; dsdone check in .github/workflows/ci.yml:13"
    )


def test_a_project_in_a_subfolder_is_gated_by_the_ci_at_the_top(make_repo: MakeRepo) -> None:
    repo = make_repo(
        {
            ".github/workflows/ci.yml": workflow(
                "run: pytest ml/churn", "run: dsdone check --all ml"
            )
        },
        contract=None,
    )
    (repo / "ml/churn").mkdir(parents=True)
    (repo / "ml/churn/dsdone.yaml").write_text(MINIMAL_CONTRACT, encoding="utf-8")

    result = run(repo / "ml/churn")

    assert result.status is Status.PASS
    assert result.summary == (
        "tests in ../../.github/workflows/ci.yml:12; dsdone check in "
        "../../.github/workflows/ci.yml:13"
    )


# -- what fails ----------------------------------------------------------------------------------


def test_no_ci_at_all_fails_with_the_workflow_to_add(make_repo: MakeRepo) -> None:
    result = run(make_repo({"src/churn/__init__.py": ""}))

    assert result.status is Status.FAIL
    assert result.severity is Severity.WARNING
    assert located(result) == [
        (None, None, "no CI configuration: nothing runs the tests and dsdone check before a merge")
    ]
    # What the hint names exists today: the default branch until a release is tagged.
    assert f"- uses: {release.action_reference()}`" in (result.findings[0].hint or "")


def test_ci_that_runs_only_the_tests_fails_at_the_job_to_extend(make_repo: MakeRepo) -> None:
    root = make_repo({".github/workflows/tests.yml": workflow("run: pytest")})

    result = run(root)

    assert located(result) == [(".github/workflows/tests.yml", 9, "no CI job runs dsdone check")]
    assert result.findings[0].hint == (
        f"add a step to the job: `- uses: {release.action_reference()}` with `with: {{path: .}}`"
    )


def test_ci_that_runs_only_dsdone_fails_with_the_test_step_to_add(make_repo: MakeRepo) -> None:
    root = make_repo({".gitlab-ci.yml": "dsdone:\n  script:\n    - pip install dsdone\n"
                                        "    - dsdone check\n"})  # fmt: skip

    result = run(root)

    assert located(result) == [(".gitlab-ci.yml", 1, "no CI job runs the tests")]
    assert "script: [pip install -e '.[test]', pytest]" in (result.findings[0].hint or "")


def test_a_failure_that_is_ignored_does_not_gate(make_repo: MakeRepo) -> None:
    root = make_repo({".github/workflows/ci.yml": workflow(
        "run: pytest || true",
        "name: dsdone\n  uses: dsdone/dsdone@v0.1.0\n  continue-on-error: true",
    )})  # fmt: skip

    result = run(root)

    assert located(result) == [
        (".github/workflows/ci.yml", 12, "the tests run here, but a failure is ignored, so it "
         "cannot block a merge"),
        (".github/workflows/ci.yml", 14, "dsdone check runs here, but a failure is ignored, so "
         "it cannot block a merge"),
    ]  # fmt: skip


def test_a_workflow_that_only_runs_on_a_schedule_does_not_gate(make_repo: MakeRepo) -> None:
    nightly = workflow("run: pytest", "run: dsdone check").replace(
        "on:\n  pull_request:\n  push:\n    branches: [main]\n",
        "on:\n  schedule:\n    - cron: '0 3 * * *'\n  push:\n    tags: ['v*']\n",
    )
    root = make_repo({".github/workflows/nightly.yml": nightly})

    assert [(f.line, f.message) for f in run(root).findings] == [
        (13, "the tests run here, but this workflow runs neither on pull requests nor on pushes "
         "to a branch"),
        (14, "dsdone check runs here, but this workflow runs neither on pull requests nor on "
         "pushes to a branch"),
    ]  # fmt: skip


def test_a_workflow_in_a_subfolder_never_runs(make_repo: MakeRepo) -> None:
    repo = make_repo(contract=None, files={"README.md": "monorepo\n"})
    project = repo / "ml/churn"
    (project / ".github/workflows").mkdir(parents=True)
    (project / "dsdone.yaml").write_text(MINIMAL_CONTRACT, encoding="utf-8")
    (project / ".github/workflows/dsdone.yml").write_text(
        workflow("run: pytest", "uses: dsdone/dsdone@v0.1.0"), encoding="utf-8"
    )

    result = run(project)

    assert located(result) == [
        (None, None, "no CI configuration at the top of the repository: nothing runs the tests "
         "and dsdone check before a merge"),
        (".github/workflows/dsdone.yml", None, "GitHub runs only the workflows in "
         ".github/workflows/ at the top of the repository: this one never runs"),
    ]  # fmt: skip
    assert "`path: ml/churn`" in (result.findings[1].hint or "")


def test_a_ci_file_that_does_not_parse_is_reported_at_its_line(make_repo: MakeRepo) -> None:
    root = make_repo({".gitlab-ci.yml": "tests:\n  script: [pytest\n"})

    (finding,) = [f for f in run(root).findings if f.path is not None]

    assert (finding.path, finding.line) == (".gitlab-ci.yml", 3)
    assert finding.message.startswith("GitLab CI cannot read this file: not valid YAML:")


# Near misses from real repositories: CI that looks like it runs the tests or dsdone, and
# does not (or not where merges happen).
NEAR_MISSES = {
    "docs-only-workflow": {
        ".github/workflows/docs.yml": workflow(
            "run: pip install mkdocs-material", "run: mkdocs build --strict"
        )
    },
    "pytest-in-a-comment-and-an-echo": {
        ".github/workflows/ci.yml": workflow(
            "run: |\n    # pytest is run by the nightly job\n    echo 'run pytest locally'\n"
            "    pip install pytest dsdone\n    dsdone list"
        )
    },
    "lint-only-tox-and-nox": {
        ".github/workflows/lint.yml": workflow(
            "run: tox -e lint,docs", "run: nox -s lint", "run: make docs"
        )
    },
    "pre-commit-without-the-hook": {
        ".github/workflows/ci.yml": workflow("run: pre-commit run --all-files"),
        ".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit"
        "\n    rev: v0.6.0\n    hooks:\n      - id: ruff\n",
    },
    "pre-commit-running-another-hook": {
        ".github/workflows/ci.yml": workflow("run: pre-commit run ruff --all-files"),
        ".pre-commit-config.yaml": PRE_COMMIT,
    },
    "manual-gitlab-job": {".gitlab-ci.yml": "tests:\n  when: manual\n  script: [pytest]\n"},
    "jenkins-return-status": {
        "Jenkinsfile": (
            "node {\n  // sh 'pytest'\n  def status = sh(script: 'pytest', returnStatus: true)\n}\n"
        )
    },
}


@pytest.mark.parametrize("files", NEAR_MISSES.values(), ids=NEAR_MISSES.keys())
def test_near_misses_do_not_count_as_running_the_tests(
    make_repo: MakeRepo, files: dict[str, str]
) -> None:
    result = run(make_repo(files))

    messages = [finding.message for finding in result.findings]
    assert "no CI job runs the tests" in messages or any(
        message.startswith("the tests run here, but") for message in messages
    ), messages
    assert any("dsdone check" in message for message in messages), messages


# -- reading shell commands ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "tests", "dsdone"),
    [
        ("uv run coverage run -m pytest", True, False),
        ("bash -c 'python -m pytest -q'", True, False),
        ("FOO=1 timeout 600 poetry run dsdone check --all", False, True),
        ("pip install pytest dsdone && dsdone explain ci-gate", False, False),
        ("make -C ml test-unit", True, False),
        ("tox -e lint,docs", False, False),
        ("python -c 'import pytest'", False, False),
        ("test -d saved_models", False, False),
        ("hatch run test", True, False),
    ],
)
def test_commands_are_seen_through_their_wrappers(script: str, tests: bool, dsdone: bool) -> None:
    found = list(commands(script))

    assert any(runs_tests(c.words) for c in found) is tests
    assert any(runs_dsdone_check(c.words) for c in found) is dsdone


def test_a_quote_left_open_costs_one_line_not_the_rest_of_the_script() -> None:
    script = 'python -c "import churn\nprint(churn.__version__)"\npytest -q \\\n  --maxfail 1\n'

    found = list(commands(script))

    assert [(c.line, c.words[0]) for c in found] == [
        (1, "python"),
        (2, 'print(churn.__version__)"'),
        (3, "pytest"),
    ]
    assert runs_tests(found[-1].words)


# -- test suites run by something other than pytest, or by a script ------------------------------


def _with_dsdone(*steps: str) -> dict[str, str]:
    return {".github/workflows/ci.yml": workflow(*steps, "uses: dsdone/dsdone@v0.1.0")}


OTHER_RUNNERS = {
    # kedro-org/kedro-starters all-checks.yml: the end-to-end suite is behave's features.
    "behave-in-an-if-block": _with_dsdone(
        'run: |\n    if [ "${{ runner.os }}" = "Windows" ]; then\n'
        '      behave features/run.feature --tags "~@pyspark"\n    else\n'
        "      behave features/run.feature\n    fi"
    ),
    "make-check": _with_dsdone("run: make check"),
    # fmind/mlops-python-package .github/workflows/check.yml: mise.toml's [tasks.test].
    "mise-run-test": {
        **_with_dsdone("uses: jdx/mise-action@v2", "run: mise run test"),
        "mise.toml": '[tasks.test]\nrun = "uv run pytest"\n',
    },
    "nose2": _with_dsdone("run: python -m nose2 -v"),
    "a-script-that-runs-pytest": {
        **_with_dsdone("run: ./ci/integration.sh"),
        "ci/integration.sh": "#!/bin/bash\nset -euo pipefail\npip install -e .\n"
        "python -m pytest tests/ -q\n",
    },
    "bash-and-a-script-that-runs-tox": {
        **_with_dsdone("run: bash scripts/check_all.sh"),
        "scripts/check_all.sh": "ruff check .\n# then the tests\ntox -e py311\n",
    },
    "a-script-through-uv-run": {
        **_with_dsdone("run: uv run sh -e tools/ci.sh"),
        "tools/ci.sh": "uv run pytest --cov\n",
    },
}


@pytest.mark.parametrize("files", OTHER_RUNNERS.values(), ids=OTHER_RUNNERS.keys())
def test_tests_run_by_other_runners_or_by_a_script_count(
    make_repo: MakeRepo, files: dict[str, str]
) -> None:
    result = run(make_repo(files))

    assert result.status is Status.PASS, located(result)


NOT_TESTS = {
    # pytorch/examples main_python.yml: a script that runs each example once; no test suite.
    "a-script-that-runs-no-tests": {
        **_with_dsdone("run: ./run_python_examples.sh"),
        "run_python_examples.sh": "#!/bin/bash\n# run every example as an integration test\n"
        "uv pip install -r mnist/requirements.txt\nuv run python mnist/main.py --dry-run\n",
    },
    "a-script-that-installs-and-echoes-pytest": {
        **_with_dsdone("run: bash ci/setup.sh"),
        "ci/setup.sh": "pip install pytest\necho 'now run pytest'\n# pytest -q\n",
    },
    "a-script-whose-tests-may-fail": {
        **_with_dsdone("run: sh ci/smoke.sh"),
        "ci/smoke.sh": "pytest tests/ || true\n",
    },
    "a-script-calling-a-script-that-runs-pytest": {
        **_with_dsdone("run: ./ci/all.sh"),
        "ci/all.sh": "./ci/inner.sh\n",
        "ci/inner.sh": "pytest\n",
    },
    "a-script-that-is-not-in-the-repository": _with_dsdone("run: ./ci/generated.sh"),
    "a-commented-out-step": {
        ".github/workflows/ci.yml": workflow(
            "uses: dsdone/dsdone@v0.1.0\n# - run: behave features/\n# - run: make check"
        ),
    },
    "make-lint-and-just-check": _with_dsdone("run: make lint", "run: just check"),
    "mise-run-lint": _with_dsdone("run: mise run lint"),
    # pytorch/examples run_python_examples.sh:69: the shell's `test`, not a test suite.
    "the-shells-test-command": {
        **_with_dsdone("run: test -f requirements.txt", "run: ./run_python_examples.sh"),
        "run_python_examples.sh": 'test -d "saved_models" || { echo "not found"; exit 1; }\n'
        "[ -f model.pt ] && python main.py --dry-run\n",
    },
}


@pytest.mark.parametrize("files", NOT_TESTS.values(), ids=NOT_TESTS.keys())
def test_scripts_and_steps_that_run_no_tests_do_not_count(
    make_repo: MakeRepo, files: dict[str, str]
) -> None:
    result = run(make_repo(files))

    assert located(result) == [(".github/workflows/ci.yml", 9, "no CI job runs the tests")], (
        located(result)
    )
