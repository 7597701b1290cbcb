"""retrain-entrypoint: the retrain command resolves statically to committed code, the files it
names are committed, and the schedule is a valid cron expression."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli, git

from dsdone.checks.retrain_entrypoint import retrain_entrypoint
from dsdone.report import CheckResult, Finding, Status
from dsdone.testing import run_check

PROJECT = {
    "src/demo/__init__.py": "",
    "src/demo/train.py": "def fit():\n    pass\n\n\nif __name__ == '__main__':\n    fit()\n",
    "src/demo/serve/__init__.py": "",
    "src/demo/serve/__main__.py": "print('serving')\n",
    "src/demo/pkgonly/__init__.py": "",
    "scripts/train.py": "print('train')\n",
    "scripts/retrain.sh": "python -m demo.train\n",
    "configs/train.yaml": "epochs: 3\n",
    "pyproject.toml": """\
        [project]
        name = "demo"
        [project.scripts]
        demo-train = "demo.train:fit"
        demo-broken = "demo.gone:main"
        """,
    "Makefile": """\
        .PHONY: data train
        CONFIG := configs/train.yaml

        data:
        \tpython scripts/train.py

        train fit: data
        \tpython -m demo.train --config $(CONFIG)
        """,
    "build/ml.mk": "retrain:\n\tpython -m demo.train\n",
    "dvc.yaml": "stages:\n  prepare:\n    cmd: python scripts/train.py\n  train:\n    cmd: x\n",
    "pipelines/dvc.yaml": "stages:\n  features:\n    cmd: python f.py\n",
    "MLproject": """\
        name: demo
        entry_points:
          main:
            command: python -m demo.train
          train:
            parameters:
              config: {type: str, default: configs/train.yaml}
            command: python -m demo.train --config {config}
        """,
}


def contract(entrypoint: str | None, schedule: str | None = None) -> str:
    lines = ["retrain:"]
    if entrypoint is not None:
        lines.append(f"  entrypoint: {json.dumps(entrypoint)}")
    if schedule is not None:
        lines.append(f"  schedule: {json.dumps(schedule)}")
    return MINIMAL_CONTRACT + "\n".join(lines) + "\n"


def run(root: Path, **options: Any) -> CheckResult:
    return run_check(root, retrain_entrypoint, **options)


def check_entrypoint(make_repo: MakeRepo, entrypoint: str, **files: str) -> CheckResult:
    return run(make_repo({**PROJECT, **files}, contract=contract(entrypoint)))


def only_finding(result: CheckResult) -> Finding:
    assert result.status is Status.FAIL, result.summary
    assert len(result.findings) == 1, result.findings
    return result.findings[0]


@pytest.mark.parametrize(
    "entrypoint",
    [
        "python -m demo.train",
        "python3 -u -m demo.train",
        "python3.11 -X dev -W error -m demo.train",
        "python -mdemo.train",
        "python -m demo.serve",  # a package with __main__.py
        "python scripts/train.py",
        "python src/demo/serve",  # a folder with __main__.py
        "python ./scripts/train.py --config configs/train.yaml",
        "demo.train:fit",
        "src/demo/train.py:fit",
        "demo-train",
        "demo-train --config=configs/train.yaml",
        "bash scripts/retrain.sh",
        "make train",
        "make fit data",
        "make",
        "make -j 4 train CONFIG=configs/train.yaml",
        "make -f build/ml.mk retrain",
        "make -f ./build/ml.mk retrain",
        "make -C build -f ml.mk retrain",
        "dvc repro",
        "dvc repro train",
        "dvc repro -f prepare train",
        "dvc repro pipelines/dvc.yaml:features",
        "dvc repro pipelines:features",
        "mlflow run .",
        "mlflow run . -e train",
        "mlflow run . --entry-point=train -P config=configs/train.yaml",
        "mlflow run . -e scripts/train.py",  # a file mlflow runs as a script
        "uv run python -m demo.train",
        "uv run --frozen demo-train",
        "uv run --with pandas --python 3.11 python -m demo.train",
        "poetry run demo-train",
        "CUDA_VISIBLE_DEVICES=0 python -m demo.train",
    ],
)
def test_entrypoints_that_resolve_pass(make_repo: MakeRepo, entrypoint: str) -> None:
    result = check_entrypoint(make_repo, entrypoint)
    assert result.status is Status.PASS, result.findings


@pytest.mark.parametrize(
    ("entrypoint", "reason"),
    [
        ("python -m demo.trian", "'demo.trian' does not resolve: module 'demo.trian' is not in "
         "the repository (looked for src/demo/trian.py, src/demo/trian/__main__.py, "
         "demo/trian.py, demo/trian/__main__.py)"),
        ("python -m demo.pkgonly", "'demo.pkgonly' does not resolve: 'demo.pkgonly' is a package "
         "(src/demo/pkgonly/__init__.py) without a __main__.py, so `python -m demo.pkgonly` "
         "cannot run it"),
        ("python scripts/trian.py", "'scripts/trian.py' does not resolve: scripts/trian.py does "
         "not exist"),
        ("python src/demo/pkgonly", "'src/demo/pkgonly' does not resolve: "
         "src/demo/pkgonly/__main__.py is missing"),
        ("python -c 'import demo; demo.train()'", "`python -c` runs inline code, which cannot be "
         "found in the repository"),
        ("python -u", "python is given no script or module to run"),
        ("python -m", "`python -m` names no module"),
        ("demo.train:fitt", "'demo.train:fitt' does not resolve: 'fitt' is not defined at the "
         "top level of src/demo/train.py"),
        ("demo-trian", "'demo-trian' is not a console script of the project (it "
         "declares: demo-broken, demo-train), nor a command dsdone understands"),
        ("demo-broken", "the console script 'demo-broken' = 'demo.gone:main' does not resolve: "
         "module 'demo.gone' is not in the repository (looked for src/demo/gone.py, "
         "src/demo/gone/__init__.py, demo/gone.py, demo/gone/__init__.py)"),
        ("make deploy", "'deploy' is not a target of Makefile (its targets: data, fit, train)"),
        ("make -f build/ml.mk train", "'train' is not a target of build/ml.mk (its targets: "
         "retrain)"),
        ("make -f build/none.mk", "there is no build/none.mk in the repository"),
        ("dvc repro evaluate", "'evaluate' is not a stage of dvc.yaml (its stages: prepare, "
         "train)"),
        ("dvc repro models/dvc.yaml:train", "models/dvc.yaml is not in the repository"),
        ("mlflow run . -e evaluate", "'evaluate' is not an entry point of MLproject (its entry "
         "points: main, train)"),
        ("mlflow run https://github.com/acme/churn -e train", "`mlflow run "
         "https://github.com/acme/churn` runs a project from elsewhere, not this repository"),
        ("mlflow run pipelines", "there is no pipelines/MLproject in the repository"),
        ("mlflow -e train", "'mlflow' is not a console script of the project (it "
         "declares: demo-broken, demo-train), nor a command dsdone understands"),
        ("poetry run", "there is no command"),
        ("bash -c 'python -m demo.train'", "`bash -c` runs inline shell code, which cannot be "
         "found in the repository"),
    ],
)  # fmt: skip
def test_entrypoints_that_do_not_resolve_say_why_at_the_contract_line(
    make_repo: MakeRepo, entrypoint: str, reason: str
) -> None:
    finding = only_finding(check_entrypoint(make_repo, entrypoint))
    assert finding.message == f"retrain.entrypoint '{entrypoint}': {reason}"
    assert (finding.path, finding.line) == ("dsdone.yaml", 6)
    assert finding.hint


@pytest.mark.parametrize(
    ("layout", "entrypoint", "message"),
    [
        ({}, "make train", "there is no GNUmakefile or makefile or Makefile in the repository"),
        ({"makefile": "train:\n\ttrue\n"}, "make train", None),
        ({"GNUmakefile": ".PHONY: all\n"}, "make", "GNUmakefile declares no target"),
        ({}, "dvc repro", "dvc.yaml is not in the repository"),
        ({"dvc.yaml": "stages: []\n"}, "dvc repro", "dvc.yaml has no 'stages:' mapping"),
        ({}, "mlflow run .", "there is no MLproject in the repository"),
        ({"MLproject": "name: demo\nentry_points:\n  train:\n    command: x\n"}, "mlflow run .",
         "'main' is not an entry point of MLproject (its entry points: train)"),
        ({"MLproject": "entry_points: {main: [\n"}, "mlflow run .",
         "MLproject:2 is not valid YAML: expected the node content, but found '<stream end>'"),
    ],
)  # fmt: skip
def test_the_build_file_a_command_needs_must_be_there(
    make_repo: MakeRepo, layout: dict[str, str], entrypoint: str, message: str | None
) -> None:
    files = {"src/demo/train.py": "", **layout}
    result = run(make_repo(files, contract=contract(entrypoint)))
    if message is None:
        assert result.status is Status.PASS, result.findings
    else:
        assert only_finding(result).message == f"retrain.entrypoint '{entrypoint}': {message}"


def test_an_unbalanced_quote_is_a_finding(make_repo: MakeRepo) -> None:
    finding = only_finding(check_entrypoint(make_repo, "python -m 'demo.train"))
    assert finding.message == "retrain.entrypoint cannot be split into words: No closing quotation"


def test_an_entrypoint_file_that_is_not_committed_is_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo(PROJECT, contract=contract("python scripts/new.py"))
    (root / "scripts" / "new.py").write_text("print('new')\n", encoding="utf-8")
    finding = only_finding(run(root))
    assert (
        finding.message
        == "retrain.entrypoint 'python scripts/new.py': scripts/new.py is not committed"
    )
    assert finding.hint == "git add scripts/new.py and commit it"


# -- files named by arguments ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "path", "why"),
    [
        ("--config configs/missing.yaml", "configs/missing.yaml", "does not exist"),
        ("--config=configs/missing.yaml", "configs/missing.yaml", "does not exist"),
        ("config=configs/missing.yaml", "configs/missing.yaml", "does not exist"),
        ("--hparams hp/missing.txt", "hp/missing.txt", "does not exist"),  # named config
        ("params.json", "params.json", "does not exist"),
        ("--config ../secrets.yaml", "../secrets.yaml", "points outside the project folder"),
        ("--config configs/local.yaml", "configs/local.yaml",
         "is ignored by git, so a fresh clone does not have it"),
        ("--config configs/draft.yaml", "configs/draft.yaml", "is not tracked by git"),
    ],
)  # fmt: skip
def test_arguments_that_name_repository_files_must_exist_and_be_committed(
    make_repo: MakeRepo, arguments: str, path: str, why: str
) -> None:
    files = {**PROJECT, ".gitignore": "configs/local.yaml\n", "configs/local.yaml": "a: 1\n"}
    root = make_repo(files, contract=contract(f"python -m demo.train {arguments}"))
    (root / "configs" / "draft.yaml").write_text("a: 2\n", encoding="utf-8")
    finding = only_finding(run(root))
    assert finding.message == (
        f"retrain.entrypoint 'python -m demo.train {arguments}' names {path}, which {why}"
    )
    assert finding.line == 6


@pytest.mark.parametrize(
    "arguments",
    [
        "--config configs/train.yaml",
        "--config ./configs/train.yaml",
        "--config-dir configs/",  # a folder of committed files
        "--output models/model.pkl",  # written by the run: need not exist
        "-o models/model.pkl",
        "--save-dir=runs/today",
        "OUTPUT_DIR=models/",
        "--data s3://bucket/train.parquet",
        "--lr 0.01 --epochs 3 --seed 42",
        "--run-name v1.2",
        "--notify ana@example.com",
        "--since 2024-01-01",
        "--input /mnt/shared/train.csv",  # absolute: not a repository file (personal-paths' job)
        "--glob 'data/*.csv'",
        "--config ${CONFIG_PATH}",
        # Data, weights and what the run writes need not be committed (real README commands):
        "+data.path=data/missing.csv",  # data is often kept out of git on purpose
        "--features-path data/processed/features.csv",  # cookiecutter-data-science
        "--results-fp results/training_results.json",  # Made-With-ML: an output
        "ckpt_path=logs/train/runs/last.ckpt",  # lightning-hydra-template: resumed from
        "--weights yolov5s.pt",  # yolov5: downloaded on first use
        "--data coco128.yaml",  # yolov5 looks in data/, where the repository has it
        "--data data/ignored.csv",  # ignored data: DVC or a bucket brings it
        "> logs/train.log 2>&1",  # a redirection
    ],
)
def test_arguments_that_are_not_repository_files_are_not_checked(
    make_repo: MakeRepo, arguments: str
) -> None:
    result = check_entrypoint(
        make_repo,
        f"python -m demo.train {arguments}",
        **{"data/coco128.yaml": "path: x\n", ".gitignore": "data/ignored.csv\n"},
    )
    assert result.status is Status.PASS, result.findings


def test_output_options_can_be_configured(make_repo: MakeRepo) -> None:
    settings = "checks:\n  retrain-entrypoint:\n    output_options: [--report]\n"
    entry = "python -m demo.train --report reports/today.yaml --summary reports/summary.yaml"
    root = make_repo(PROJECT, contract=contract(entry) + settings)
    finding = only_finding(run(root))
    assert finding.message.endswith("names reports/summary.yaml, which does not exist")


def test_files_named_by_make_variables_and_mlflow_parameters_are_checked(
    make_repo: MakeRepo,
) -> None:
    for entry in (
        "make train CONFIG=configs/gone.yaml",
        "mlflow run . -P config=configs/gone.yaml",
    ):
        finding = only_finding(check_entrypoint(make_repo, entry))
        assert (
            finding.message
            == f"retrain.entrypoint '{entry}' names configs/gone.yaml, which does not exist"
        )


# -- the schedule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schedule",
    ["0 3 * * 1", "*/15 * * * *", "0 0 1 JAN *", "30 6 * * MON-FRI", "0 0 1-31/2 * 0,7",
     "@daily", "@weekly", "@monthly", "@hourly", "@yearly", "@annually", "@DAILY"],
)  # fmt: skip
def test_valid_schedules_pass(make_repo: MakeRepo, schedule: str) -> None:
    root = make_repo(PROJECT, contract=contract("python -m demo.train", schedule))
    assert run(root).status is Status.PASS


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("0 25 * * *", "field 2 (hour) is 25, must be 0-23"),
        ("60 * * * *", "field 1 (minute) is 60, must be 0-59"),
        ("0 0 0 * *", "field 3 (day of month) is 0, must be 1-31"),
        ("0 0 32 * *", "field 3 (day of month) is 32, must be 1-31"),
        ("0 0 * 13 *", "field 4 (month) is 13, must be 1-12 or JAN-DEC"),
        ("0 0 * JNA *", "field 4 (month) is 'JNA', must be 1-12 or JAN-DEC"),
        ("0 0 * * 8", "field 5 (day of week) is 8, must be 0-7 or SUN-SAT"),
        ("0 0 * * MON-FUN", "field 5 (day of week) is 'FUN' in 'MON-FUN', must be 0-7 or SUN-SAT"),
        ("0 1,24 * * *", "field 2 (hour) has 24 in '1,24', must be 0-23"),
        ("0 5-1 * * *", "field 2 (hour) '5-1': the range 5-1 runs backwards"),
        ("*/0 * * * *", "field 1 (minute) '*/0': the step after '/' must be a whole number from 1"),
        ("0 3 * *", "a cron expression has 5 fields (minute hour day-of-month month "
         "day-of-week); '0 3 * *' has 4"),
        ("0 3 * * * 2026", "a cron expression has 5 fields (minute hour day-of-month month "
         "day-of-week); '0 3 * * * 2026' has 6"),
        ("daily", "a cron expression has 5 fields (minute hour day-of-month month "
         "day-of-week); 'daily' has 1"),
        ("@reboot", "'@reboot' is not a cron macro; use one of @hourly, @daily, @midnight, "
         "@weekly, @monthly, @yearly, @annually"),
    ],
)  # fmt: skip
def test_an_invalid_schedule_names_the_wrong_field(
    make_repo: MakeRepo, schedule: str, problem: str
) -> None:
    root = make_repo(PROJECT, contract=contract("python -m demo.train", schedule))
    finding = only_finding(run(root))
    assert finding.message == f"retrain.schedule '{schedule}' is not a valid schedule: {problem}"
    assert (finding.path, finding.line) == ("dsdone.yaml", 7)


# -- the contract ------------------------------------------------------------------------------


def test_no_retrain_section_fails_with_a_minimal_example(make_repo: MakeRepo) -> None:
    finding = only_finding(run(make_repo(PROJECT)))
    assert (
        finding.message == "the contract does not say how to retrain the model (retrain.entrypoint)"
    )
    assert finding.hint is not None and "entrypoint: python -m demo.train" in finding.hint


def test_a_schedule_without_an_entrypoint_fails_at_the_retrain_line(make_repo: MakeRepo) -> None:
    result = run(make_repo(PROJECT, contract=contract(None, "0 25 * * *")))
    assert [(f.line, f.message[:40]) for f in result.findings] == [
        (5, "the contract does not say how to retrain"),
        (6, "retrain.schedule '0 25 * * *' is not a v"),
    ]


def test_outside_git_nothing_is_required_to_be_committed(make_repo: MakeRepo) -> None:
    entry = "python scripts/train.py --config configs/train.yaml"
    root = make_repo(PROJECT, git_init=False, contract=contract(entry))
    assert run(root).status is Status.PASS


def test_a_file_removed_from_git_but_left_on_disk_is_not_committed(make_repo: MakeRepo) -> None:
    root = make_repo(PROJECT, contract=contract("python -m demo.train --config configs/train.yaml"))
    git(root, "rm", "-q", "--cached", "configs/train.yaml")
    finding = only_finding(run(root))
    assert finding.message.endswith("names configs/train.yaml, which is not tracked by git")


def test_through_the_cli_the_report_gives_area_and_exit_code(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(PROJECT, contract=contract("make deploy", "@daily"))
    result = run_cli("check", str(root), "--select", "retrain-entrypoint", "--format", "json")
    assert result.exit_code == 1
    [check] = json.loads(result.stdout)["results"]
    assert (check["check"], check["area"], check["status"]) == (
        "retrain-entrypoint",
        "infrastructure",
        "fail",
    )
    assert check["findings"][0]["line"] == 6


KEDRO_PROJECT = {
    "pyproject.toml": """\
        [project]
        name = "spaceflights"
        [tool.kedro]
        package_name = "spaceflights"
        project_name = "Spaceflights"
        """,
    "src/spaceflights/__init__.py": "",
    "src/spaceflights/pipeline_registry.py": """\
        from kedro.framework.project import find_pipelines

        def register_pipelines():
            pipelines = find_pipelines()
            pipelines["reporting"] = pipelines["data_science"]
            pipelines["__default__"] = sum(pipelines.values())
            return pipelines
        """,
    "src/spaceflights/pipelines/data_science/__init__.py": "",
    "src/spaceflights/pipelines/data_science/pipeline.py": "def create_pipeline(): ...\n",
}


@pytest.mark.parametrize(
    "entrypoint",
    [
        "kedro run",
        "kedro run --pipeline data_science",  # discovered by find_pipelines() from its folder
        "kedro run --pipeline=reporting",  # registered by name in pipeline_registry.py
        "kedro run -p __default__ --env production",
    ],
)
def test_a_kedro_run_of_a_registered_pipeline_resolves(
    make_repo: MakeRepo, entrypoint: str
) -> None:
    root = make_repo(KEDRO_PROJECT, contract=contract(entrypoint))
    assert run(root).status is Status.PASS


@pytest.mark.parametrize(
    ("files", "entrypoint", "words"),
    [
        (
            KEDRO_PROJECT,
            "kedro run --pipeline training",
            "src/spaceflights/pipeline_registry.py registers no pipeline 'training' (it "
            "registers: __default__, data_science, reporting)",
        ),
        (
            {"pyproject.toml": "[project]\nname = 'x'\n"},
            "kedro run",
            "`kedro run` needs a Kedro project, and pyproject.toml has no [tool.kedro] "
            "package_name",
        ),
        (
            {k: v for k, v in KEDRO_PROJECT.items() if not k.endswith("pipeline_registry.py")},
            "kedro run",
            "there is no src/spaceflights/pipeline_registry.py",
        ),
    ],
    ids=["unknown-pipeline", "not-kedro", "no-registry"],
)
def test_a_kedro_run_that_cannot_be_found_is_a_finding(
    make_repo: MakeRepo, files: dict[str, str], entrypoint: str, words: str
) -> None:
    root = make_repo(files, contract=contract(entrypoint))
    finding = only_finding(run(root))
    assert words in finding.message
    assert finding.path == "dsdone.yaml"


# -- the commands people write (field report class 5) ------------------------------------------

LAUNCHED = {
    **PROJECT,
    "train.py": "import argparse\n\nif __name__ == '__main__':\n    argparse.ArgumentParser()\n",
    "config/train_gpt2.py": "batch_size = 12\n",
    "data/shakespeare/prepare.py": "print('prepare')\n",
    "ds_config.json": "{}\n",
    "justfile": """\
        set shell := ["bash", "-c"]
        epochs := "3"
        alias t := train

        # Train the model
        train epochs="3": data
            python train.py --epochs {{epochs}}

        @data:
            echo data
        """,
    "setup.py": """\
        from setuptools import setup
        setup(
            name="demo",
            entry_points={"console_scripts": ["train_command = demo.train:fit"]},
        )
        """,
    "sub/Makefile": "train:\n\tpython ../train.py\n",
    "recipe.yaml": "recipe: regression/v1\n",
    "profiles/local.yaml": "experiment: {name: x}\n",
    "MLproject": """\
        name: demo
        entry_points:
          main:
            parameters:
              alpha: float
              data: {type: path, default: data/train.csv}
            command: python train.py --alpha {alpha} --data {data}
          quick:
            parameters:
              alpha: {type: float, default: 0.1}
            command: python train.py --alpha {alpha}
        """,
}


@pytest.mark.parametrize(
    "entrypoint",
    [
        "torchrun --standalone --nproc_per_node=8 train.py config/train_gpt2.py",  # nanoGPT
        "torchrun --nproc_per_node 8 train.py",
        "torchrun --nnodes 2 -m demo.train",
        "accelerate launch --num_processes 2 train.py",
        "accelerate launch --multi_gpu train.py",
        "python -m torch.distributed.launch --nproc_per_node=8 --use_env train.py",  # detr
        "python -m torch.distributed.run --nproc_per_node 8 train.py",
        "deepspeed --num_gpus 2 train.py --deepspeed ds_config.json",
        "mpirun -np 4 python train.py",
        "srun --gres=gpu:1 python -m demo.train",
        "horovodrun -np 4 -H localhost:4 python train.py",
        "conda run -n ml python train.py",
        "uv run train.py",
        "uv run --directory data/shakespeare python prepare.py",
        "cd data/shakespeare && python prepare.py",  # nanoGPT's README
        "cd data/shakespeare && python prepare.py && cd ../.. && python train.py",
        "cd sub && make train",
        "make -C sub train",
        "make --directory=sub train",
        "just",
        "just train",
        "just train 10",
        "just t",
        "dvc exp run",  # example-dvc-experiments' README
        "dvc exp run train -S train.epochs=5",
        "dvc pull && dvc repro",
        "pip install -r requirements.txt && python train.py | tee train.log",
        "train_command",  # a console script of setup.py (lightning-hydra-template)
        "mlflow recipes run --profile local",
        "mlflow run . -P alpha=0.5",
        "mlflow run . -e quick",
        "nohup python train.py > train.log 2>&1 &",
    ],
)
def test_launchers_sequences_and_workflow_tools_resolve(
    make_repo: MakeRepo, entrypoint: str
) -> None:
    result = run(make_repo(LAUNCHED, contract=contract(entrypoint)))
    assert result.status is Status.PASS, result.findings


@pytest.mark.parametrize(
    ("entrypoint", "reason"),
    [
        ("torchrun --nproc_per_node 8 trian.py", "'trian.py' does not resolve: trian.py does "
         "not exist"),
        ("accelerate launch --multi_gpu", "the launcher is given no script to run"),
        ("cd data && python prepare.py", "'prepare.py' does not resolve: data/prepare.py does "
         "not exist"),
        ("cd /opt/app && python train.py", "`cd /opt/app` does not go to a folder of the "
         "repository, so what follows cannot be found in it"),
        ("just deploy", "'deploy' is not a recipe of justfile (its recipes: data, t, train)"),
        ("cd sub && just train", "there is no sub/justfile in the repository"),
        ("dvc exp run evaluate", "'evaluate' is not a stage of dvc.yaml (its stages: prepare, "
         "train)"),
        ("mlflow run .", "the entry point 'main' of MLproject has parameters without a default "
         "(alpha): mlflow refuses to run it without -P alpha=VALUE"),
        ("mlflow recipes run --profile prod", "the profile 'prod' has no profiles/prod.yaml in "
         "the repository"),
        ("pip install -r requirements.txt && echo done", "the command runs no code of the "
         "repository (only pip, echo)"),
    ],
)  # fmt: skip
def test_launchers_sequences_and_workflow_tools_that_do_not_resolve(
    make_repo: MakeRepo, entrypoint: str, reason: str
) -> None:
    finding = only_finding(run(make_repo(LAUNCHED, contract=contract(entrypoint))))
    assert finding.message == f"retrain.entrypoint '{entrypoint}': {reason}"


STEP = """\
    from zenml import step
    from zenml.logger import get_logger

    logger = get_logger(__name__)


    @step()
    def train_model(train_df):
        \"\"\"Train the model.\"\"\"
        return train_df
    """


@pytest.mark.parametrize(
    "entrypoint",
    ["python src/steps/training/train.py", "python -m src.steps.training.train"],
)
def test_a_script_that_only_defines_functions_runs_nothing(
    make_repo: MakeRepo, entrypoint: str
) -> None:
    # zenml-projects/credit-scorer: init used to write a ZenML @step file as the retrain
    # command, and the check passed it; running it defines train_model and exits.
    files = {
        "src/__init__.py": "",
        "src/steps/__init__.py": "",
        "src/steps/training/__init__.py": "",
        "src/steps/training/train.py": STEP,
    }
    finding = only_finding(run(make_repo(files, contract=contract(entrypoint))))
    assert finding.message == (
        f"retrain.entrypoint '{entrypoint}': src/steps/training/train.py only defines functions "
        'and classes: run as a script it does nothing (no `if __name__ == "__main__":` block, '
        "no call at its top level)"
    )


@pytest.mark.parametrize(
    "script",
    [
        "import fire\n\ndef main(): ...\n\nfire.Fire(main)\n",
        "exec(open('configurator.py').read())\nfor step in range(3):\n    pass\n",  # nanoGPT
        "def train():\n    return 1\n\nmodel = train()\n",
        "import typer\napp = typer.Typer()\n\nif __name__ == '__main__':\n    app()\n",
        "try:\n    import torch\nexcept ImportError:\n    torch = None\nmain = print\nmain('x')\n",
    ],
    ids=["fire", "top-level-script", "assignment", "main-guard", "call-after-try"],
)
def test_scripts_that_run_something_are_not_called_inert(make_repo: MakeRepo, script: str) -> None:
    result = run(make_repo({"train.py": script}, contract=contract("python train.py")))
    assert result.status is Status.PASS, result.findings


REGISTRIES = {
    "explicit-dict": (
        """\
        from demo.pipelines import data_processing as dp, data_science as ds

        def register_pipelines():
            data_processing = dp.create_pipeline(tags=["training", "features"])
            data_science = ds.create_pipeline()
            return {
                "__default__": data_processing + data_science,
                "dp": data_processing,
                "ds": data_science,
            }
        """,
        {"kedro run", "kedro run --pipeline ds", "kedro run -p dp", "kedro run --pipelines=dp,ds"},
        # a quoted word elsewhere in the file (a tag) is no pipeline
        {"kedro run --pipeline training": "registers no pipeline 'training' (it registers: "
         "__default__, dp, ds)"},
    ),
    "find-pipelines-without-default": (
        """\
        from kedro.framework.project import find_pipelines

        def register_pipelines():
            return find_pipelines()
        """,
        set(),
        {"kedro run": "registers no pipeline '__default__' (it registers: none)"},
    ),
    "nothing-to-run": (
        """\
        from kedro.framework.project import find_pipelines

        def register_pipelines():
            pipelines = find_pipelines()
            pipelines["__default__"] = sum(pipelines.values())
            return pipelines
        """,
        set(),
        {"kedro run": "registers no pipeline but __default__, and there is no pipeline under "
         "src/demo/pipelines/: `kedro run` runs nothing"},
    ),
    "built-in-a-loop": (
        """\
        def register_pipelines():
            pipelines = {}
            for name in ("a", "b"):
                pipelines[name] = make(name)
            pipelines.update(extra())
            return pipelines
        """,
        {"kedro run", "kedro run --pipeline anything"},  # not read statically: nothing claimed
        {},
    ),
}  # fmt: skip


@pytest.mark.parametrize("registry", list(REGISTRIES))
def test_kedro_pipelines_are_the_names_the_registry_returns(
    make_repo: MakeRepo, registry: str
) -> None:
    source, passing, failing = REGISTRIES[registry]
    files = {
        "pyproject.toml": "[project]\nname = 'demo'\n[tool.kedro]\npackage_name = 'demo'\n",
        "src/demo/__init__.py": "",
        "src/demo/pipeline_registry.py": source,
    }
    for entrypoint in passing:
        result = run(make_repo(files, contract=contract(entrypoint), name=f"ok{len(entrypoint)}"))
        assert result.status is Status.PASS, (entrypoint, result.findings)
    for entrypoint, words in failing.items():
        finding = only_finding(run(make_repo(files, contract=contract(entrypoint), name="bad")))
        assert finding.message == (
            f"retrain.entrypoint '{entrypoint}': src/demo/pipeline_registry.py {words}"
        )
