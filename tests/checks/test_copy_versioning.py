"""copy-versioning: copies kept beside the file they copy (train_old.py, cluster4_old/), and
editors' leftovers; near misses from real ML repositories stay quiet."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli

from dsdone.checks.copy_versioning import _candidates, copy_versioning, similarity
from dsdone.report import CheckResult, Status
from dsdone.testing import run_check


def run(root: Path) -> CheckResult:
    return run_check(root, copy_versioning)


def reported(result: CheckResult) -> list[tuple[str | None, str]]:
    return [(f.path, f.message) for f in result.findings]


@pytest.mark.parametrize(
    ("original", "copy", "marker"),
    [
        ("src/churn/train.py", "src/churn/train_old.py", "_old"),
        ("src/churn/train.py", "src/churn/train-new.py", "-new"),
        ("src/churn/train.py", "src/churn/train_v2.py", "_v2"),
        ("src/churn/train.py", "src/churn/train-v2.py", "-v2"),
        ("notebooks/eda.ipynb", "notebooks/eda v2.ipynb", "v2"),
        ("notebooks/eda.ipynb", "notebooks/eda_final.ipynb", "_final"),
        ("notebooks/eda.ipynb", "notebooks/eda_FINAL2.ipynb", "_FINAL2"),
        ("notebooks/eda.ipynb", "notebooks/eda copy.ipynb", "copy"),
        ("notebooks/eda.ipynb", "notebooks/eda copy 2.ipynb", "copy 2"),
        ("notebooks/eda.ipynb", "notebooks/eda - Copy.ipynb", "- Copy"),
        ("notebooks/eda.ipynb", "notebooks/eda (1).ipynb", "(1)"),
        ("notebooks/eda.ipynb", "notebooks/eda-test.ipynb", "-test"),
        ("sql/features.sql", "sql/features_backup.sql", "_backup"),
        ("configs/train.yaml", "configs/train_bak.yaml", "_bak"),
        ("configs/train.yaml", "configs/train.orig.yaml", ".orig"),
        ("configs/train.yaml", "configs/train_copy.yaml", "_copy"),
        ("reports/summary.md", "reports/summary_2023-01-05.md", "_2023-01-05"),
        ("reports/summary.md", "reports/summary_20230105.md", "_20230105"),
        ("models/churn.pkl", "models/churn_old.pkl", "_old"),
    ],
)
def test_a_copy_beside_its_original_is_a_finding(
    make_repo: MakeRepo, original: str, copy: str, marker: str
) -> None:
    # The copy is the original with one line changed (a version in the name needs that).
    code = "import pandas as pd\n\ndf = pd.read_csv(PATH)\nmodel = fit(df)\nsave(model)\n"
    root = make_repo({original: code + "x = 1\n", copy: code + "x = 2\n"})

    result = run(root)

    assert reported(result) == [
        (copy, f"a copy of {original} ('{marker}' in its name) kept beside it")
    ]
    hint = result.findings[0].hint or ""
    assert f"`git rm {copy}`" in hint
    assert f"`git log --follow {original}`" in hint


def test_a_copy_of_a_copy_is_a_copy_of_the_nearest(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": "", "train_v2.py": "", "train_v2_final.py": ""})

    assert reported(run(root)) == [
        ("train_v2.py", "a copy of train.py ('_v2' in its name) kept beside it"),
        ("train_v2_final.py", "a copy of train_v2.py ('_final' in its name) kept beside it"),
    ]


def test_colabs_copy_of_prefix_is_a_copy(make_repo: MakeRepo) -> None:
    root = make_repo({"nb/churn.ipynb": "{}", "nb/Copy of churn.ipynb": "{}"})

    assert reported(run(root)) == [
        (
            "nb/Copy of churn.ipynb",
            "a copy of nb/churn.ipynb ('Copy of' in its name) kept beside it",
        )
    ]


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("src/train.py.bak", "a backup copy"),
        ("src/train.py~", "an editor's backup copy"),
        ("src/train.py.orig", "a merge tool's copy of the original"),
        ("src/.train.py.swp", "a vim swap file"),
    ],
)
def test_leftovers_of_editors_and_merge_tools_are_findings(
    make_repo: MakeRepo, name: str, what: str
) -> None:
    root = make_repo({name: "x\n"})

    [finding] = run(root).findings

    assert (finding.path, finding.message) == (name, f"{what}, not part of the project")
    assert ".gitignore" in (finding.hint or "")


def test_a_committed_jupyter_checkpoint_is_a_copy(make_repo: MakeRepo) -> None:
    root = make_repo({"nb/eda.ipynb": "{}", "nb/.ipynb_checkpoints/eda-checkpoint.ipynb": "{}"})

    [finding] = run(root).findings

    assert finding.message == "Jupyter's autosave copy of nb/eda.ipynb"
    assert "`.ipynb_checkpoints/` to .gitignore" in (finding.hint or "")


def test_a_copied_folder_is_one_finding_not_one_per_file(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "clustering/cluster4/run.py": "1\n",
            "clustering/cluster4/features.py": "1\n",
            "clustering/cluster4_old/run.py": "0\n",
            "clustering/cluster4_old/features_old.py": "0\n",
            "clustering/cluster4_old/features.py": "0\n",
        }
    )

    result = run(root)

    assert reported(result) == [
        (
            "clustering/cluster4_old",
            "a copy of the folder clustering/cluster4/ ('_old' in its name) kept beside it",
        )
    ]
    assert "`git rm -r clustering/cluster4_old`" in (result.findings[0].hint or "")
    assert result.summary == "1 finding; 1 copied folder"


def test_an_untracked_copy_is_to_be_deleted_not_git_rmed(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": "x\n"})
    (root / "train_old.py").write_text("x\n")

    [finding] = run(root).findings

    assert "delete train_old.py (it is not committed)" in (finding.hint or "")


@pytest.mark.parametrize(
    "files",
    [
        ["models/resnet_v2.py"],  # no resnet.py beside it
        ["models/resnet_v1.py", "models/resnet_v2.py"],  # both numbered: TF-slim's layout
        ["models/churn.onnx", "models/churn_v2.onnx"],  # model versions, kept on purpose
        ["models/churn_v1.onnx", "models/churn_v2.onnx"],
        ["data/sales.csv", "data/sales_2023-01-05.csv"],  # a dated snapshot of data
        ["src/train.py", "tests/test_train.py"],
        ["src/train.py", "src/test_train.py", "src/train_test.py"],
        ["src/train_v2.py", "src/test_train.py", "src/test_train_v2.py"],  # tests follow modules
        ["app/migrations/0001_initial.py", "app/migrations/0001_initial_old.py"],
        ["alembic/versions/a1b2_add_score.py", "alembic/versions/a1b2_add_score_v2.py"],
        ["vendor/lib/util.py", "vendor/lib/util_old.py"],
        ["third_party/x/y.py", "third_party/x/y_new.py"],
        ["docs/assets/diagram.svg", "docs/assets/diagram (1).svg"],  # an upload's duplicate
        ["src/news.py", "src/renew.py", "src/old_school.py"],  # marker words inside names
        ["src/features/old/train.py", "src/features/new/train.py"],  # folders named old/new
        ["notebooks/eda_2.ipynb", "notebooks/eda_3.ipynb"],  # numbered parts of a series
        ["src/api/v1/routes.py", "src/api/v2/routes.py"],  # versioned API folders
        ["data_new/x.csv", "data/y.csv"],  # a folder name with a marker, no file in common
    ],
    ids=lambda files: files[-1],
)
def test_near_misses_pass(make_repo: MakeRepo, files: list[str]) -> None:
    root = make_repo(dict.fromkeys(files, "x = 1\n"))

    assert run(root).status is Status.PASS, reported(run(root))


def test_excluded_paths_are_not_reported(make_repo: MakeRepo) -> None:
    contract = MINIMAL_CONTRACT + "checks:\n  copy-versioning:\n    exclude: ['archive/**']\n"
    root = make_repo(
        {"archive/a.py": "", "archive/a_old.py": "", "b.py": "", "b_old.py": ""},
        contract=contract,
    )

    assert [f.path for f in run(root).findings] == ["b_old.py"]


def test_candidates_are_the_names_with_a_needle_in_the_name_not_in_a_folder() -> None:
    files = sorted(
        ["old/train.py", "old/train_old.py", "src/new_features/a.py", "x~", "y (1).txt", "z.py"]
    )

    assert list(_candidates(files)) == ["old/train_old.py", "x~", "y (1).txt"]


def test_cli_reports_copies_as_warnings(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"train.py": "", "train_old.py": ""})

    cli = run_cli("check", str(root), "--select", "copy-versioning", "--format", "json")

    (result,) = json.loads(cli.stdout)["results"]
    assert (result["status"], result["severity"]) == ("fail", "warning")
    assert [f["path"] for f in result["findings"]] == ["train_old.py"]


# kedro-datasets' spark_dataset_v2.py beside spark_dataset.py: another public class that
# shares some imports and helpers, not a copy.
SPARK_DATASET = "".join(f"def helper_{i}(x):\n    return x + {i}\n\n" for i in range(8)) + (
    "class SparkDataset:\n" + "".join(f"    def load_{i}(self):\n        pass\n" for i in range(12))
)
SPARK_DATASET_V2 = "".join(f"def helper_{i}(x):\n    return x + {i}\n\n" for i in range(4)) + (
    "class SparkDatasetV2:\n"
    + "".join(
        f"    def read_{i}(self, spark):\n        return spark.read({i})\n" for i in range(14)
    )
)


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_a_second_version_whose_content_differs_is_not_a_copy(make_repo: MakeRepo) -> None:
    assert similarity(lines_of(SPARK_DATASET), lines_of(SPARK_DATASET_V2)) < 0.6
    root = make_repo(
        {
            "kedro_datasets/spark/spark_dataset.py": SPARK_DATASET,
            "kedro_datasets/spark/spark_dataset_v2.py": SPARK_DATASET_V2,
        }
    )

    assert run(root).findings == ()


TRAIN = "".join(f"step_{i} = run_step({i}, data)\n" for i in range(20))


@pytest.mark.parametrize(
    ("original", "copy", "copied", "marker"),
    [
        # 18 of 20 lines the same: 90 % of train.py.
        (
            "train.py",
            "train_old.py",
            TRAIN.replace("step_3 =", "s3 =").replace("step_9 =", "s9 ="),
            "_old",
        ),
        ("features.py", "features_v2.py", TRAIN, "_v2"),  # identical
        ("features.py", "features_v2.py", TRAIN.replace("step_3 =", "s3 ="), "_v2"),
        ("eda.ipynb", "eda_v2.ipynb", None, "_v2"),  # same cells, other outputs
    ],
)
def test_a_copy_whose_content_is_mostly_the_original_is_still_found(
    make_repo: MakeRepo, original: str, copy: str, copied: str | None, marker: str
) -> None:
    if copied is None:
        first, second = (
            nbformat.v4.new_notebook(
                cells=[nbformat.v4.new_code_cell(line) for line in TRAIN.splitlines()]
            )
            for _ in range(2)
        )
        for number, cell in enumerate(second.cells):
            text = "".join(f"epoch {epoch}: loss 0.{number}{epoch}\n" for epoch in range(5))
            cell.outputs = [nbformat.v4.new_output("stream", text=text)]
            cell.execution_count = number + 1
        files = {original: nbformat.writes(first), copy: nbformat.writes(second)}
    else:
        files = {original: TRAIN, copy: copied}
    root = make_repo(files)

    assert reported(run(root)) == [
        (copy, f"a copy of {original} ('{marker}' in its name) kept beside it")
    ]


def test_an_old_copy_that_drifted_far_is_still_a_copy(make_repo: MakeRepo) -> None:
    # Only a version in the name can be a second version on purpose: _old says it is a copy.
    root = make_repo({"train.py": SPARK_DATASET, "train_old.py": SPARK_DATASET_V2})

    assert reported(run(root)) == [
        ("train_old.py", "a copy of train.py ('_old' in its name) kept beside it")
    ]
