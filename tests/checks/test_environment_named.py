"""environment: the files a project's own tools install its environment from (MLproject, the
README, the Makefile, CI), requirements kept in one folder of the project, and setuptools'
``install_requires`` (issue #15, class 5: "nothing says how to rebuild" when something does)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MakeRepo

from dsdone.checks.environment import environment
from dsdone.report import CheckResult, Status
from dsdone.testing import run_check

PYTHON = {".python-version": "3.11\n"}
NOTHING = "nothing says how to rebuild the environment"
# Where the check looked, as the finding says it.
EVERYWHERE = (
    f"{NOTHING}: no lock file, no requirements file, no dependencies in pyproject.toml or "
    "setup.py, no conda environment file, and no install command in the README, the Makefile "
    "or CI"
)


def run(root: Path) -> CheckResult:
    return run_check(root, environment)


def located(result: CheckResult) -> list[tuple[str | None, int | None, str]]:
    return [(f.path, f.line, f.message) for f in result.findings]


def test_the_conda_file_mlproject_names_is_read(make_repo: MakeRepo) -> None:
    # mlflow/mlflow-example: MLproject:3 `conda_env: conda.yaml`.
    root = make_repo({
        "MLproject": "name: tutorial\n\nconda_env: conda.yaml\n\nentry_points:\n  main:\n"
                     "    command: python train.py\n",
        "conda.yaml": "name: tutorial\nchannels:\n  - conda-forge\ndependencies:\n"
                      "  - python=3.8\n  - numpy>=1.14.3\n  - pip\n  - pip:\n    - mlflow\n",
        "train.py": "print(1)\n",
    })  # fmt: skip

    result = run(root)

    assert located(result) == [
        ("conda.yaml", 6, "'numpy>=1.14.3' is not pinned: it accepts a range of versions "
         "(>=1.14.3)"),
        ("conda.yaml", 9, "'mlflow' is not pinned: it accepts any version"),
    ]  # fmt: skip
    assert "conda env export --no-builds > conda.yaml" in (result.findings[0].hint or "")


def test_mlflows_python_env_file_is_read_with_its_python(make_repo: MakeRepo) -> None:
    root = make_repo({
        "MLproject": "name: t\npython_env: python_env.yaml\nentry_points:\n  main:\n"
                     "    command: python train.py\n",
        "python_env.yaml": 'python: "3.10.12"\nbuild_dependencies:\n  - pip\n'
                           "dependencies:\n  - -r requirements-train.txt\n  - mlflow==2.9.2\n",
        "requirements-train.txt": "pandas==2.2.2\nscikit-learn\n",
    })  # fmt: skip

    result = run(root)

    assert located(result) == [
        ("requirements-train.txt", 2, "'scikit-learn' is not pinned: it accepts any version"),
    ]


@pytest.mark.parametrize(
    ("files", "where"),
    [
        # iterative/example-get-started: README.md:35 `$ pip install -r src/requirements.txt`
        (
            {
                "README.md": "# Get started\n\n```console\n$ pip install -r src/requirements.txt\n"
                "```\n"
            },
            "README",
        ),
        (
            {"Makefile": "install:\n\t@python -m pip install --upgrade -r src/requirements.txt\n"},
            "Makefile",
        ),
        (
            {
                ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                "    steps:\n      - run: |\n          python -m pip install -U pip\n"
                "          pip install --requirement=src/requirements.txt\n"
            },
            "CI",
        ),
        ({"README.md": "```\nuv pip sync src/requirements.txt\n```\n"}, "uv pip sync"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_the_requirements_file_an_install_command_names_is_read(
    make_repo: MakeRepo, files: dict[str, str], where: str
) -> None:
    # Two folders keep requirements: only the install command says which one is the model's.
    root = make_repo({
        **files,
        "src/requirements.txt": "dvclive>=3.0\npandas==2.2.2\n",
        "deploy/requirements.txt": "fastapi\n",
        "src/train.py": "print(1)\n",
        **PYTHON,
    })  # fmt: skip

    result = run(root)

    assert located(result) == [
        ("src/requirements.txt", 1, "'dvclive>=3.0' is not pinned: it accepts a range of "
         "versions (>=3.0)"),
    ]  # fmt: skip


def test_the_tests_requirements_that_ci_installs_are_not_the_models(make_repo: MakeRepo) -> None:
    # Lightning-AI/deep-learning-project-template .github/workflows/ci-testing.yml:56-57.
    root = make_repo({
        ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: |\n          pip install --requirement requirements.txt\n"
        "          pip install --requirement tests/requirements.txt\n"
        "          pip install -r requirements-dev.txt\n",
        "requirements.txt": "torch==2.3.1\n",
        "tests/requirements.txt": "pytest>=8\n",
        "requirements-dev.txt": "ruff\n",
        **PYTHON,
    })  # fmt: skip

    assert located(run(root)) == []


def test_conda_env_create_in_the_readme_names_the_conda_file(make_repo: MakeRepo) -> None:
    root = make_repo({
        "README.md": "Setup:\n\n```bash\nconda env create -f envs/train.yml\n"
                     "conda activate train\n```\n",
        "envs/train.yml": "dependencies:\n  - python=3.11\n  - numpy=1.26.4\n  - pandas\n",
    })  # fmt: skip

    result = run(root)

    assert located(result) == [
        ("envs/train.yml", 4, "'pandas' is not pinned: it accepts any version")
    ]


def test_requirements_in_the_one_folder_that_keeps_them_are_read(make_repo: MakeRepo) -> None:
    root = make_repo({
        "src/requirements.txt": "pandas\nscikit-learn==1.5.1\n",
        "src/train.py": "print(1)\n",
        "docs/requirements.txt": "sphinx\n",  # not the model's environment
        **PYTHON,
    })  # fmt: skip

    result = run(root)

    assert located(result) == [
        ("src/requirements.txt", 1, "'pandas' is not pinned: it accepts any version")
    ]


def test_setup_py_install_requires_is_read_without_running_it(make_repo: MakeRepo) -> None:
    # karpathy/minGPT setup.py:9-11; Netflix/metaflow setup.py:74.
    root = make_repo({
        "setup.py": "from setuptools import setup, find_packages\n"
                    "raise SystemExit('never run')\n"
                    "setup(name='minGPT',\n"
                    "      packages=find_packages(),\n"
                    "      install_requires=[\n"
                    "            'torch',\n"
                    "            'numpy==1.26.4',\n"
                    "            'stubs==%s' % version,\n"
                    "      ],\n"
                    "      python_requires='>=3.9',\n"
                    ")\n",
    })  # fmt: skip

    result = run(root)

    assert located(result) == [("setup.py", 6, "'torch' is not pinned: it accepts any version")]
    assert "requirements.txt" in (result.findings[0].hint or "")
    assert (
        result.summary
        == "1 finding; no pinned environment file; Python from setup.py: python >=3.9"
    )


def test_setup_py_install_requires_through_a_name_and_no_python(make_repo: MakeRepo) -> None:
    root = make_repo({
        "setup.py": "import setuptools\nREQUIRES = ['requests', 'boto3==1.34.0']\n"
                    "setuptools.setup(name='x', install_requires=REQUIRES)\n",
    })  # fmt: skip

    result = run(root)

    assert located(result) == [
        ("setup.py", None, "no Python version is declared"),
        ("setup.py", 2, "'requests' is not pinned: it accepts any version"),
    ]
    assert "python_requires" in (result.findings[0].hint or "")


def test_setup_cfg_install_requires_is_read_at_its_lines(make_repo: MakeRepo) -> None:
    root = make_repo({
        "setup.cfg": "[metadata]\nname = x\n\n[options]\npackages = find:\n"
                     "python_requires = >=3.10\ninstall_requires =\n    numpy==1.26.4\n"
                     "    # a comment\n    torch>=2\n\n[flake8]\nmax-line-length = 99\n",
        "setup.py": "from setuptools import setup\nsetup()\n",
    })  # fmt: skip

    result = run(root)

    assert located(result) == [
        ("setup.cfg", 10, "'torch>=2' is not pinned: it accepts a range of versions (>=2)")
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # A README that only says to install the requirements, naming no file.
        (
            {
                "README.md": "Install the requirements, then run `python train.py`.\n\n```\n"
                "pip install the requirements\n```\n"
            },
            (None, None),
        ),
        # setup.py whose requirements are computed: nothing can be read without running it.
        (
            {
                "setup.py": "from setuptools import setup\n"
                "setup(install_requires=open('r').read())\n"
            },
            (None, None),
        ),
        # Several subprojects each keep their own: none of them is the root's environment.
        ({"a/requirements.txt": "x==1\n", "b/requirements.txt": "y==1\n"}, (None, None)),
        # Requirements of the docs and of development tools are not the model's environment.
        (
            {"docs/requirements.txt": "sphinx\n", "devtools/requirements-devstack.txt": "x\n"},
            (None, None),
        ),
    ],
    ids=["readme-without-a-file", "computed-setup", "subprojects", "docs-and-dev"],
)
def test_near_misses_still_say_nothing_does(
    make_repo: MakeRepo, files: dict[str, str], expected: tuple[None, None]
) -> None:
    root = make_repo({**files, "train.py": "print(1)\n", **PYTHON})

    result = run(root)

    assert result.status is Status.FAIL
    assert [(f.path, f.line) for f in result.findings] == [expected]
    assert result.findings[0].message.startswith(EVERYWHERE)


def test_an_install_command_naming_a_missing_file_is_reported_where_it_is(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({
        "README.md": "# Churn\n\n```sh\npip install -r requirements.txt\npython train.py\n```\n",
        "train.py": "print(1)\n",
        **PYTHON,
    })  # fmt: skip

    result = run(root)

    assert located(result) == [
        ("README.md", 4, f"{NOTHING}: README.md installs requirements.txt, which is not in the "
         "repository"),
    ]  # fmt: skip


def test_subprojects_keeping_their_own_requirements_are_named(make_repo: MakeRepo) -> None:
    root = make_repo({"a/requirements.txt": "x==1\n", "b/requirements.txt": "y==1\n", **PYTHON})

    result = run(root)

    assert result.findings[0].message.endswith("(requirements files of subprojects in a/, b/)")


@pytest.mark.parametrize(
    "files",
    [
        # pytorch/examples .github/workflows/doc-build.yml:23-25: `cd docs` then the install.
        {
            ".github/workflows/docs.yml": "on: [push]\njobs:\n  d:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: |\n          cd docs\n"
            "          pip install -r requirements.txt\n          make html\n"
        },
        {
            ".github/workflows/docs.yml": "on: [push]\njobs:\n  d:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - working-directory: docs\n"
            "        run: pip install -r requirements.txt\n"
        },
        {
            ".github/workflows/docs.yml": "on: [push]\ndefaults:\n  run:\n"
            "    working-directory: ./docs\njobs:\n  d:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: pip install -r requirements.txt\n"
        },
        {"README.md": "```\ncd docs && pip install -r requirements.txt\n```\n"},
        {"Makefile": "docs:\n\tcd docs && pip install -r requirements.txt\n"},
    ],
    ids=["cd-in-a-run-block", "step-working-directory", "workflow-defaults", "readme", "make"],
)
def test_an_install_after_cd_reads_the_file_in_that_folder(
    make_repo: MakeRepo, files: dict[str, str]
) -> None:
    root = make_repo({**files, "docs/requirements.txt": "sphinx\n", "train.py": "print(1)\n"})

    result = run(root)

    # docs/requirements.txt is the docs' own (not the model's): nothing else says how to
    # rebuild, and nothing is said to be missing.
    assert [f.message for f in result.findings] == [EVERYWHERE]


def test_an_install_after_cd_to_where_no_file_says_names_nothing_missing(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({
        ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: |\n          cd $RUNNER_TEMP\n"
        "          pip install -r requirements.txt\n"
        "          cd /opt/app && pip install -r reqs.txt\n"
        "      - run: pip install -r requirements-ci.txt\n",
        "train.py": "print(1)\n",
    })  # fmt: skip

    result = run(root)

    # The next step starts again at the top: requirements-ci.txt is missing there.
    assert located(result) == [
        (".github/workflows/ci.yml", 10, f"{NOTHING}: .github/workflows/ci.yml installs "
         "requirements-ci.txt, which is not in the repository"),
    ]  # fmt: skip


def test_a_readme_that_installs_packages_by_name_is_said_to_pin_nothing(
    make_repo: MakeRepo,
) -> None:
    # karpathy/nanoGPT README.md:22, under "## install".
    root = make_repo({
        "README.md": "# nanoGPT\n\n## install\n\n```\n"
        "pip install torch numpy transformers datasets tiktoken wandb tqdm\n```\n",
        "train.py": "print(1)\n",
    })  # fmt: skip

    result = run(root)

    assert located(result) == [
        ("README.md", 6, "nothing pins the environment: README.md installs torch, numpy, "
         "transformers, ... by name, with no version, and there is no lock file or "
         "requirements file"),
    ]  # fmt: skip
    assert "pip freeze > requirements.txt" in (result.findings[0].hint or "")


@pytest.mark.parametrize(
    "readme",
    [
        "```\npip install cookiecutter\ncookiecutter gh:org/template\n```\n",
        "```\npip install -U pip setuptools wheel\n```\n",
        "```\npip install -e .\n```\n",
        "```\npip install torch==2.3.1 numpy\n```\n",
        "```\npip install all the dependencies\n```\n",
        "```bash\nmake install\n```\n",
    ],
    ids=["a-generator", "packaging-tools", "the-project", "a-pin", "prose", "no-pip"],
)
def test_installs_that_are_no_environment_by_name_still_say_nothing_does(
    make_repo: MakeRepo, readme: str
) -> None:
    root = make_repo({"README.md": readme, "train.py": "print(1)\n"})

    assert [f.message for f in run(root).findings][:1] == [EVERYWHERE]


def test_a_readme_that_installs_the_project_itself_by_name_pins_nothing_of_it(
    make_repo: MakeRepo,
) -> None:
    # kedro-org/kedro-viz README.md:52 `pip install kedro-viz`: the published project, for its
    # users; package/kedro_viz/ is its code.
    root = make_repo({
        "README.md": "```bash\npip install kedro-viz\n```\n",
        "package/kedro_viz/__init__.py": "",
    })  # fmt: skip

    assert [f.message for f in run(root).findings] == [EVERYWHERE]


@pytest.mark.parametrize(
    "dockerfile",
    [
        # nickc1/sklearn_fastapi Dockerfile:3
        "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.7\nCOPY ./app /app\n"
        "RUN pip install joblib scikit-learn\n",
        "FROM python:3.11-slim\nCOPY ./app /app\nRUN apt-get update && \\\n"
        "    # the model's libraries\n    pip install --no-cache-dir joblib \\\n"
        "    scikit-learn\n",
    ],
    ids=["one-line", "continued-with-a-comment"],
)
def test_a_dockerfile_that_installs_packages_by_name_is_said_to_pin_nothing(
    make_repo: MakeRepo, dockerfile: str
) -> None:
    root = make_repo({"Dockerfile": dockerfile, "app/main.py": "import joblib\n"})

    result = run(root)

    ((path, line, message),) = located(result)
    assert (path, line) == ("Dockerfile", 3)
    assert message.startswith("nothing pins the environment: Dockerfile installs joblib, ")
    assert "in Dockerfile: `pip install -r requirements.txt`" in (result.findings[0].hint or "")


def test_a_subprojects_dockerfile_says_nothing_of_the_projects_environment(
    make_repo: MakeRepo,
) -> None:
    # zenml-projects (a monorepo of projects) rl_demo/Dockerfile:10.
    root = make_repo({
        "rl_demo/Dockerfile": "FROM python:3.12-slim\nRUN pip install Cython numpy\n",
        "rl_demo/requirements.txt": "zenml==0.80.0\n",
        "rl_demo/run.py": "import zenml\n",
        "other/requirements.txt": "pandas==2.2.2\n",
    })  # fmt: skip

    result = run(root)

    assert [path for path, _, _ in located(result)] == [None]
    assert "Dockerfile" not in result.findings[0].message


def test_a_dockerfile_that_installs_pinned_packages_or_a_file_names_no_package(
    make_repo: MakeRepo,
) -> None:
    dockerfile = (
        "FROM python:3.11-slim\nRUN pip install joblib==1.4.2 scikit-learn==1.5.1\n"
        'RUN ["pip", "install", "fastapi"]\nRUN pip install -r requirements.txt\n'
    )
    root = make_repo({"Dockerfile": dockerfile, "app/main.py": "import joblib\n"})

    result = run(root)

    assert [message for _, _, message in located(result)] == [EVERYWHERE]
