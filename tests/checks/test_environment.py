"""environment: a lock file, or every requirement pinned, and a declared Python version."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MakeRepo

from dsdone.analysis.requirements import conda_spec, logical_lines
from dsdone.checks.environment import environment
from dsdone.report import CheckResult, Status
from dsdone.testing import run_check

PYTHON = {".python-version": "3.11\n"}


def run(root: Path) -> CheckResult:
    return run_check(root, environment)


def located(result: CheckResult) -> list[tuple[str | None, int | None, str]]:
    return [(f.path, f.line, f.message) for f in result.findings]


# -- what passes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lock", ["uv.lock", "poetry.lock", "pdm.lock", "pixi.lock", "conda-lock.yml", "Pipfile.lock"]
)
def test_a_lock_file_passes_whatever_else_is_there(make_repo: MakeRepo, lock: str) -> None:
    root = make_repo({lock: "# generated\n", "requirements.txt": "pandas>=2\n"})

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == f"locked by {lock}"


def test_a_lock_file_at_the_top_of_a_workspace_locks_a_project_below_it(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo({"uv.lock": "version = 1\n", "packages/churn/pyproject.toml": (
        '[project]\nname = "churn"\ndependencies = ["pandas>=2"]\n')}, contract=None)  # fmt: skip
    (repo / "packages/churn/dsdone.yaml").write_text(
        "version: 1\nproject: {name: churn, owner: ana@example.com}\n", encoding="utf-8"
    )

    result = run(repo / "packages/churn")

    assert result.status is Status.PASS
    assert result.summary == "locked by ../../uv.lock"


def test_a_pinned_requirements_file_and_a_python_version_pass(make_repo: MakeRepo) -> None:
    root = make_repo({"requirements.txt": "pandas==2.2.2\nscikit-learn==1.5.1\n", **PYTHON})

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == "pinned in requirements.txt; Python from .python-version: 3.11"


def test_the_standard_pyproject_with_pins_and_requires_python_passes(make_repo: MakeRepo) -> None:
    root = make_repo({"pyproject.toml": """\
        [project]
        name = "churn"
        requires-python = ">=3.10"
        dependencies = ["pyyaml==6.0.3"]

        [project.optional-dependencies]
        test = ["pytest>=8"]
        """})  # fmt: skip

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == "pinned in pyproject.toml; Python from pyproject.toml: >=3.10"


# -- what fails ----------------------------------------------------------------------------------


def test_each_unpinned_requirement_is_reported_at_its_line(make_repo: MakeRepo) -> None:
    root = make_repo({"requirements.txt": """\
        # exported from the notebook's kernel
        pandas==2.2.2
        scikit-learn>=1.3
        numpy
        xgboost==2.*
        """, **PYTHON})  # fmt: skip

    result = run(root)

    assert result.status is Status.FAIL
    assert located(result) == [
        ("requirements.txt", 3, "'scikit-learn>=1.3' is not pinned: it accepts a range of "
         "versions (>=1.3)"),
        ("requirements.txt", 4, "'numpy' is not pinned: it accepts any version"),
        ("requirements.txt", 5, "'xgboost==2.*' is not pinned: ==2.* accepts every matching "
         "release"),
    ]  # fmt: skip
    hint = result.findings[0].hint or ""
    assert "scikit-learn==X.Y.Z" in hint
    assert "uv pip compile requirements.in -o requirements.txt" in hint
    assert "pip freeze > requirements.txt" in hint


def test_no_environment_file_at_all_fails(make_repo: MakeRepo) -> None:
    root = make_repo({"src/churn/__init__.py": "", **PYTHON})

    result = run(root)

    assert located(result) == [
        (None, None, "nothing says how to rebuild the environment: no lock file, no "
         "requirements file, no dependencies in pyproject.toml or setup.py, no conda "
         "environment file, and no install command in the README, the Makefile or CI"),
    ]  # fmt: skip
    assert "uv lock" in (result.findings[0].hint or "")


def test_a_pinned_environment_without_a_python_version_fails(make_repo: MakeRepo) -> None:
    root = make_repo({"requirements.txt": "pandas==2.2.2\n"})

    result = run(root)

    assert located(result) == [("requirements.txt", None, "no Python version is declared")]
    assert ".python-version" in (result.findings[0].hint or "")


def test_pyproject_without_requires_python_is_reported_at_its_project_table(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "x"\n'
            'dependencies = ["pandas==2.2.2"]\n'
        }
    )

    result = run(root)

    assert located(result) == [("pyproject.toml", 4, "no Python version is declared")]
    assert "requires-python" in (result.findings[0].hint or "")


def test_pyproject_dependencies_are_reported_at_their_lines(make_repo: MakeRepo) -> None:
    root = make_repo({"pyproject.toml": """\
        [project]
        name = "churn"
        requires-python = ">=3.11"
        dependencies = [
            "pandas>=2",
            "pyyaml==6.0.3",
            "mlflow",  # the tracking server's client
        ]
        """})  # fmt: skip

    result = run(root)

    assert [(f.line, f.message) for f in result.findings] == [
        (5, "'pandas>=2' is not pinned: it accepts a range of versions (>=2)"),
        (7, "'mlflow' is not pinned: it accepts any version"),
    ]
    assert "uv lock" in (result.findings[0].hint or "")


def test_a_package_unpinned_in_both_the_requirements_and_the_metadata_is_reported_once(
    make_repo: MakeRepo,
) -> None:
    # A Kedro starter's render: requirements.txt (what installs) and pyproject.toml's
    # [project] dependencies list the same ranges. The requirements file is the one to pin;
    # a package only the metadata lists is still reported there.
    root = make_repo({
        "pyproject.toml": '[project]\nname = "churn"\nrequires-python = ">=3.11"\n'
        'dependencies = ["kedro~=1.0", "pandas>=2", "scikit-learn"]\n',
        "requirements.txt": "kedro~=1.0\nPandas>=2.1\n",
    })  # fmt: skip

    result = run(root)

    assert [(f.path, f.line, f.message.partition(" is ")[0]) for f in result.findings] == [
        ("pyproject.toml", 4, "'scikit-learn'"),
        ("requirements.txt", 1, "'kedro~=1.0'"),
        ("requirements.txt", 2, "'Pandas>=2.1'"),
    ]


def test_conda_environment_specs_are_judged_and_python_comes_from_it(make_repo: MakeRepo) -> None:
    root = make_repo({"environment.yml": """\
        name: churn
        channels: [conda-forge]
        dependencies:
          - python=3.11
          - pip
          - numpy=1.26.4=py311h64a7726_0
          - pandas==2.2.2
          - scikit-learn=1.5.1
          - conda-forge::lightgbm 4.3.0
          - matplotlib
          - scipy>=1.11
          - pip:
            - shap==0.45.1
            - mlflow>=2
        """})  # fmt: skip

    result = run(root)

    assert located(result) == [
        ("environment.yml", 10, "'matplotlib' is not pinned: it accepts any version"),
        ("environment.yml", 11, "'scipy>=1.11' is not pinned: it accepts a range of versions "
         "(>=1.11)"),
        ("environment.yml", 14, "'mlflow>=2' is not pinned: it accepts a range of versions "
         "(>=2)"),
    ]  # fmt: skip
    assert "conda env export --no-builds > environment.yml" in (result.findings[0].hint or "")
    assert "Python from environment.yml: python 3.11" in result.summary


def test_a_conda_file_without_python_fails_at_the_file(make_repo: MakeRepo) -> None:
    root = make_repo({"environment.yml": "dependencies:\n  - numpy=1.26.4\n"})

    assert located(run(root)) == [
        ("environment.yml", None, "no Python version is declared: the environment file does "
         "not list python"),
    ]  # fmt: skip


def test_poetry_without_its_lock_fails(make_repo: MakeRepo) -> None:
    root = make_repo({"pyproject.toml": """\
        [tool.poetry]
        name = "churn"

        [tool.poetry.dependencies]
        python = "^3.11"
        pandas = "^2.2"
        """})  # fmt: skip

    assert located(run(root)) == [
        ("pyproject.toml", 4, "Poetry dependencies without a poetry.lock: each install "
         "resolves them again"),
    ]  # fmt: skip


def test_a_pipfile_without_its_lock_fails(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"Pipfile": '[packages]\npandas = "*"\n\n[requires]\npython_version = "3.11"\n'}
    )

    assert located(run(root)) == [
        ("Pipfile", 1, "a Pipfile without a Pipfile.lock: each install resolves it again")
    ]


# -- requirements files: includes, hashes, URLs --------------------------------------------------


def test_an_included_file_is_followed_and_its_findings_are_at_its_own_lines(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({
        "requirements/base.txt": "pandas==2.2.2\nrequests\n",
        "requirements/prod.txt": "-r base.txt\ngunicorn==22.0.0\n",
        **PYTHON,
    })  # fmt: skip

    assert located(run(root)) == [
        ("requirements/base.txt", 2, "'requests' is not pinned: it accepts any version")
    ]


def test_includes_that_loop_are_read_once(make_repo: MakeRepo) -> None:
    root = make_repo({
        "requirements.txt": "-r requirements-gpu.txt\npandas>=2\n",
        "requirements-gpu.txt": "-r requirements.txt\ntorch==2.3.1\n",
        **PYTHON,
    })  # fmt: skip

    assert located(run(root)) == [
        ("requirements.txt", 2, "'pandas>=2' is not pinned: it accepts a range of versions (>=2)")
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("-r ../../etc/passwd", "-r ../../etc/passwd names a file outside the project"),
        ("-r missing.txt", "-r missing.txt: missing.txt is not in the repository"),
        # packaging's own words follow; they differ between its releases
        ("pandas = 2.2.2", "'pandas = 2.2.2' is not a requirement pip can read: "),
    ],
    ids=["outside", "missing", "invalid"],
)
def test_lines_pip_would_refuse_are_findings(make_repo: MakeRepo, line: str, message: str) -> None:
    root = make_repo({"requirements.txt": f"pandas==2.2.2\n{line}\n", **PYTHON})

    (finding,) = run(root).findings

    assert (finding.path, finding.line) == ("requirements.txt", 2)
    assert finding.message.startswith(message)


def test_a_constraints_file_pins_what_the_requirements_name(make_repo: MakeRepo) -> None:
    root = make_repo({
        "requirements.txt": "-c constraints.txt\npandas\nshap\n",
        "constraints.txt": "pandas==2.2.2\n",
        **PYTHON,
    })  # fmt: skip

    assert located(run(root)) == [
        ("requirements.txt", 3, "'shap' is not pinned: it accepts any version")
    ]


def test_a_branch_of_a_git_repository_is_not_a_pin(make_repo: MakeRepo) -> None:
    root = make_repo({"requirements.txt": """\
        features @ git+https://github.com/acme/features.git@main
        -e git+https://github.com/acme/metrics.git#egg=metrics
        """, **PYTHON})  # fmt: skip

    assert [(f.line, f.message) for f in run(root).findings] == [
        (1, "'features @ git+https://github.com/acme/features.git@main' is not pinned: @main "
         "is a branch or tag, which can move"),
        (2, "'git+https://github.com/acme/metrics.git#egg=metrics' is not pinned: it installs "
         "whatever the default branch holds"),
    ]  # fmt: skip


# Files taken from real projects (pip-compile, uv, pip freeze and hand-written ones) that pin
# everything, each in its own way: none of them may be reported.
PINNED_REQUIREMENTS = {
    "pip-compile-hashes": """\
        #
        # This file is autogenerated by pip-compile with Python 3.11
        #
        numpy==1.26.4 \\
            --hash=sha256:03a8c78d01d9781b28a6989f6fa1bb2c4f2d51201cf99d3dd875df6fbd96b23b \\
            --hash=sha256:08beddf13648eb95f8d867350f6a018a4be2e5ad54c8d8caed89ebca558b2a67
            # via pandas
        pandas==2.2.2 \\
            --hash=sha256:001910ad31abc7bf06f49dcc903755d2f7f3a9186c0c040b827e522e9cef0863
        """,
    "uv-pip-compile": """\
        # This file was autogenerated by uv via the following command:
        #    uv pip compile requirements.in -o requirements.txt
        certifi==2024.7.4
            # via requests
        requests==2.32.3
            # via -r requirements.in
        """,
    "options-and-markers": """\
        --index-url https://pypi.org/simple
        --extra-index-url https://download.pytorch.org/whl/cu121
        --find-links ./wheels
        torch==2.3.1+cu121 ; sys_platform == "linux"
        tomli==2.0.1; python_version < "3.11"
        pywin32===306 ; sys_platform == 'win32'
        """,
    "own-code-and-artifacts": """\
        -e .
        ./libs/feature_store
        ./wheels/internal_metrics-1.4.0-py3-none-any.whl
        xgboost @ https://files.example.com/xgboost-2.1.0-py3-none-manylinux2014_x86_64.whl
        scorer @ git+https://github.com/acme/scorer.git@4f1c2d3e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d
        git+https://github.com/acme/feats.git@a1b2c3d#egg=feats
        """,
    "comments-everywhere": """\
        pandas==2.2.2  # the last 2.2: 3.0 changes copy semantics
        # numpy>=1.26  (pinned through pandas)
        #pytest
        scikit-learn==1.5.1 # see https://scikit-learn.org/#install
        """,
}


@pytest.mark.parametrize("text", PINNED_REQUIREMENTS.values(), ids=PINNED_REQUIREMENTS.keys())
def test_pinned_requirements_files_from_real_projects_pass(make_repo: MakeRepo, text: str) -> None:
    root = make_repo({"requirements.txt": text, **PYTHON})

    result = run(root)

    assert result.status is Status.PASS, located(result)


# Near misses: ranges where they are allowed.
@pytest.mark.parametrize(
    "files",
    [
        {  # ranges in an extras group and in development requirements
            "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.11"\n'
            'dependencies = ["pandas==2.2.2"]\n\n[project.optional-dependencies]\n'
            'serve = ["requests>=2"]\ndev = ["pytest>=8", "ruff"]\n',
            "requirements-dev.txt": "pytest>=8\nruff\n",
            "requirements/test.txt": "-r ../requirements-dev.txt\nhypothesis\n",
        },
        {  # abstract dependencies in the package, the environment pinned by pip-compile
            "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.11"\n'
            'dependencies = ["pandas>=2"]\n',
            "requirements.txt": "pandas==2.2.2\nnumpy==1.26.4\n",
        },
        {  # ranges in requirements.in, compiled into requirements.txt
            "requirements.in": "pandas>=2\n",
            "requirements.txt": "pandas==2.2.2\n",
            ".python-version": "3.11.9\n",
        },
        {  # dependencies that setuptools reads from the pinned requirements file
            "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.11"\n'
            'dynamic = ["dependencies"]\n',
            "requirements.txt": "pandas==2.2.2\n",
        },
        {"requirements.txt": "pandas==2.2.2\n", "runtime.txt": "python-3.11.9\n"},
        {"requirements.txt": "pandas==2.2.2\n", ".tool-versions": "nodejs 20.1.0\npython 3.11.9\n"},
    ],
    ids=[
        "extras-and-dev",
        "abstract-and-compiled",
        "requirements-in",
        "dynamic",
        "runtime-txt",
        "tool-versions",
    ],
)
def test_ranges_where_they_are_by_design_pass(make_repo: MakeRepo, files: dict[str, str]) -> None:
    result = run(make_repo(files))

    assert result.status is Status.PASS, located(result)


# -- the readers ---------------------------------------------------------------------------------


def test_logical_lines_follow_pips_rules_for_continuations_and_comments() -> None:
    text = (
        "numpy==1.26.4 \\\n"
        "    --hash=sha256:aa \\\n"
        "    --hash=sha256:bb\n"
        "\n"
        "pkg @ https://host/p.whl#sha256=cc  # a comment\n"
        "# a comment that ends in a backslash \\\n"
        "last \\\n"
    )

    assert list(logical_lines(text)) == [
        (1, "numpy==1.26.4     --hash=sha256:aa     --hash=sha256:bb"),
        (5, "pkg @ https://host/p.whl#sha256=cc"),
        (7, "last"),
    ]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("numpy=1.26.4=py311h64a7726_0", ("numpy", "1.26.4", None)),
        ("numpy==1.26.4", ("numpy", "1.26.4", None)),
        ("numpy 1.26.4 py311_0", ("numpy", "1.26.4", None)),
        ("conda-forge::numpy=1.26.4", ("numpy", "1.26.4", None)),
        ("numpy", ("numpy", None, "it accepts any version")),
        ("numpy=1.*", ("numpy", "1.*", "=1.* accepts every matching release")),
        ("numpy>=1.26", ("numpy", ">=1.26", "it accepts a range of versions (>=1.26)")),
        ("numpy=1.26|1.27", ("numpy", "1.26|1.27", "=1.26|1.27 accepts every matching release")),
    ],
)
def test_conda_specs(spec: str, expected: tuple[str, str | None, str | None]) -> None:
    assert conda_spec(spec) == expected
