"""What a repository says is shown, never obeyed, in every format.

Each hostile string is placed where a repository (or its plugin) can put text: a file name, a
file's content that becomes a finding's message, hint and summary, the contract's project name,
owner, description and waiver reason, a plugin's title, and the project's folder. Every format
of the report must then still be what it claims to be (valid UTF-8, JSON, SARIF, XML; Markdown
whose HTML has no element the string brought; GitHub commands that are only dsdone's own), show
no control character raw, and hold no line a GitHub Actions runner would take for a workflow
command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import RunCli, git
from test_formats import validate_sarif

FORMATS = ["terminal", "json", "sarif", "junit", "markdown", "github"]

HOSTILE = {
    "backtick": "a`b``c<img src=x onerror=alert(1)>`",
    "script": "<script>alert(1)</script>&amp;",
    # A screen clear, a hyperlink, a bidirectional override and a line separator.
    "escape": "\x1b[2J\x1b]8;;https://evil.example\x07link\x1b]8;;\x07 abc\u202edcba\u2028x",
    "carriage-return": "safe\r\x1b[Kfake",
    "newline": "one\n::error file=x::injected",
    "tab": "a\tb",
    "surrogate": "caf\udce9",  # the byte 0xE9 of a name that is not UTF-8
    "percent": "%0A::error::x%25",
    # A workflow command at the start, and one in the runner's older syntax anywhere.
    "workflow": "::warning::fake ##[error]fake",
    "cdata": "]]><x/>[bold red]markup[/]",
    "long": "n" * 10_000,
}

ECHO_PLUGIN = '''\
from dsdone import Finding, Note, check


@check(id="echo", title={title!r}, fix={title!r}, area="data")
def echo(project):
    """Says what the repository says: its file names and the content of hostile.txt."""
    text = project.read_bytes("hostile.txt").decode("utf-8", "surrogateescape")
    for path in project.files:
        if path.startswith("names/"):
            yield Finding("a file under names/", path=path, line=1, hint="rename it")
    yield Finding(text, path="hostile.txt", line=1, hint=text)
    yield Finding("accepted for now", path="waived.txt", line=1)
    yield Note(text)
'''

WAIVER = """\
waivers:
  - check: echo
    reason: {reason}
    paths: ["waived.txt"]
"""


def contract(name: str = "demo", owner: str = "ana@example.com", reason: str = "later") -> str:
    return (
        f"version: 1\nproject:\n  name: {json.dumps(name)}\n  owner: {json.dumps(owner)}\n"
        f"  description: {json.dumps(name)}\nplugins: [dsdone_checks/echo.py]\n"
        + WAIVER.format(reason=json.dumps(reason))
    )


def file_name(hostile: str) -> str:
    """``hostile`` as a path under names/ (a 10,000-character name as nested folders, as long
    as a path may be)."""
    if len(hostile) > 200:
        return "/".join([hostile[:200]] * 15)
    return hostile.replace("/", "_")


def build(root: Path, files: dict[str, bytes], where: str = "") -> Path:
    """A committed git repository at ``root`` with ``files`` (names may hold any byte but /)."""
    root.mkdir(parents=True)
    for name, content in files.items():
        # As bytes: a name may hold a byte that is not UTF-8.
        target = os.path.join(os.fsencode(root), os.fsencode(name))  # noqa: PTH118
        os.makedirs(os.path.dirname(target), exist_ok=True)  # noqa: PTH103, PTH120
        with open(target, "wb") as handle:  # noqa: PTH123
            handle.write(content)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root / where if where else root


def placed(tmp_path: Path, placement: str, hostile: str) -> tuple[Path, tuple[str, ...]]:
    """A repository with ``hostile`` in ``placement``, and the extra arguments to check it."""
    plugin = ECHO_PLUGIN.format(title="A title").encode()
    files = {
        "hostile.txt": b"plain text",
        "waived.txt": b"",
        "dsdone_checks/echo.py": plugin,
        "dsdone.yaml": contract().encode(),
    }
    args: tuple[str, ...] = ()
    folder = ""
    if placement == "file-name":
        files[f"names/{file_name(hostile)}"] = b"x\n"
    elif placement == "file-content":
        files["hostile.txt"] = hostile.encode("utf-8", "surrogateescape")
    elif placement == "contract":
        files["dsdone.yaml"] = contract(hostile, hostile, hostile).encode()
        # --all: its report names the project in its own lines, and holds each project's.
        args = ("--all",)
    elif placement == "plugin-title":
        files["dsdone_checks/echo.py"] = ECHO_PLUGIN.format(title=hostile).encode()
    elif placement == "folder":
        folder = file_name(hostile)[:200]
        files = {f"{folder}/{name}": content for name, content in files.items()}
    return build(tmp_path / "repo", files, folder), args


# Control characters, the Unicode separators and a bidirectional override; a newline and a tab
# may be written by dsdone itself.
FORBIDDEN = {chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if c not in (0x09, 0x0A)}
FORBIDDEN |= {"\u2028", "\u2029", "\u202e"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.rows: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append(0)
        elif tag in ("td", "th") and self.rows:
            self.rows[-1] += 1


# What dsdone's Markdown renders to; any other element came from the repository.
MARKDOWN_TAGS = {
    "h2", "h3", "p", "strong", "em", "table", "thead", "tbody", "tr", "th", "td", "code",
    "details", "summary", "ul", "li", "br", "sub",
}  # fmt: skip


def assert_shown_not_obeyed(output_format: str, output: str) -> None:
    output.encode("utf-8")  # strict: no lone surrogate reached the output
    shown = sorted({f"U+{ord(c):04X}" for c in output if c in FORBIDDEN})
    assert not shown, f"raw control characters in the {output_format} output: {shown}"
    lines = output.split("\n")
    commands = [line for line in lines if line.lstrip().startswith("::")]
    # GitHub runners read a line that starts with :: as a command, and ##[ anywhere in a line
    # (their older syntax) unless the line already is a command.
    legacy = [line for line in lines if "##[" in line and line not in commands]
    assert not legacy, f"lines a GitHub runner takes for commands: {legacy[:3]}"
    if output_format != "github":
        assert not commands, f"lines a GitHub runner takes for commands: {commands[:3]}"
    else:
        for command in commands:
            assert command.startswith(("::error ", "::warning ", "::notice ")), command[:80]
            head = command[2:].split("::", 1)[0]
            properties = dict(item.split("=", 1) for item in head.partition(" ")[2].split(","))
            assert set(properties) <= {"file", "line", "col", "title"}, command[:200]
    if output_format in ("json", "sarif"):
        data = json.loads(output)
        if output_format == "sarif":
            validate_sarif(data)
    elif output_format == "junit":
        ET.fromstring(output.encode("utf-8"))
    elif output_format == "markdown":
        from markdown_it import MarkdownIt

        parser = _Tags()
        parser.feed(MarkdownIt("commonmark").enable("table").render(output))
        assert set(parser.tags) <= MARKDOWN_TAGS, sorted(set(parser.tags) - MARKDOWN_TAGS)
        # Every row of both tables kept its cells: nothing broke a row or added a column.
        assert parser.rows and all(cells in (3, 5) for cells in parser.rows), parser.rows


PLACEMENTS = ["file-name", "file-content", "contract", "plugin-title", "folder"]

# Each repository is built once for the formats that check it.
_BUILT: dict[tuple[str, str], tuple[Path, tuple[str, ...]]] = {}


@pytest.fixture
def hostile_repo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, tuple[str, ...]]:
    placement, name = request.node.callspec.params["placement"], request.node.callspec.id
    key = (placement, request.node.callspec.params["hostile"])
    if key not in _BUILT:
        _BUILT[key] = placed(tmp_path_factory.mktemp(name.rsplit("-", 1)[0]), *key)
    return _BUILT[key]


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("hostile", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("placement", PLACEMENTS)
def test_repository_text_is_shown_not_obeyed_in_every_format(
    hostile_repo: tuple[Path, tuple[str, ...]],
    run_cli: RunCli,
    placement: str,
    hostile: str,
    output_format: str,
) -> None:
    project, args = hostile_repo
    result = run_cli(
        "check", str(project), "--allow-plugins", "--select", "echo", "-f", output_format, *args
    )
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert_shown_not_obeyed("terminal", result.stderr)
    if result.exit_code == 2:  # the contract refuses the characters: said, and escaped
        assert placement.startswith("contract")
        assert "is not allowed" in result.stderr or "invalid character" in result.stderr
        return
    assert result.exit_code == 1, result.stderr
    assert_shown_not_obeyed(output_format, result.stdout)


def test_json_and_sarif_keep_a_message_as_the_repository_wrote_it(
    tmp_path: Path, run_cli: RunCli
) -> None:
    hostile = "<b>`x`</b>\x1b[2J\r\n::error::y ##[error]z \u202e"
    project, _ = placed(tmp_path, "file-content", hostile)
    check = ("check", str(project), "--allow-plugins", "--select", "echo", "-f")
    (echo,) = json.loads(run_cli(*check, "json").stdout)["results"]
    assert [(f["message"], f["hint"]) for f in echo["findings"] if f["path"] == "hostile.txt"] == [
        (hostile, hostile)
    ]
    results = json.loads(run_cli(*check, "sarif").stdout)["runs"][0]["results"]
    assert f"{hostile}\nHow to fix: {hostile}" in [r["message"]["text"] for r in results]


def test_a_name_that_is_not_utf8_is_shown_with_its_byte_escaped(
    tmp_path: Path, run_cli: RunCli
) -> None:
    project, _ = placed(tmp_path, "folder", "caf\udce9")
    shown = {}
    for output_format in ("json", "sarif", "markdown", "terminal"):
        result = run_cli(
            "check", str(project), "--allow-plugins", "--select", "echo", "-f", output_format
        )
        shown[output_format] = result.stdout
    assert json.loads(shown["json"])["folder"] == "caf\\xe9"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(shown["sarif"])["runs"][0]["results"]
    }
    assert uris == {"caf%E9/hostile.txt", "caf%E9/waived.txt"}  # a URI: percent-encoded
    assert "(`caf\\xe9`)" in shown["markdown"]


SURROGATES_PLUGIN = '''\
from dsdone import Finding, check


@check(id="surrogates", title="Lone \\ud800 surrogates", fix="\\udfff")
def surrogates(project):
    """Strings no UTF-8 encoder accepts, and that no file name decodes to."""
    yield Finding("\\ud800 message", path="a\\ud800\\udce9.py", line=1, hint="\\udfff")
'''


@pytest.mark.parametrize("output_format", FORMATS)
def test_lone_surrogates_from_a_plugin_are_written_in_every_format(
    tmp_path: Path, run_cli: RunCli, output_format: str
) -> None:
    contract = "version: 1\nproject: {name: x, owner: y}\nplugins: [dsdone_checks/s.py]\n"
    files = {"dsdone.yaml": contract.encode(), "dsdone_checks/s.py": SURROGATES_PLUGIN.encode()}
    root = build(tmp_path / "repo", files)
    result = run_cli(
        "check", str(root), "--allow-plugins", "--select", "surrogates", "-f", output_format
    )
    assert result.exit_code == 1, result.stderr
    assert_shown_not_obeyed(output_format, result.stdout)
    assert "\\ud800 message" in result.stdout or "\\\\ud800 message" in result.stdout


def test_a_backtick_in_a_file_name_cannot_close_its_code_span(
    tmp_path: Path, run_cli: RunCli
) -> None:
    from markdown_it import MarkdownIt

    name = "x`<img src=y onerror=alert(1)>`.txt"
    project, _ = placed(tmp_path, "file-name", name)
    result = run_cli("check", str(project), "--allow-plugins", "--select", "echo", "-f", "markdown")
    html = MarkdownIt("commonmark").render(result.stdout)
    assert "<img" not in html
    assert "<code>names/x`&lt;img src=y onerror=alert(1)&gt;`.txt:1</code>" in html


def test_rich_markup_in_a_plugin_title_is_shown_literally(tmp_path: Path, run_cli: RunCli) -> None:
    project, _ = placed(tmp_path, "plugin-title", "[bold red]markup[/] [link=https://x]y[/link]")
    result = run_cli(
        "check", str(project), "--allow-plugins", "--select", "echo", "--color", "always"
    )
    assert "[bold red]markup[/] [link=https://x]y[/link]" in result.stdout
    assert "\x1b]8;" not in result.stdout  # no hyperlink escape made from the title


def test_a_long_summary_that_wraps_never_starts_a_line_with_a_command(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # The terminal report wraps at 100 columns: a break before "::" must not make a command.
    # "  hostile.txt:1: " and 80 x make 97 columns: the next word starts the next line.
    hostile = "x" * 80 + " ::error::wrapped"
    project, _ = placed(tmp_path, "file-content", hostile)
    result = run_cli("check", str(project), "--allow-plugins", "--select", "echo")
    assert_shown_not_obeyed("terminal", result.stdout)
    assert "\\x3a:error::wrapped" in result.stdout


# -- dsdone list, explain, init --existing, and messages -----------------------------------

HOSTILE_TITLE = "[bold]T[/] \x1b[2J ##[error]x `y` \n::warning::z"

DISTRIBUTION = f'''\
from dsdone import Finding, check


@check(id="evil-title", title={HOSTILE_TITLE!r}, fix={HOSTILE_TITLE!r})
def evil(project):
    """Docstring with \\x1b[31m an escape and ##[error] a command."""
    yield from ()
'''


def _install(site: Path) -> None:
    site.mkdir()
    (site / "evil_checks.py").write_text(DISTRIBUTION, encoding="utf-8")
    info = site / "evil_checks-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: evil-checks\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[dsdone.checks]\nevil = evil_checks\n")


@pytest.mark.parametrize("command", [["list"], ["explain", "evil-title"]])
def test_list_and_explain_show_a_plugin_title_escaped(tmp_path: Path, command: list[str]) -> None:
    _install(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "COLUMNS": "400"}
    done = subprocess.run(
        [sys.executable, "-m", "dsdone", *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert_shown_not_obeyed("terminal", done.stdout)
    assert "[bold]T[/] \\x1b[2J" in done.stdout


def test_init_existing_shows_the_names_it_found_escaped(tmp_path: Path, run_cli: RunCli) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    # The name of an MLflow entry point is read from the file and said back.
    entry = '"\\e[2J\\r##[error]x\\u202e"'
    (root / "MLproject").write_text(
        f"name: x\nentry_points:\n  {entry}:\n    command: python train.py\n", encoding="utf-8"
    )
    result = run_cli("init", str(root), "--existing", "--owner", "ana@example.com")
    assert result.exit_code == 0, result.stderr
    assert_shown_not_obeyed("terminal", result.stdout)


def test_an_error_message_quoting_the_contract_is_escaped(tmp_path: Path, run_cli: RunCli) -> None:
    root = build(
        tmp_path / "repo",
        {"dsdone.yaml": b'version: 1\nproject:\n  name: x\n  owner: y\n"a\\nb##[error]c": 1\n'},
    )
    result = run_cli("check", str(root))
    assert result.exit_code == 2
    assert "unknown key" in result.stderr
    assert_shown_not_obeyed("terminal", result.stderr)
