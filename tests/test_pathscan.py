"""The personal-path scanner on its own: spellings found, near-misses left alone, any input safe."""

from __future__ import annotations

import json

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from dsdone.analysis.personal_paths import (
    _PATH,
    decode,
    is_binary,
    json_unescape,
    locate_sources,
    might_contain,
    scan_text,
)
from dsdone.checks.personal_paths import DEFAULT_ALLOWED_USERS


def found(text: str, allowed: tuple[str, ...] = ()) -> list[tuple[str, str | None, int]]:
    return [(m.text, m.user, m.column) for m in scan_text(text, allowed)]


def test_prose_after_a_windows_home_is_not_part_of_the_name() -> None:
    text = "copy it to C:\\Users\\ana and then C:\\Users\\bob lee\\x, not C:\\Users\\cy dee"

    assert [(path, user) for path, user, _ in found(text)] == [
        ("C:\\Users\\ana", "ana"),
        ("C:\\Users\\bob lee\\x", "bob lee"),
        ("C:\\Users\\cy", "cy"),
    ]


@pytest.mark.parametrize(
    ("line", "path", "user"),
    [
        ('df = pd.read_csv("/Users/ana/data/train.csv")', "/Users/ana/data/train.csv", "ana"),
        ("DATA = '/home/ana.lopez/churn'", "/home/ana.lopez/churn", "ana.lopez"),
        ('p = "C:\\\\Users\\\\ana\\\\data"', "C:\\\\Users\\\\ana\\\\data", "ana"),
        ("p = r'C:\\Users\\ana\\data'", "C:\\Users\\ana\\data", "ana"),
        ("p = 'C:/Users/ana/data'", "C:/Users/ana/data", "ana"),
        ("p = 'c:\\users\\ana'", "c:\\users\\ana", "ana"),
        ("p = 'D:\\USERS\\Ana\\x.csv'", "D:\\USERS\\Ana\\x.csv", "Ana"),
        ("cd /mnt/c/Users/ana/proj", "/mnt/c/Users/ana/proj", "ana"),
        # WillKoehrsen/Data-Analysis weighter/weighter.py: a Windows profile folder with a space.
        (
            "p = 'C:/Users/Will Koehrsen/Documents/x.csv'",
            "C:/Users/Will Koehrsen/Documents/x.csv",
            "Will Koehrsen",
        ),
        ("p = r'C:\\Users\\Ana  Lopez\\x'", "C:\\Users\\Ana", "Ana"),
        ("cd '/mnt/c/Users/Ana Lopez/proj'", "/mnt/c/Users/Ana Lopez/proj", "Ana Lopez"),
        (
            "x = '/Workspace/Users/ana@corp.com/etl'",
            "/Workspace/Users/ana@corp.com/etl",
            "ana@corp.com",
        ),
        ("x = '/content/drive/MyDrive/data.csv'", "/content/drive/MyDrive/data.csv", None),
        ("pkg @ file:///home/ana/wheels/pkg.whl", "file:///home/ana/wheels/pkg.whl", "ana"),
        ('u = "file:///C:/Users/ana/x.csv"', "file:///C:/Users/ana/x.csv", "ana"),
        ("prefix: /Users/ana/miniconda3/envs/churn", "/Users/ana/miniconda3/envs/churn", "ana"),
        ("PATH=/usr/bin:/home/ana/bin", "/home/ana/bin", "ana"),
        ("home = '/home/ana'", "/home/ana", "ana"),
        ("see /home/ana.", "/home/ana", "ana"),
    ],
)
def test_personal_path_spellings_are_found_with_their_column(
    line: str, path: str, user: str | None
) -> None:
    start = line.index(path) + 1
    assert found(line) == [(path, user, start)]


@pytest.mark.parametrize(
    "line",
    [
        "Path.home() / 'data'",
        "open(os.path.expanduser('~/.config/churn.toml'))",
        "$HOME/data ${HOME}/data",
        'prefix = "/home/"',
        'url = "https://example.com/home/ana/x"',
        'url = "https://host:8080/Users/ana/x"',
        "s3://home/ana/x",
        "gs://Users/ana/x",
        'pattern = r"^/home/[^/]+/"',
        r'pattern = r"/Users/(\w+)/"',
        'template = f"/home/{user}/data"',
        "docs say /home/<user>/data",
        "glob('/home/*/data')",
        "relative = 'data/home/ana/x'",
        "relative = './home/ana/x'",
        "relative = '../Users/ana/x'",
        "os.path.join(root, '/home')",
        "container = '/home/jovyan/work'",
        "ci = '/home/runner/work/repo'",
        "shared = '/Users/Shared/data'",
        "public = 'C:\\Users\\Public\\data'",
        "cd /root/.cache",
        "/usr/share/home/x",
    ],
)
def test_near_misses_are_not_personal_paths(line: str) -> None:
    assert found(line, DEFAULT_ALLOWED_USERS) == []


def test_allowed_users_compare_without_case() -> None:
    assert found("C:\\USERS\\JOVYAN\\x", ("jovyan",)) == []


def test_lines_and_columns_count_across_lines() -> None:
    text = "a = 1\r\n\nb = '/home/ana/x'  # and /Users/bob\n"

    matches = list(scan_text(text))

    assert [(m.line, m.column, m.text) for m in matches] == [
        (3, 6, "/home/ana/x"),
        (3, 26, "/Users/bob"),
    ]


def test_binary_is_a_nul_byte_in_the_first_8000_bytes_as_for_git() -> None:
    assert is_binary(b"abc\0def")
    assert is_binary(b"a" * 7999 + b"\0")
    assert not is_binary(b"a" * 8000 + b"\0")


def test_non_utf8_text_is_decoded_with_replacement() -> None:
    text = decode(b"caf\xe9 = '/home/ana/x'")

    assert "\ufffd" in text
    assert [m.text for m in scan_text(text)] == ["/home/ana/x"]


def test_json_escapes_are_undone_for_the_message() -> None:
    assert json_unescape("C:\\\\\\\\Users\\\\\\\\ana") == "C:\\\\Users\\\\ana"
    assert json_unescape("/home/ana/x.csv\\n") == "/home/ana/x.csv"
    assert json_unescape("/home/ana/\\q") == "/home/ana/\\q"  # not valid JSON: kept as written


def test_sources_are_located_in_a_notebook_written_by_nbformat() -> None:
    notebook = new_notebook()
    notebook.cells = [
        new_markdown_cell("# Título"),
        new_code_cell("import os\n\nx = 'C:\\\\Users\\\\ana'\n"),
    ]
    raw = nbformat.writes(notebook)

    located = locate_sources(raw, [cell.source for cell in notebook.cells])

    assert located is not None
    assert [(s.cell, s.cell_line) for s in located] == [(0, 1), (1, 1), (1, 2), (1, 3)]
    starts = ["# Título", "import os\\n", "\\n", "x = 'C:"]
    for where, expected in zip(located, starts, strict=True):
        # Each source line is its own JSON string, on its own physical line, between quotes.
        assert raw[where.start - 1] == '"'
        assert raw[where.start :].startswith(expected)
        assert raw[where.end] == '"'


def test_sources_stored_as_one_string_are_located_line_by_line() -> None:
    raw = json.dumps(
        {"cells": [{"cell_type": "code", "source": "a = 1\nb = '/home/ana'\n", "outputs": []}]}
    )

    located = locate_sources(raw, ["a = 1\nb = '/home/ana'\n"])

    assert located is not None
    assert [raw[s.start : s.end] for s in located] == ["a = 1\\n", "b = '/home/ana'\\n"]


def test_a_source_that_is_not_in_the_text_is_not_located() -> None:
    assert locate_sources('{"cells": [{"source": ["a"]}]}', ["b"]) is None


# -- properties ------------------------------------------------------------------------------


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    is_binary(data)
    might_contain(data)
    list(scan_text(decode(data)))
    locate_sources(decode(data), [decode(data)])


@given(st.text(max_size=500))
def test_arbitrary_text_never_raises_and_the_prefilter_never_hides_a_match(text: str) -> None:
    matches = list(scan_text(text))

    if matches:
        assert might_contain(text.encode("utf-8", "surrogatepass"))
    for match in matches:
        assert text[match.offset :].startswith(match.text)
        assert match.line == text.count("\n", 0, match.offset) + 1


_NAMES = st.from_regex(r"\A[a-z][a-z0-9_]{0,11}[a-z0-9]\Z")
_PREFIXES = st.sampled_from(["/Users/", "/home/", "C:\\Users\\", "C:\\\\Users\\\\", "C:/Users/"])


@given(
    prefix=_PREFIXES,
    name=_NAMES,
    before=st.text(alphabet=" \t=(,\n\"'", max_size=5),
    after=st.sampled_from(["", "/data.csv", "\\x", "'", '"', " rest"]),
)
def test_any_user_under_any_prefix_is_found_where_it_starts(
    prefix: str, name: str, before: str, after: str
) -> None:
    text = f"x ={before}{prefix}{name}{after}"

    matches = list(scan_text(text))

    assert len(matches) == 1
    assert matches[0].user == name
    assert matches[0].offset == len("x =") + len(before)
    assert might_contain(text.encode())


@given(st.text(alphabet="/\\:abcHhomeUusrsC{}[]^*.~$-_ \n", max_size=60))
def test_prefilter_is_a_necessary_condition(text: str) -> None:
    if not might_contain(text.encode()):
        assert list(scan_text(text)) == []


_PIECES = st.sampled_from(
    ["/home/", "/Users/", "users\\", "C:", "\\\\", "/", "ana", "x.csv", "file://", "/mnt/c",
     "/Workspace", "/content/drive/MyDrive", "https://h", "\n", "\r\n", " ", "'", "{", ".", "-"]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_scanning_only_lines_with_a_needle_finds_what_a_full_scan_finds(text: str) -> None:
    full = [match.start() for match in _PATH.finditer(text)]

    assert [match.offset for match in scan_text(text)] == full
