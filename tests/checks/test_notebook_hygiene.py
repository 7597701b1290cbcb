"""notebook-hygiene: valid, a kernel, no saved errors, outputs in order and not too large."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dsdone.checks.notebook_hygiene import notebook_hygiene
from dsdone.report import CheckResult, Finding, Status
from dsdone.testing import run_check

KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def run(root: Path, **options: Any) -> CheckResult:
    return run_check(root, notebook_hygiene, **options)


def write(*cells: Any, kernel: bool = True) -> str:
    """A notebook as Jupyter saves it (nbformat validates it on the way)."""
    node = new_notebook()
    node.cells = list(cells)
    if kernel:
        node.metadata["kernelspec"] = KERNEL
    return nbformat.writes(node)


def ran(source: str, count: int | None, *outputs: Any) -> Any:
    return new_code_cell(source, execution_count=count, outputs=list(outputs))


def stdout(text: str) -> Any:
    return new_output("stream", name="stdout", text=text)


def line_of(root: Path, finding: Finding) -> str:
    assert finding.path is not None and finding.line is not None
    return (root / finding.path).read_text("utf-8").splitlines()[finding.line - 1]


RUN_IN_ORDER = write(
    new_markdown_cell("# Churn: exploration"),
    ran("import pandas as pd", 1),
    ran("df = pd.read_parquet('data/train.parquet')\ndf.shape", 2,
        new_output("execute_result", data={"text/plain": "(1000, 12)"}, execution_count=2)),
    ran("df.head()", 3, stdout("   id  churned\n0   1        0\n")),
    new_code_cell("# not run yet"),
)  # fmt: skip


def test_a_notebook_run_top_to_bottom_with_a_kernel_passes(make_repo: MakeRepo) -> None:
    root = make_repo({"notebooks/eda.ipynb": RUN_IN_ORDER})

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == "1 notebook"


def test_a_project_without_notebooks_passes_and_says_so(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": "print(1)\n"})

    result = run(root)

    assert (result.status, result.summary) == (Status.PASS, "no notebooks")


def test_a_saved_error_names_the_cell_and_the_exception_at_its_line(make_repo: MakeRepo) -> None:
    error = new_output(
        "error",
        ename="KeyError",
        evalue="'merchant_risk'",
        traceback=["KeyError: 'merchant_risk'"],
    )
    content = write(ran("import pandas as pd", 1), ran("df['merchant_risk']", 2, error))
    root = make_repo({"notebooks/train.ipynb": content})

    [finding] = run(root).findings

    assert finding.message == "the cell was saved with an error: KeyError (In [2])"
    assert finding.cell == 1
    assert '"output_type": "error"' in line_of(root, finding)
    hint = finding.hint or ""
    assert "jupyter nbconvert --to notebook --execute --inplace notebooks/train.ipynb" in hint
    assert "nbstripout notebooks/train.ipynb" in hint


def test_a_notebook_without_a_kernelspec_is_a_finding_at_its_metadata(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({"eda.ipynb": write(ran("1 + 1", None), kernel=False)})

    [finding] = run(root).findings

    assert finding.message.startswith("no kernelspec in the notebook's metadata")
    assert line_of(root, finding) == ' "metadata": {},'
    assert "select the kernel" in (finding.hint or "")


def test_cells_run_out_of_order_are_one_finding_at_the_first_that_ran_early(
    make_repo: MakeRepo,
) -> None:
    content = write(
        ran("import pandas as pd", 7),
        ran("df = load()", None),  # never run: ignored
        ran("df.describe()", 9, stdout("...")),
        ran("model.fit(df)", 3, stdout("fitted")),
        ran("model.score(df)", 4),
    )
    root = make_repo({"eda.ipynb": content})

    [finding] = run(root).findings

    assert finding.message == (
        "cell 3 ran before cell 2 above it (In [3] after In [9]): the notebook was not run "
        "top to bottom"
    )
    assert finding.cell == 3
    assert '"cell_type": "code"' in line_of(root, finding)
    assert "--execute --inplace eda.ipynb" in (finding.hint or "")


@pytest.mark.parametrize(
    "cells",
    [
        # nbstripout keeps the counts' order out of it: no outputs, no claim of a run
        [ran("b = 2", 5), ran("a = 1", 2)],
        [ran("a = 1", None), ran("b = 2", None, stdout("?"))],
        [new_markdown_cell("only prose")],
        [ran("a = 1", 1, stdout("1")), ran("b = 2", 2), ran("c = 3", 10, stdout("3"))],
    ],
    ids=["stripped-outputs", "never-run", "markdown-only", "gaps-in-counts"],
)
def test_near_misses_of_order_pass(make_repo: MakeRepo, cells: list[Any]) -> None:
    root = make_repo({"eda.ipynb": write(*cells)})

    assert run(root).status is Status.PASS


def test_outputs_over_the_limit_name_the_largest_cell(make_repo: MakeRepo) -> None:
    image = base64.b64encode(bytes(range(256)) * 600).decode()  # a 200 KB plot
    plot = new_output("display_data", data={"image/png": image, "text/plain": "<Figure>"})
    content = write(ran("df = load()", 1), ran("df.plot()", 2, plot), ran("df.shape", 3))
    root = make_repo({"eda.ipynb": content})

    assert run(root).status is Status.PASS  # the default limit: 1000 KB
    result = run(root, max_output_kb=100)

    [finding] = result.findings
    assert finding.message == (
        "saved outputs take 200 KB (the limit is 100 KB); the largest are cell 1's (200 KB)"
    )
    assert finding.cell == 1
    assert "nbstripout eda.ipynb" in (finding.hint or "")


def test_a_committed_merge_conflict_is_invalid_json_at_its_line(make_repo: MakeRepo) -> None:
    lines = RUN_IN_ORDER.splitlines()
    lines[3:3] = ["<<<<<<< HEAD", "=======", ">>>>>>> feature"]
    root = make_repo({"eda.ipynb": "\n".join(lines) + "\n"})

    [finding] = run(root).findings

    assert finding.message.startswith("not valid JSON: ")
    assert finding.message.endswith("(a merge conflict was committed in it)")
    assert line_of(root, finding) == "<<<<<<< HEAD"
    assert "nbdime mergetool eda.ipynb" in (finding.hint or "")


def test_a_notebook_nbformat_rejects_is_a_finding_at_the_cell_it_names(
    make_repo: MakeRepo,
) -> None:
    node = json.loads(RUN_IN_ORDER)
    del node["cells"][2]["outputs"]  # a hand edit: a code cell without its outputs list
    root = make_repo({"eda.ipynb": json.dumps(node, indent=1)})

    [finding] = run(root).findings

    assert finding.message == (
        "not a valid notebook: 'outputs' is a required property (at cells[2])"
    )
    assert finding.cell == 2
    assert '"cell_type": "code"' in line_of(root, finding)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda node: node["cells"][2]["outputs"][0].pop("metadata"),
         "'metadata' is a required property"),
        (lambda node: node["cells"][3]["outputs"][0].update(transient={}),
         "Additional properties are not allowed"),
        (lambda node: node["metadata"]["kernelspec"].pop("display_name"),
         "'display_name' is a required property"),
        (lambda node: node.update(extra=1), "Additional properties are not allowed"),
        (lambda node: node["cells"][1].update(execution_count="1"),
         "'1' is not of type 'integer', 'null'"),
    ],
    ids=["output-without-metadata", "output-extra-key", "kernelspec-without-display-name",
         "notebook-extra-key", "count-as-text"],
)  # fmt: skip
def test_what_the_probes_let_through_nbformat_does_not(
    make_repo: MakeRepo, edit: Any, problem: str
) -> None:
    # Each edit keeps the JSON valid and breaks nbformat's schema: the cheap probes must see
    # something off and hand the notebook to nbformat.
    node = json.loads(RUN_IN_ORDER)
    edit(node)
    root = make_repo({"eda.ipynb": json.dumps(node, indent=1)})

    [finding] = run(root).findings

    assert finding.message.startswith("not a valid notebook: ")
    assert problem in finding.message


def test_a_version_3_notebook_is_read_and_checked(make_repo: MakeRepo) -> None:
    old = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": "eda"},
        "worksheets": [
            {"cells": [{"cell_type": "code", "input": "1 + 1", "language": "python",
                        "outputs": [], "prompt_number": 1, "metadata": {}}]}
        ],
    }  # fmt: skip
    root = make_repo({"old.ipynb": json.dumps(old)})

    result = run(root)

    assert [f.message.split(":")[0] for f in result.findings] == [
        "no kernelspec in the notebook's metadata"
    ]


def test_checkpoints_and_excluded_notebooks_are_not_read(make_repo: MakeRepo) -> None:
    broken = "{ not json"
    contract = MINIMAL_CONTRACT + "checks:\n  notebook-hygiene:\n    exclude: ['scratch/**']\n"
    root = make_repo(
        {
            "notebooks/.ipynb_checkpoints/eda-checkpoint.ipynb": broken,
            "scratch/try.ipynb": broken,
            "notebooks/eda.ipynb": RUN_IN_ORDER,
        },
        contract=contract,
    )

    result = run(root)

    assert (result.status, result.summary) == (Status.PASS, "1 notebook")


def test_a_valid_notebook_is_checked_without_importing_nbformat(make_repo: MakeRepo) -> None:
    # nbformat's validation costs far more than reading the JSON: it runs only for a notebook
    # whose structure looks wrong.
    root = make_repo({"eda.ipynb": RUN_IN_ORDER, "broken.ipynb": "{}"})
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from dsdone.contract import load_contract\n"
        "from dsdone.project import Project\n"
        "from dsdone.checks.notebook_hygiene import notebook_hygiene, NotebookHygieneOptions\n"
        "project = Project(Path(sys.argv[1]), load_contract(Path(sys.argv[1])))\n"
        "before = 'nbformat' in sys.modules\n"
        "list(notebook_hygiene.function(project, NotebookHygieneOptions()))\n"
        "print(before, 'nbformat' in sys.modules)\n"
    )
    (root / "broken.ipynb").unlink()
    valid = subprocess.run(
        [sys.executable, "-c", probe, str(root)], capture_output=True, text=True, check=True
    )
    (root / "broken.ipynb").write_text("{}")
    invalid = subprocess.run(
        [sys.executable, "-c", probe, str(root)], capture_output=True, text=True, check=True
    )

    assert valid.stdout.split() == ["False", "False"]
    assert invalid.stdout.split() == ["False", "True"]  # the probe sees an import when there is


def test_cli_reports_a_saved_error_as_a_warning(make_repo: MakeRepo, run_cli: RunCli) -> None:
    error = new_output("error", ename="FileNotFoundError", evalue="x", traceback=[])
    root = make_repo({"eda.ipynb": write(ran("load()", 1, error))})

    cli = run_cli("check", str(root), "--select", "notebook-hygiene", "--format", "json")

    (result,) = json.loads(cli.stdout)["results"]
    assert (result["status"], result["severity"]) == ("fail", "warning")
    assert result["findings"][0]["cell"] == 0
    assert cli.exit_code == 0  # a warning does not block at the default --fail-on error


def test_a_notebook_over_what_a_reader_holds_is_a_finding_not_skipped(
    make_repo: MakeRepo,
) -> None:
    # 12 MB of outputs: more than the 10 MB any reader of the repository holds at once, so the
    # notebook is not read; it must still be reported, not passed over as if it were gone.
    image = base64.b64encode(b"\x89PNG" * (3 * 1024 * 1024)).decode()
    plot = new_output("display_data", data={"image/png": image, "text/plain": "<Figure>"})
    root = make_repo({"eda.ipynb": write(ran("df.plot()", 1, plot))})

    result = run(root)

    assert result.status is Status.FAIL
    [finding] = result.findings
    assert finding.path == "eda.ipynb"
    assert "its outputs are far over the limit" in finding.message


# -- findings kept between runs --------------------------------------------------------------


def hygiene_findings(run_cli: RunCli, root: Path, *extra: str) -> list[tuple[str, int, str]]:
    result = run_cli("check", str(root), "--select", "notebook-hygiene", "--format", "json", *extra)
    (outcome,) = json.loads(result.stdout)["results"]
    return [(f["path"], f["line"], f["message"]) for f in outcome["findings"]]


def test_the_findings_of_an_unchanged_notebook_are_the_same_from_the_cache(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    error = new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])
    root = make_repo({"eda.ipynb": write(ran("1 / 0", 1, error), kernel=False)})

    first = hygiene_findings(run_cli, root)
    second = hygiene_findings(run_cli, root)

    assert len(first) == 2
    assert any("ZeroDivisionError" in message for _, _, message in first)
    assert second == first == hygiene_findings(run_cli, root, "--no-cache")


def test_a_notebook_fixed_by_a_commit_is_read_again(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"eda.ipynb": write(ran("x = 1", 2, stdout("1")), ran("x", 1, stdout("1")))})
    assert len(hygiene_findings(run_cli, root)) == 1  # run out of order
    (root / "eda.ipynb").write_text(RUN_IN_ORDER)
    subprocess.run(["git", "commit", "-qam", "run in order"], cwd=root, check=True)

    assert hygiene_findings(run_cli, root) == []
