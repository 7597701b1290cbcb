"""dsdone catalog: one page for every model, from a monorepo checked now or from the JSON reports
CI runners wrote, in Markdown, JSON and a self-contained HTML page."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeRepo, RunCli, git

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HOSTILE_NAME = '</script><script>alert("name")</script>'
HOSTILE_OWNER = "\"' onmouseover=\"alert('owner')"
HOSTILE_DESCRIPTION = "<img src=x onerror=alert(1)> & <!-- -->"


@pytest.fixture
def monorepo(make_repo: MakeRepo) -> Path:
    """The two examples as projects of one repository cloned from GitHub."""
    root = make_repo(contract=None, name="models")
    shutil.copytree(EXAMPLES / "ready", root / "churn")
    shutil.copytree(EXAMPLES / "not-ready", root / "fraud")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "two models")
    git(root, "remote", "add", "origin", "https://github.com/acme/models.git")
    return root


def catalog_json(run_cli: RunCli, *args: str) -> Any:
    result = run_cli("catalog", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def write_report(run_cli: RunCli, project: Path, target: Path, *args: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    result = run_cli("check", str(project), *args, "--format", "json", "--output", str(target))
    assert result.exit_code in (0, 1), result.stderr
    return target


# -- from a monorepo ------------------------------------------------------------------------


def test_a_catalogue_of_a_monorepo_lists_every_model_as_its_contract_and_report_say(
    monorepo: Path, run_cli: RunCli
) -> None:
    data = catalog_json(run_cli, str(monorepo))
    assert data["summary"] == {
        "models": 2,
        "ready": 1,
        "not_ready": 1,
        "unchecked": 0,
        "repositories": 1,
        "reports": 2,
    }
    churn, fraud = data["models"]
    assert (churn["name"], fraud["name"]) == ("Churn Model", "Fraud Score")
    assert churn["owner"] == "ds-team@example.com"
    assert churn["description"].startswith("Churn Model: a model project")
    assert churn["consumers"] == ["retention-team"]
    assert churn["inputs"] == [
        {"name": "training-data", "format": "csv", "source": "data/train.csv"}
    ]
    assert churn["outputs"] == [{"name": "predictions", "format": "json", "consumers": None}]
    assert churn["retrain_schedule"] == "@monthly"
    assert churn["ready"] is True
    assert set(churn["score"]["areas"]) == {"data", "model", "infrastructure", "monitoring"}
    assert churn["repository"] == {
        "name": "acme/models",
        "url": "https://github.com/acme/models.git",
    }
    assert churn["folder"] == "churn"
    assert churn["commit"] == git(monorepo, "rev-parse", "HEAD").strip()
    assert churn["commit_date"] == "2026-01-01T00:00:00+00:00"
    failing = {f["check"]: f["blocks"] for f in fraud["failing"]}
    assert failing["personal-paths"] is True
    assert fraud["ready"] is False and fraud["marks"] == []
    assert data["notes"] == []


def test_the_default_is_markdown_of_the_current_folder(monorepo: Path, run_cli: RunCli) -> None:
    result = run_cli("catalog", cwd=monorepo)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "# Model catalogue"
    assert lines[2] == "2 models · 1 ready · 1 not ready · in 1 repository · from 2 reports"
    rows = [line for line in lines if line.startswith("| [")]
    assert rows[0].startswith("| [Churn Model](#churn-model) | ds-team@example.com | ✅ ready |")
    assert "## Fraud Score" in lines
    assert "- **Retrained:** @monthly" in lines


@pytest.mark.parametrize(
    ("name", "starts"), [("catalog.html", "<!doctype html>"), ("catalog.json", "{"), ("c.md", "#")]
)
def test_the_format_follows_the_output_files_extension(
    monorepo: Path, run_cli: RunCli, tmp_path: Path, name: str, starts: str
) -> None:
    result = run_cli("catalog", str(monorepo), "--output", str(tmp_path / name))
    assert result.exit_code == 0
    assert result.stdout == f"Catalogue of 2 models written to {tmp_path / name}\n"
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(starts)


# -- from the reports of many repositories ---------------------------------------------------


@pytest.fixture
def reports(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A folder of CI artefacts: good reports, two of the same project, and bad ones."""
    folder = tmp_path / "artefacts"
    folder.mkdir()
    churn = make_repo(contract=None, name="churn")
    shutil.copytree(EXAMPLES / "ready", churn, dirs_exist_ok=True)
    git(churn, "add", "-A")
    git(churn, "commit", "-q", "-m", "churn")
    git(churn, "remote", "add", "origin", "git@github.com:acme/churn.git")
    write_report(run_cli, churn, folder / "churn-old.json")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-02-01T09:30:00+01:00")
    git(churn, "commit", "-q", "--allow-empty", "-m", "later")
    write_report(run_cli, churn, folder / "churn" / "dsdone.json")
    # A monorepo's --all report, with a project whose contract names no owner.
    teams = make_repo(
        {
            "pricing/dsdone.yaml": "version: 1\nproject:\n  name: Pricing\n  owner: pricing@x.io\n",
            "search/dsdone.yaml": "version: 1\nproject:\n  name: Search Ranker\n",
        },
        contract=None,
        name="teams",
    )
    write_report(run_cli, teams, folder / "teams.json", "--all")
    (folder / "truncated.json").write_text(
        (folder / "churn-old.json").read_text(encoding="utf-8")[:300], encoding="utf-8"
    )
    newer = json.loads((folder / "churn-old.json").read_text(encoding="utf-8"))
    newer.update(schema_version=2, dsdone="9.0.0")
    (folder / "newer.json").write_text(json.dumps(newer), encoding="utf-8")
    older = {**newer, "schema_version": 0, "dsdone": "0.0.1"}
    (folder / "older.json").write_text(json.dumps(older), encoding="utf-8")
    (folder / "package.json").write_text('{"name": "frontend"}', encoding="utf-8")
    return folder


def test_a_folder_of_reports_gives_one_row_per_model_and_a_note_for_each_report_left_out(
    reports: Path, run_cli: RunCli
) -> None:
    result = run_cli("catalog", str(reports), "--format", "json")
    assert result.exit_code == 0, "notes do not fail the catalogue"
    data = json.loads(result.stdout)
    # A project that could not be checked is named after its folder.
    assert [m["name"] for m in data["models"]] == ["Churn Model", "Pricing", "search"]
    churn, pricing, search = data["models"]
    assert churn["commit_date"] == "2026-02-01T09:30:00+01:00", "the newest commit wins"
    assert churn["repository"]["name"] == "acme/churn"
    assert pricing["owner"] == "pricing@x.io"
    assert (search["checked"], search["owner"], search["ready"]) == (False, None, False)
    (mark,) = search["marks"]
    assert mark.startswith("could not be checked: ") and "owner" in mark
    notes = {note.split(": ", 1)[0]: note.split(": ", 1)[1] for note in data["notes"]}
    assert notes[str(reports / "truncated.json")].startswith("is not valid JSON (")
    assert notes[str(reports / "truncated.json")].endswith("the file ends too early (truncated?)")
    assert notes[str(reports / "newer.json")] == (
        "was written by dsdone 9.0.0 with report schema_version 2; this dsdone reads "
        "schema_version 1: upgrade dsdone (pip install -U dsdone)"
    )
    assert "schema_version 0" in notes[str(reports / "older.json")]
    assert notes[str(reports / "package.json")] == (
        "is not a dsdone JSON report (it has no schema_version)"
    )
    (duplicate,) = [note for note in data["notes"] if "two reports" in note]
    assert duplicate.startswith("acme/churn: two reports; the one of commit ")
    assert "of 2026-02-01T09:30:00+01:00 (" in duplicate
    assert duplicate.endswith("churn-old.json)") and "2026-01-01" in duplicate
    # The same notes reach the terminal, where a CI log shows them.
    assert result.stderr.count("dsdone: note: ") == len(data["notes"])


def test_reports_given_one_by_one_and_a_report_that_breaks_the_schema(
    reports: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    broken = json.loads((reports / "churn-old.json").read_text(encoding="utf-8"))
    del broken["results"][0]["status"]
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    result = run_cli(
        "catalog", str(reports / "teams.json"), str(tmp_path / "broken.json"), "-f", "json"
    )
    data = json.loads(result.stdout)
    assert [m["name"] for m in data["models"]] == ["Pricing", "search"]
    assert data["notes"] == [
        f"{tmp_path / 'broken.json'}: does not keep the report schema at results/0: "
        "'status' is a required property"
    ]


def test_nothing_to_read_is_exit_2_with_the_notes(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "cut.json").write_text('{"dsdone": "0.2.0", "schema_ver', encoding="utf-8")
    result = run_cli("catalog", str(tmp_path / "cut.json"), str(tmp_path / "missing.json"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "dsdone: note: " + str(tmp_path / "missing.json") + ": no such file" in result.stderr
    assert "dsdone: error: nothing to catalogue: no report could be read" in result.stderr


def test_an_older_report_without_what_a_catalogue_shows_is_marked(
    reports: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    old = json.loads((reports / "churn-old.json").read_text(encoding="utf-8"))
    for field in ("repository", "commit_date", "score"):
        del old[field]
    for field in ("inputs", "outputs", "retrain_schedule"):
        del old["project"][field]
    old["dsdone"] = "0.1.0"
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    (model,) = catalog_json(run_cli, str(tmp_path / "old.json"))["models"]
    assert model["marks"] == [
        "written by dsdone 0.1.0, which did not report repository, commit date, readiness "
        "score, inputs, outputs, schedule"
    ]
    assert model["score"] == {"overall": None, "areas": dict.fromkeys(model["score"]["areas"])}


# -- the HTML page ---------------------------------------------------------------------------


class Page(HTMLParser):
    """What a browser would see: elements with their attributes, the text of each table row's
    cells, and the text of each script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[list[str]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in.append(tag)
        if tag == "tr" and "data-index" in dict(attrs):
            self.rows.append([])
        elif tag == "td" and self.rows:
            self._cell = []
        elif tag in ("script", "style"):
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] in ("script", "style"):
            target = self.scripts if self._in[-1] == "script" else self.styles
            target[-1] += data
        elif self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def hostile_monorepo(make_repo: MakeRepo) -> Path:
    contract = (
        "version: 1\nproject:\n"
        f"  name: {json.dumps(HOSTILE_NAME)}\n"
        f"  owner: {json.dumps(HOSTILE_OWNER)}\n"
        f"  description: {json.dumps(HOSTILE_DESCRIPTION)}\n"
        "  consumers: ['<b>ops</b>']\n"
        "inputs:\n  - {name: '</script>', format: csv, source: 'javascript:alert(1)'}\n"
        "retrain: {schedule: '@daily <i>'}\n"
    )
    return make_repo(
        {
            "evil/dsdone.yaml": contract,
            "plain/dsdone.yaml": "version: 1\nproject: {name: Plain, owner: a@b.c}\n",
        },
        contract=None,
    )


def html_of(run_cli: RunCli, *args: str) -> str:
    result = run_cli("catalog", *args, "--format", "html")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_page_has_a_row_per_model_with_its_scores_and_checks(
    monorepo: Path, run_cli: RunCli
) -> None:
    page = Page()
    page.feed(html_of(run_cli, str(monorepo)))
    assert len(page.rows) == 2
    churn, fraud = page.rows
    assert churn[0].startswith("Churn Model Churn Model: a model project")
    assert "owned by ds-team@example.com · used by retention-team" in churn[0]
    assert churn[1].endswith("✓ ready")
    assert fraud[1] == "0 ✗ not ready"
    assert fraud[2:6] == ["0", "0", "0", "0"]
    assert "personal-paths" in fraud[6]
    assert churn[7] == "training-data csv → predictions json retrained @monthly"
    assert churn[8].startswith("acme/models / churn ")
    classes = [attrs.get("class") for tag, attrs in page.elements if tag == "span"]
    assert "pill band-good" in classes and "pill band-poor" in classes


def test_every_value_from_a_contract_is_escaped_and_cannot_end_the_script(
    hostile_monorepo: Path, run_cli: RunCli
) -> None:
    text = html_of(run_cli, str(hostile_monorepo))
    page = Page()
    page.feed(text)
    # The two scripts are dsdone's: the data and the code; no value made another element.
    assert [attrs.get("type") for tag, attrs in page.elements if tag == "script"] == [
        "application/json",
        None,
    ]
    assert {tag for tag, _ in page.elements} <= {
        *("html", "head", "meta", "title", "style", "body", "header", "h1", "p", "form"),
        *("label", "input", "select", "option", "button", "output", "main", "table", "thead"),
        *("tr", "th", "tbody", "td", "span", "div", "small", "code", "time", "footer"),
        *("noscript", "script", "section", "details", "summary", "ul", "li"),
    }
    handlers = [name for _, attrs in page.elements for name in attrs if name.startswith("on")]
    assert handlers == ["onsubmit"]  # the toolbar's own, which only stops the form
    # What a person sees is the value as written.
    evil = next(row for row in page.rows if HOSTILE_NAME in row[0])
    assert HOSTILE_DESCRIPTION in evil[0]
    assert f"owned by {HOSTILE_OWNER} · used by <b>ops</b>" in evil[0]
    assert "</script> csv" in evil[7] and "retrained @daily <i>" in evil[7]
    # The data for the script is whole, and reads back as the values.
    data = json.loads(page.scripts[0])
    names = {model["name"]: model for model in data["models"]}
    assert names[HOSTILE_NAME]["owner"] == HOSTILE_OWNER
    assert names[HOSTILE_NAME]["inputs"][0]["source"] == "javascript:alert(1)"
    assert "</script><script>" not in text
    assert text.count("</script>") == 2


def test_the_page_needs_nothing_from_the_network(hostile_monorepo: Path, run_cli: RunCli) -> None:
    text = html_of(run_cli, str(hostile_monorepo))
    page = Page()
    page.feed(text)
    for tag, attrs in page.elements:
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            assert name not in attrs or not attrs[name], f"<{tag} {name}=...>"
    assert page.styles and all("@import" not in css and "url(" not in css for css in page.styles)
    code = page.scripts[1]
    assert all(call not in code for call in ("fetch(", "XMLHttpRequest", "import(", "src ="))
    meta = {a.get("name"): a.get("content") for tag, a in page.elements if tag == "meta"}
    assert meta["viewport"] == "width=device-width, initial-scale=1"
    assert "@media print" in page.styles[0]


def test_markdown_escapes_what_a_wiki_would_render(hostile_monorepo: Path, run_cli: RunCli) -> None:
    import re

    markdown = run_cli("catalog", str(hostile_monorepo)).stdout
    # Every < and > is escaped (a character reference, as the Markdown report escapes them), so
    # that a wiki shows it rather than making a tag of it.
    assert re.findall(r"[<>]", markdown) == []
    assert '## &lt;/script&gt;&lt;script&gt;alert("name")&lt;/script&gt;' in markdown
    assert "used by &lt;b&gt;ops&lt;/b&gt;" not in markdown  # consumers are listed, not prose
    assert "- **Consumers:** &lt;b&gt;ops&lt;/b&gt;" in markdown


def test_an_owner_of_blanks_is_no_owner(make_repo: MakeRepo, run_cli: RunCli) -> None:
    # The contract refuses a blank owner: the project is a row that could not be checked, with
    # no owner, and says why.
    root = make_repo(contract="version: 1\nproject:\n  name: Orphan\n  owner: '   '\n")
    (model,) = catalog_json(run_cli, str(root))["models"]
    assert model["owner"] is None
    assert model["marks"] == [
        "could not be checked: project.owner must not be blank: it holds only white space"
    ]
    markdown = run_cli("catalog", str(root)).stdout
    assert "> ⚠️ could not be checked: project.owner must not be blank" in markdown


def test_a_model_name_cannot_give_a_github_workflow_command(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(contract="version: 1\nproject:\n  name: '##[error]forged'\n  owner: ana\n")
    result = run_cli("catalog", str(root), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "##[" not in result.stdout
    (model,) = json.loads(result.stdout)["models"]
    assert model["name"] == "##[error]forged"  # the same string to a JSON reader


def test_a_page_printed_to_a_ci_log_gives_no_github_workflow_command(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # `dsdone catalog --format html -o -` in a job: the runner obeys "##[" anywhere in a line
    # and "::" at its start. Both reach the page from the contract, in text and in the data.
    description = "trains\n::error::forged from a description"
    root = make_repo(
        contract="version: 1\nproject:\n  name: '##[error]forged'\n  owner: ana\n"
        f"  description: {json.dumps(description)}\n"
    )
    text = html_of(run_cli, str(root), "-o", "-")

    assert "##[" not in text
    assert not [line for line in text.splitlines() if line.lstrip().startswith("::")]
    page = Page()
    page.feed(text)  # the parser decodes the references: a person sees the values as written
    (row,) = page.rows
    assert row[0].startswith("##[error]forged")
    assert "::error::forged from a description" in row[0]
    (model,) = json.loads(page.scripts[0])["models"]
    assert model["name"] == "##[error]forged"
