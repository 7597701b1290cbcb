"""init --existing infers from what files are, not from their names (issue #15, class 9): a
monorepo root adopts nothing from inside one subproject, a folder named config is training
config only when something reads it, and a main.py is a trainer only when it trains."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MakeRepo, RunCli

from dsdone.contract import Contract, load_contract

OWNER = "ana@example.com"
MAIN = "import argparse\n\n\nif __name__ == '__main__':\n    argparse.ArgumentParser()\n"


def adopt(run_cli: RunCli, repo: Path) -> tuple[Contract, str, str]:
    result = run_cli("init", str(repo), "--existing", "--owner", OWNER)
    assert result.exit_code == 0, result.stderr
    return load_contract(repo), (repo / "dsdone.yaml").read_text("utf-8"), result.stdout


def test_a_monorepo_root_adopts_no_input_config_or_trainer_of_one_subproject(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # kedro-org/kedro-academy: one workshop's DVC-tracked table was declared the root's input.
    repo = make_repo(
        {
            "kedro-mlops/spaceflights/pyproject.toml": "[project]\nname = 'sf'\n",
            "kedro-mlops/spaceflights/data/03_primary/table.parquet.dvc": "outs:\n- path: "
            "table.parquet\n",
            "kedro-mlops/spaceflights/conf/base/catalog.yml": "a: {type: x}\n",
            "rag-chatbot/requirements.txt": "kedro==0.19.9\n",
            "rag-chatbot/configs/app.yaml": "a: 1\n",
            "rag-chatbot/train.py": "import torch\nCONFIG = 'configs/app.yaml'\n" + MAIN,
            "README.md": "# Workshops\n",
        },
        contract=None,
    )

    contract, text, output = adopt(run_cli, repo)

    assert (contract.inputs, contract.config_files, contract.retrain) == (None, None, None)
    assert (
        "this repository holds 2 subprojects (kedro-mlops/spaceflights/, rag-chatbot/): no "
        "input, config or retrain command is adopted from inside one of them" in output
    )
    assert "#   python rag-chatbot/train.py\n" in text  # listed for the user to pick
    assert "retrain entrypoint" not in output  # not said to be found: it is not adopted


def test_a_subproject_is_the_folder_above_the_one_that_builds_its_image(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # MLOpsVN/mlops-crash-course-code: each pipeline keeps its image's requirements.txt in
    # deployment/; the subprojects were named data_pipeline/deployment/ and the like.
    repo = make_repo(
        {
            "data_pipeline/deployment/requirements.txt": "feast==0.29.0\n",
            "data_pipeline/deployment/Dockerfile": "FROM python:3.9\n",
            "data_pipeline/src/ingest.py": "import pandas\n",
            "training_pipeline/deploy/requirements.txt": "mlflow==2.1.1\n",
            "training_pipeline/src/train.py": "import torch\n" + MAIN,
            "README.md": "# Pipelines\n",
        },
        contract=None,
    )

    _, _, output = adopt(run_cli, repo)

    assert "this repository holds 2 subprojects (data_pipeline/, training_pipeline/)" in output


def test_a_project_that_deploys_from_its_own_folders_is_no_monorepo(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    repo = make_repo(
        {
            "deployment/requirements.txt": "fastapi==0.110.0\n",
            "docker/requirements.txt": "uvicorn==0.29.0\n",
            "train.py": "import torch\n" + MAIN,
        },
        contract=None,
    )

    contract, _, output = adopt(run_cli, repo)

    assert "subprojects" not in output
    assert contract.retrain is not None and contract.retrain.entrypoint == "python train.py"


def test_a_project_with_one_packaged_subfolder_is_no_monorepo(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    repo = make_repo(
        {
            "stubs/setup.py": "from setuptools import setup\nsetup()\n",
            "configs/train.yaml": "lr: 0.1\n",
            "train.py": "import torch\nCONFIG = 'configs/train.yaml'\n" + MAIN,
        },
        contract=None,
    )

    contract, _, output = adopt(run_cli, repo)

    assert contract.config_files == ("configs/**/*.yaml",)
    assert contract.retrain is not None and contract.retrain.entrypoint == "python train.py"
    assert "subprojects" not in output


@pytest.mark.parametrize(
    ("reader", "declared"),
    [
        # DataTalksClub/mlops-zoomcamp 05-monitoring/config: Grafana provisioning, read by
        # docker-compose.yml only.
        ({"docker-compose.yml": "services:\n  grafana:\n    volumes:\n"
          "      - ./config/grafana_datasources.yaml:/etc/grafana/provisioning/ds.yaml\n"}, None),
        ({"train.py": "import yaml\nyaml.safe_load(open('config/grafana_datasources.yaml'))\n"},
         ("config/**/*.yaml",)),
        ({"Makefile": "train:\n\tpython train.py -c config/grafana_datasources.yaml\n"},
         ("config/**/*.yaml",)),
    ],
    ids=["grafana-provisioning", "read-by-code", "read-by-make"],
)  # fmt: skip
def test_a_config_folder_is_declared_only_when_code_or_a_tool_reads_it(
    make_repo: MakeRepo,
    run_cli: RunCli,
    reader: dict[str, str],
    declared: tuple[str, ...] | None,
) -> None:
    repo = make_repo(
        {
            "config/grafana_datasources.yaml": "apiVersion: 1\ndatasources: []\n",
            "config/grafana_dashboards.yaml": "apiVersion: 1\nproviders: []\n",
            **reader,
        },
        contract=None,
    )

    contract, _, output = adopt(run_cli, repo)

    assert contract.config_files == declared
    if declared is None:
        assert "config/: named like config, but no code or tool of the repository reads it" in (
            output
        )


def test_a_vendored_main_py_is_not_a_training_script(make_repo: MakeRepo, run_cli: RunCli) -> None:
    # Netflix/metaflow metaflow/plugins/cards/card_modules/chevron/main.py: a mustache renderer
    # with a command line, listed as a "training script".
    renderer = (
        "import argparse\nfrom .renderer import render\n\n\ndef cli_main():\n"
        "    args = argparse.ArgumentParser().parse_args()\n    print(render(args))\n\n\n"
        "if __name__ == '__main__':\n    cli_main()\n"
    )
    repo = make_repo(
        {
            "metaflow/__init__.py": "",
            "metaflow/plugins/__init__.py": "",
            "metaflow/plugins/chevron/main.py": renderer,
            "metaflow/plugins/chevron/run.py": renderer,
        },
        contract=None,
    )

    contract, text, output = adopt(run_cli, repo)

    assert contract.retrain is None
    assert "chevron" not in text and "chevron" not in output


def imet_main(mode_nargs: str = "") -> str:
    """lopuhin/kaggle-imet-2019's imet/main.py, in short: argparse positionals through an alias."""
    return (
        "import argparse\nimport torch\n\n\ndef main():\n"
        "    parser = argparse.ArgumentParser()\n"
        "    arg = parser.add_argument\n"
        f"    arg('mode', choices=['train', 'validate']{mode_nargs})\n"
        f"    arg('run_root'{mode_nargs})\n"
        "    arg('--lr', type=float, default=1e-4)\n"
        "    args = parser.parse_args()\n\n\n"
        "if __name__ == '__main__':\n    main()\n"
    )


def test_a_trainer_whose_command_line_requires_arguments_is_not_adopted_without_them(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # lopuhin/kaggle-imet-2019: `python -m imet.main` was adopted; it stops with "the following
    # arguments are required: mode, run_root".
    repo = make_repo({"imet/__init__.py": "", "imet/main.py": imet_main()}, contract=None)

    contract, text, output = adopt(run_cli, repo)

    assert contract.retrain is None
    assert (
        "imet/main.py trains, but its command line requires mode, run_root and the README "
        "shows no command that gives them" in output
    )
    assert "#   python -m imet.main\n" in text  # listed for the user to complete


@pytest.mark.parametrize(
    ("files", "entrypoint"),
    [
        pytest.param(
            {"imet/main.py": imet_main(", nargs='?'")}, "python -m imet.main", id="optional"
        ),
        pytest.param(
            {
                "imet/main.py": imet_main(),
                "README.md": "# iMet\n\n```\npython -m imet.main train runs/resnet50\n```\n",
            },
            "python -m imet.main train runs/resnet50",
            id="the README gives them",
        ),
    ],
)
def test_a_trainer_run_with_what_its_command_line_requires_is_adopted(
    make_repo: MakeRepo, run_cli: RunCli, files: dict[str, str], entrypoint: str
) -> None:
    repo = make_repo({"imet/__init__.py": "", **files}, contract=None)

    contract, _, _ = adopt(run_cli, repo)

    assert contract.retrain is not None and contract.retrain.entrypoint == entrypoint
