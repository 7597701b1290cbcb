"""secrets: credentials in any text file or notebook, masked, with a hint that depends on
whether the last commit holds them.

Credentials are built when the tests run (see tests/test_secretscan.py for why)."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli, git
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dsdone.checks.secrets import secrets
from dsdone.report import CheckResult, Finding, Status
from dsdone.testing import run_check

RNG = random.Random(19)
GITHUB = "ghp_" + "".join(RNG.choice(string.ascii_letters + string.digits) for _ in range(36))
HF = "hf_" + "".join(RNG.choice(string.ascii_letters) for _ in range(34))
PASSWORD = "Zq81mN4x!"
DB_URL = f"postgresql://etl:{PASSWORD}@warehouse.internal:5432/churn"


def run(root: Path, **options: Any) -> CheckResult:
    return run_check(root, secrets, **options)


def located(result: CheckResult) -> list[tuple[str | None, int | None, int | None]]:
    return [(f.path, f.line, f.column) for f in result.findings]


def text_at(root: Path, finding: Finding) -> str:
    """The file's text from the finding's line and column on: where the finding points."""
    assert finding.path is not None and finding.line is not None and finding.column is not None
    line = (root / finding.path).read_text("utf-8").splitlines()[finding.line - 1]
    return line[finding.column - 1 :]


def shown(result: CheckResult) -> str:
    """Everything the report says about the result."""
    return " ".join([result.summary, *(f"{f.message} {f.hint}" for f in result.findings)])


def notebook(*cells: Any) -> str:
    node = new_notebook()
    node.cells = list(cells)
    node.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return nbformat.writes(node)


def test_token_in_a_committed_script_fails_masked_with_a_hint_to_rotate_it(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({"src/churn/hub.py": f'from huggingface_hub import login\n\nlogin("{HF}")\n'})

    result = run(root)

    assert result.status is Status.FAIL
    [finding] = result.findings
    assert finding.message == "a Hugging Face token: hf_…(37 chars)"
    assert located(result) == [("src/churn/hub.py", 3, 8)]
    assert text_at(root, finding).startswith(HF)
    assert (finding.hint or "").startswith("Rotate it: it is in the git history")
    assert HF not in shown(result)


def test_clean_project_passes_and_says_how_many_files_it_searched(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"train.py": "import os\nPASSWORD = os.environ['DB_PASSWORD']\n", "model.pkl": b"\0"}
    )

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == "2 files searched"  # train.py and dsdone.yaml, not model.pkl


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("etl/load.py", f'ENGINE = create_engine("{DB_URL}")\n',
         "a password in a connection string: postgresql://etl:…(9 chars)@warehouse.internal"),
        ("configs/db.yaml", f"db:\n  host: warehouse\n  password: {PASSWORD}\n",
         "a password: password=…(9 chars)"),
        (".env", f"HF_TOKEN={HF}\n", "a Hugging Face token: hf_…(37 chars)"),
        ("scripts/deploy.sh", f"git clone https://x:{GITHUB}@github.com/acme/churn\n",
         "a GitHub token: ghp_…(40 chars)"),
        ("settings.toml", f'[db]\npassword = "{PASSWORD}"\n', "a password: password=…(9 chars)"),
        ("analysis/query.R", f'con <- dbConnect(RPostgres::Postgres(), password = "{PASSWORD}")\n',
         "a password: password=…(9 chars)"),
        ("docs/setup.md", f"Then run `export DB_PASSWORD={PASSWORD}`.\n",
         "a password: DB_PASSWORD=…(9 chars)"),
    ],
)  # fmt: skip
def test_secrets_are_found_in_every_kind_of_text_file(
    make_repo: MakeRepo, name: str, content: str, message: str
) -> None:
    root = make_repo({name: content})

    result = run(root)

    assert [(f.path, f.message) for f in result.findings] == [(name, message)]
    assert PASSWORD not in shown(result)


def test_an_unquoted_value_is_a_secret_in_a_config_file_and_a_variable_in_code(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {"conf/db.ini": f"[db]\npassword = {PASSWORD}\n", "db.py": "password = db_password\n"}
    )

    assert [f.path for f in run(root).findings] == ["conf/db.ini"]


def test_an_untracked_secret_is_to_be_removed_before_committing(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": "print('training')\n"})
    (root / "scratch.py").write_text(f"login('{HF}')\n")

    [finding] = run(root).findings

    assert finding.path == "scratch.py"
    assert (finding.hint or "").startswith("Remove it before you commit")
    assert "Rotate" not in (finding.hint or "")


def test_rotate_only_what_the_last_commit_holds(make_repo: MakeRepo) -> None:
    root = make_repo({"old.py": f"TOKEN = '{GITHUB}'\n", "edited.py": "x = 1\n"})
    # A secret added to a committed file, and a new file staged but not committed.
    (root / "edited.py").write_text(f"x = 1\nDB = '{DB_URL}'\n")
    (root / "staged.py").write_text(f"login('{HF}')\n")
    git(root, "add", "staged.py")

    hints = {f.path: (f.hint or "") for f in run(root).findings}

    assert hints["old.py"].startswith("Rotate it: it is in the git history")
    assert hints["edited.py"].startswith("Remove it before you commit")
    assert hints["staged.py"].startswith("Remove it before you commit")


def test_a_secret_in_a_notebook_cell_is_located_in_the_file_and_the_cell(
    make_repo: MakeRepo,
) -> None:
    content = notebook(
        new_markdown_cell("# Churn: pull the training data"),
        new_code_cell("import os\nimport psycopg2\n\nconn = psycopg2.connect(password='" +
                      PASSWORD + "')"),
    )  # fmt: skip
    root = make_repo({"notebooks/pull.ipynb": content})

    [finding] = run(root).findings

    assert (finding.cell, finding.cell_line) == (1, 4)
    assert finding.message == "a password: password=…(9 chars)"
    assert text_at(root, finding).startswith("password=")
    assert "saved output" not in finding.message


def test_a_secret_printed_in_a_saved_output_is_found_with_a_hint_to_clear_it(
    make_repo: MakeRepo,
) -> None:
    output = new_output("stream", name="stdout", text=f"connecting to {DB_URL}\nok\n")
    content = notebook(new_code_cell("print(settings.db_url)", outputs=[output]))
    root = make_repo({"eda.ipynb": content})

    [finding] = run(root).findings

    assert finding.message.startswith("a password in a connection string in the saved output "
                                      "of cell 0: postgresql://etl:…")  # fmt: skip
    assert finding.cell == 0 and finding.cell_line is None
    assert text_at(root, finding).startswith("postgresql://etl:")
    assert "jupyter nbconvert --clear-output --inplace eda.ipynb" in (finding.hint or "")


def test_a_notebook_saved_on_one_line_is_searched_cell_by_cell(make_repo: MakeRepo) -> None:
    # As Colab saves them: the whole notebook in one line of JSON.
    node = json.loads(notebook(new_code_cell("x = 1"), new_code_cell(f"login('{HF}')")))
    root = make_repo({"Colab.ipynb": json.dumps(node, separators=(",", ":"))})

    [finding] = run(root).findings

    assert (finding.line, finding.cell, finding.cell_line) == (1, 1, 1)
    assert text_at(root, finding).startswith(HF)


def test_a_literal_in_an_image_of_an_output_is_not_a_secret(make_repo: MakeRepo) -> None:
    image = "iVBORw0KGgo" + "AKIA" + "Q" * 16 + "ASIA" * 4 + "x" * 200
    output = new_output("display_data", data={"image/png": image, "text/plain": "<Figure>"})
    root = make_repo({"plot.ipynb": notebook(new_code_cell("plot()", outputs=[output]))})

    assert run(root).status is Status.PASS


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("train.py", 'password = os.environ["DB_PASSWORD"]\n'),
        ("train.py", "password = getpass.getpass('Database password: ')\n"),
        ("conf/db.yaml", "password: ${DB_PASSWORD}\n"),
        ("conf/db.yaml", "password: '{{ vault_db_password }}'\n"),
        ("docker-compose.yml", "POSTGRES_PASSWORD: postgres\nPOSTGRES_USER: postgres\n"),
        ("tests/conftest.py", 'os.environ["AWS_SECRET_ACCESS_KEY"] = "fake_secret_key"\n'),
        ("tests/test_s3.py", 'os.environ["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE"\n'),
        ("data.dvc", "outs:\n- md5: 22a1a2931c8370d3aeedd7183606fd7f\n  path: data.xml\n"),
        ("mlruns/0/meta.yaml", "run_id: 7f3c1b6e0b2a4d8e9c1f2a3b4c5d6e7f\n"),
        ("README.md", "Set `OPENAI_API_KEY=your_api_key_here` in `.env`.\n"),
        ("celeryconfig.py", "broker_url = 'amqp://guest:guest@localhost:5672//'\n"),
        ("model.py", 'tokenizer.pad_token = "[PAD]"\n'),
        (".secrets.baseline", '"hashed_secret": "d808db46d15adec18918b6b204cc63b9616e7e0d",\n'),
        ("package-lock.json", '"integrity": "sha512-sk-' + "a" * 40 + '"\n'),
        ("static/app.min.js", f'var t="{GITHUB}";\n'),  # generated: not searched
    ],
)
def test_near_misses_pass(make_repo: MakeRepo, name: str, content: str) -> None:
    root = make_repo({name: content})

    assert run(root).status is Status.PASS, [f.message for f in run(root).findings]


def test_binary_files_are_not_searched(make_repo: MakeRepo) -> None:
    root = make_repo({"weights.bin": b"\0\1" + f"TOKEN={GITHUB}".encode(), "model.pkl": b"x"})

    assert run(root).status is Status.PASS


def test_excluded_paths_are_not_searched(make_repo: MakeRepo) -> None:
    contract = MINIMAL_CONTRACT + "checks:\n  secrets:\n    exclude: ['tests/fixtures/**']\n"
    root = make_repo(
        {
            "tests/fixtures/server.key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n",
            "deploy/server.key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n",
        },
        contract=contract,
    )

    result = run(root)

    assert located(result) == [("deploy/server.key", 1, 1)]
    assert result.summary == "1 finding; 2 files searched"


def test_outside_git_files_are_read_and_searched(make_repo: MakeRepo) -> None:
    root = make_repo({"etl.py": f"DB = '{DB_URL}'\n", "img.png": b"\0" + DB_URL.encode()},
                     git_init=False)  # fmt: skip

    result = run(root)

    assert located(result) == [("etl.py", 1, 7)]
    assert (result.findings[0].hint or "").startswith("Remove it before you commit")


def test_windows_line_endings_keep_bare_values_and_columns(make_repo: MakeRepo) -> None:
    root = make_repo({"db.ini": f"[db]\r\npassword = {PASSWORD}\r\n".encode()})

    assert located(run(root)) == [("db.ini", 2, 1)]


def test_cli_json_report_never_holds_the_secret(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"a.py": f"T = '{GITHUB}'\n", "b.yaml": f"password: {PASSWORD}\n"})

    cli = run_cli("check", str(root), "--select", "secrets", "--format", "json")

    assert cli.exit_code == 1
    assert GITHUB not in cli.stdout and PASSWORD not in cli.stdout
    (result,) = json.loads(cli.stdout)["results"]
    assert [f["path"] for f in result["findings"]] == ["a.py", "b.yaml"]
