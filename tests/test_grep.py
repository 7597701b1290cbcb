"""One git grep for every check: the hits it returns, the Project's view of them, the literals
checks declare, and the search the command line starts before it knows the options."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli, git

from dsdone import engine
from dsdone.api import check
from dsdone.cli import _prefetch_for
from dsdone.contract import load_contract
from dsdone.git.grep import FileLines, read_grep, start_grep
from dsdone.git.prefetch import Prefetch
from dsdone.git.session import GitSession
from dsdone.project import Project
from dsdone.registry import builtin_checks
from dsdone.search_literals import BUILTIN_GREP_LITERALS as BUILTIN_LITERALS

MIB = 1024 * 1024  # what the parser reads of git's output at a time


@pytest.fixture(autouse=True)
def _no_repository_above(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A folder built without git_init must not be taken for part of a repository above tmp_path.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


def grep(root: Path, literals: Iterable[bytes]) -> list[FileLines] | None:
    """Every hit of one search in ``root``, the search then stopped and its output freed."""
    literals = list(literals)
    git = GitSession(root)
    try:
        found = read_grep(start_grep(git, literals), literals, restart=git.run)
        return None if found is None else list(found)
    finally:
        git.close()


def project_grep(root: Path, literals: Iterable[bytes]) -> list[FileLines] | None:
    with Project(root, load_contract(root)) as project:
        found = project.grep(literals)
        return None if found is None else list(found)


# -- dsdone.git.grep: what git grep finds, parsed ------------------------------------------------


def test_each_file_comes_back_once_with_its_matching_lines_numbered(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "a.txt": b"alpha first\nno\nno\nsecond alpha\n\nalpha\n",  # 1, 4, 6
            "c/d.txt": b"x\nALPHA\nalphabet\n",  # 3: the search is case-sensitive
            "e.txt": b"nothing here\n",
        },
        contract=None,
    )
    (root / "b.txt").write_bytes(b"untracked\nalpha\n")  # git grep: tracked files only

    assert grep(root, [b"alpha"]) == [
        FileLines("a.txt", [(1, b"alpha first"), (4, b"second alpha"), (6, b"alpha")]),
        FileLines("c/d.txt", [(3, b"alphabet")]),
    ]


def test_no_matching_line_is_an_empty_answer_not_a_failure(make_repo: MakeRepo) -> None:
    # git exits 1 when nothing matched: the answer is "no file", not "search them yourself".
    root = make_repo({"a.txt": "nothing\n"}, contract=None)
    assert grep(root, [b"alpha"]) == []


def test_outside_a_git_work_tree_there_is_no_answer(make_repo: MakeRepo) -> None:
    root = make_repo({"a.txt": "alpha\n"}, git_init=False, contract=None)
    assert grep(root, [b"alpha"]) is None


def test_a_file_name_with_a_newline_and_a_space_comes_back_whole(make_repo: MakeRepo) -> None:
    # With -z git writes names unquoted, so the line break of the name is in the record.
    root = make_repo(
        {"a.txt": "alpha\n", "odd name\nhere.txt": "x\nalpha 2\n", "z.txt": "alpha\n"},
        contract=None,
    )

    assert grep(root, [b"alpha"]) == [
        FileLines("a.txt", [(1, b"alpha")]),
        FileLines("odd name\nhere.txt", [(2, b"alpha 2")]),
        FileLines("z.txt", [(1, b"alpha")]),
    ]


def test_a_nul_after_the_binary_probe_stays_in_its_line(make_repo: MakeRepo) -> None:
    content = b"alpha start\n" + b"x" * 8000 + b"\n" + b"head\0alpha\0tail\n" + b"last alpha\n"
    assert content.index(b"\0") >= 8000  # past git's probe: the file is text to git
    root = make_repo({"late.txt": content, "z.txt": "alpha\n"}, contract=None)

    assert grep(root, [b"alpha"]) == [
        FileLines("late.txt", [(1, b"alpha start"), (3, b"head\0alpha\0tail"), (4, b"last alpha")]),
        FileLines("z.txt", [(1, b"alpha")]),
    ]


@pytest.mark.parametrize(
    "length", [MIB + 1, 2 * MIB + MIB // 2], ids=["over-one-read", "over-two-reads"]
)
def test_a_line_longer_than_a_read_comes_back_whole(make_repo: MakeRepo, length: int) -> None:
    # The literal ends the line, so that only a parser that joins the reads sees the whole line.
    long_line = b"x" * (length - len(b"alpha")) + b"alpha"
    root = make_repo(
        {"big.txt": b"alpha before\n" + long_line + b"\nalpha after\n", "next.txt": b"alpha\n"},
        contract=None,
    )

    found = grep(root, [b"alpha"])

    assert found is not None
    assert [(hit.path, [number for number, _ in hit.lines]) for hit in found] == [
        ("big.txt", [1, 2, 3]),
        ("next.txt", [1]),
    ]
    big = found[0].lines
    assert (big[0][1], big[2][1]) == (b"alpha before", b"alpha after")
    assert len(big[1][1]) == length and big[1][1] == long_line


@pytest.mark.parametrize("split", range(-2, 19))
def test_a_record_cut_anywhere_by_a_read_comes_back_whole(make_repo: MakeRepo, split: int) -> None:
    # git writes PATH\0NUMBER\0LINE\n. The first record is "f.txt\0" "1\0" LINE1 "\n", 9 bytes
    # more than LINE1; sized so that the first read ends `split` bytes into the second record
    # "f.txt\0" "2\0" "alpha two\n" (18 bytes): in its name, on a NUL, in its number, its line,
    # on its line break, or (below 0) in the first line.
    line1 = b"x" * (MIB - 9 - split - len(b"alpha")) + b"alpha"
    root = make_repo({"f.txt": line1 + b"\nalpha two\n"}, contract=None)

    found = grep(root, [b"alpha"])

    assert found is not None
    assert [hit.path for hit in found] == ["f.txt"]
    [(first, first_line), second] = found[0].lines
    assert first == 1 and first_line == line1
    assert second == (2, b"alpha two")


def test_crlf_line_endings_keep_their_carriage_return(make_repo: MakeRepo) -> None:
    root = make_repo({"win.txt": b"one\r\nalpha two\r\nthree alpha\r\n"}, contract=None)
    assert grep(root, [b"alpha"]) == [
        FileLines("win.txt", [(2, b"alpha two\r"), (3, b"three alpha\r")])
    ]


def test_a_last_line_without_a_line_break_is_found(make_repo: MakeRepo) -> None:
    root = make_repo({"a.txt": b"first\nlast alpha", "b.txt": b"alpha\n"}, contract=None)
    assert grep(root, [b"alpha"]) == [
        FileLines("a.txt", [(2, b"last alpha")]),
        FileLines("b.txt", [(1, b"alpha")]),
    ]


def test_untracked_files_are_searched_and_ignored_ones_are_not(make_repo: MakeRepo) -> None:
    # git grep searches the tracked files; Project.grep adds the untracked ones of the index,
    # numbered the same way, binary ones (git's rule) left out.
    root = make_repo({".gitignore": "*.log\nbuild/\n", "tracked.py": "alpha\n"})
    for name in ("notes.md", "run.log", "build/out.py"):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text("x\nalpha beta\n\nalpha", "utf-8")
    (root / "model.bin").write_bytes(b"\0alpha\n")

    found = project_grep(root, [b"alpha"])

    assert found == [
        FileLines("tracked.py", [(1, b"alpha")]),
        FileLines("notes.md", [(2, b"alpha beta"), (4, b"alpha")]),
    ]


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({"data.bin": b"\0alpha\n"}, "a NUL at the start"),
        ({"data.bin": b"alpha\n" + b"x" * 7993 + b"\0\n"}, "a NUL at byte 7,999, the probe's last"),
        ({".gitattributes": "*.dat binary\n", "data.dat": "alpha\n"}, ".gitattributes says so"),
    ],
    ids=["nul-first", "nul-last-probed-byte", "gitattributes"],
)
def test_binary_files_are_not_searched(
    make_repo: MakeRepo, files: dict[str, str | bytes], why: str
) -> None:
    root = make_repo({**files, "text.txt": "alpha\n"}, contract=None)
    found = grep(root, [b"alpha"])
    assert found is not None
    assert [hit.path for hit in found] == ["text.txt"], why


def test_literals_are_fixed_strings_even_with_dashes_dots_and_backslashes(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            "abc.txt": b"abc\n",  # "a.c" as a regular expression would match it
            "dash.txt": b"x --alpha\n",  # a literal like an option must not become one
            "latin1.txt": b"caf\xe9\n",  # bytes that are not UTF-8
            "win.txt": b"C:\\Users\\ana\n",
        },
        contract=None,
    )

    found = grep(root, [b"a.c", b"--alpha", b"Users\\", b"caf\xe9", b"a.c"])

    assert found == [
        FileLines("dash.txt", [(1, b"x --alpha")]),
        FileLines("latin1.txt", [(1, b"caf\xe9")]),
        FileLines("win.txt", [(1, b"C:\\Users\\ana")]),
    ]


def test_a_project_in_a_subfolder_sees_its_own_files_by_their_paths_in_it(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo(
        {
            "top.txt": "alpha\n",
            "sub/dsdone.yaml": MINIMAL_CONTRACT,
            "sub/inner.txt": "alpha\n",
            "sub/deeper/x.txt": "no\nalpha\n",
            "subway/y.txt": "alpha\n",  # a sibling whose name starts like the project's
        },
        contract=None,
    )
    expected = [
        FileLines("deeper/x.txt", [(2, b"alpha")]),
        FileLines("inner.txt", [(1, b"alpha")]),
    ]

    assert grep(repo / "sub", [b"alpha"]) == expected
    # The same names as the project's file index, or every hit would be dropped there.
    assert project_grep(repo / "sub", [b"alpha"]) == expected


def test_the_users_git_settings_do_not_change_the_records(make_repo: MakeRepo) -> None:
    repo = make_repo({"sub/inner.txt": "x\nalpha beta\n"}, contract=None)
    for key, value in [
        ("grep.fullName", "true"),  # names from the top folder
        ("grep.column", "true"),  # a fourth field
        ("color.grep", "always"),  # escape sequences around the names and the hits
        ("grep.patternType", "perl"),
        ("grep.lineNumber", "false"),
    ]:
        git(repo, "config", key, value)

    assert grep(repo / "sub", [b"alpha"]) == [FileLines("inner.txt", [(2, b"alpha beta")])]


# -- Project.grep: the hits of the project's files ------------------------------------------------


def test_project_grep_returns_only_files_of_the_project_index(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("alpha\n", "utf-8")
    root = make_repo({"kept.py": "alpha\n"})
    # Names the file index leaves out (they cannot be shown in a report), and a link out.
    (root / "odd\nname.py").write_text("alpha\n", "utf-8")
    (root / os.fsdecode(b"caf\xe9.py")).write_text("alpha\n", "utf-8")
    (root / "out.txt").symlink_to(secret)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "odd names and a link out")
    raw = grep(root, [b"alpha"])
    assert raw is not None
    assert {"odd\nname.py", os.fsdecode(b"caf\xe9.py")} <= {hit.path for hit in raw}

    assert project_grep(root, [b"alpha"]) == [FileLines("kept.py", [(1, b"alpha")])]


def test_project_grep_searches_a_tracked_file_that_gitignore_matches(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({".gitignore": "*.local.yaml\n", "a.py": "alpha\n"})
    (root / "train.local.yaml").write_text("path: alpha\n", "utf-8")
    git(root, "add", "-f", "train.local.yaml")
    git(root, "commit", "-q", "-m", "a tracked file that matches .gitignore")
    with Project(root, load_contract(root)) as project:
        assert project.is_tracked("train.local.yaml")
        assert "train.local.yaml" in project.files

    found = project_grep(root, [b"alpha"])

    assert found is not None
    assert [hit.path for hit in found] == ["a.py", "train.local.yaml"]


def test_project_grep_for_no_literal_finds_no_file(make_repo: MakeRepo) -> None:
    # Not None ("search the files yourself"): git grep would fail for want of a pattern.
    root = make_repo({"a.py": "alpha\n"})
    assert project_grep(root, []) == []


def test_project_grep_outside_git_leaves_the_reading_to_the_caller(make_repo: MakeRepo) -> None:
    root = make_repo({"a.py": "alpha\n"}, git_init=False)
    assert project_grep(root, [b"alpha"]) is None


@pytest.fixture
def alpha_beta(make_repo: MakeRepo) -> Path:
    return make_repo(
        {
            "alpha_only.txt": b"x\nalpha\n",
            "beta_only.txt": b"beta\n",
            "both.txt": b"alpha one\nbeta two\nalpha and beta\n",
            "gamma.txt": b"gamma\n",
        }
    )


def test_a_wider_prefetched_search_is_narrowed_to_the_literals_asked_for(
    alpha_beta: Path,
) -> None:
    root = alpha_beta
    prefetch = Prefetch.start(root, {b"alpha", b"beta"})
    with Project(root, load_contract(root), prefetch) as project:
        asked_alpha = list(project.grep([b"alpha"]) or ())
        asked_both = list(project.grep([b"beta", b"alpha"]) or ())

    assert asked_alpha == [
        FileLines("alpha_only.txt", [(2, b"alpha")]),
        FileLines("both.txt", [(1, b"alpha one"), (3, b"alpha and beta")]),
    ]
    assert asked_both == [
        FileLines("alpha_only.txt", [(2, b"alpha")]),
        FileLines("beta_only.txt", [(1, b"beta")]),
        FileLines("both.txt", [(1, b"alpha one"), (2, b"beta two"), (3, b"alpha and beta")]),
    ]


def test_the_prefetched_search_is_the_one_that_answers(alpha_beta: Path) -> None:
    # Without this the test above could pass on a search of its own. A file changed after the
    # prefetched search finished shows which search answered.
    root = alpha_beta
    prefetch = Prefetch.start(root, {b"alpha", b"beta"})
    assert prefetch.grep is not None
    prefetch.grep.wait()
    (root / "beta_only.txt").write_bytes(b"alpha\n")  # same files, so the index is unchanged

    with Project(root, load_contract(root), prefetch) as project:
        found = list(project.grep([b"alpha"]) or ())

    assert [hit.path for hit in found] == ["alpha_only.txt", "both.txt"]


def test_a_literal_the_prefetch_did_not_search_for_gets_a_search_of_its_own(
    alpha_beta: Path,
) -> None:
    root = alpha_beta
    prefetch = Prefetch.start(root, {b"alpha", b"beta"})
    with Project(root, load_contract(root), prefetch) as project:
        gamma = list(project.grep([b"gamma"]) or ())
        alpha_gamma = list(project.grep([b"alpha", b"gamma"]) or ())

    assert gamma == [FileLines("gamma.txt", [(1, b"gamma")])]
    assert [hit.path for hit in alpha_gamma] == ["alpha_only.txt", "both.txt", "gamma.txt"]


# -- @check(grep=...) ---------------------------------------------------------------------------


def _checks_nothing(project: Project) -> list[object]:
    return []


@pytest.mark.parametrize(
    "literals",
    [[b"alpha", b"beta", b"alpha"], (literal for literal in [b"alpha", b"beta"])],
    ids=["list", "generator"],
)
def test_check_keeps_its_grep_literals_as_a_frozenset(literals: Iterable[bytes]) -> None:
    declared = check(id="demo-grep", title="Demo", fix="Nothing.", grep=literals)(_checks_nothing)
    assert declared.grep == frozenset({b"alpha", b"beta"})
    assert isinstance(declared.grep, frozenset)


def test_a_check_without_literals_searches_for_nothing() -> None:
    declared = check(id="demo-grep", title="Demo", fix="Nothing.")(_checks_nothing)
    assert declared.grep == frozenset()


@pytest.mark.parametrize(
    "literals",
    [[b""], [b"ok", b""], ["alpha"], "alpha", [b"two\nlines"], [b"ends\n"]],
    ids=["empty", "empty-among-others", "str", "a-str-itself", "newline", "final-newline"],
)
def test_check_rejects_a_literal_git_grep_cannot_search_for(literals: Iterable[bytes]) -> None:
    with pytest.raises(ValueError, match="grep literal must be non-empty bytes on one line"):
        check(id="demo-grep", title="Demo", fix="Nothing.", grep=literals)


def test_builtin_literals_are_those_the_builtin_checks_declare() -> None:
    # The command line starts the search with BUILTIN_LITERALS before it imports the checks.
    declared = frozenset().union(*(found.grep for found in builtin_checks()))
    assert declared  # personal-paths declares some
    assert declared == BUILTIN_LITERALS


# -- the search started before the options are parsed -------------------------------------------

DECOY_CONTRACT = MINIMAL_CONTRACT.replace("name: demo", "name: decoy")


@pytest.fixture
def target(make_repo: MakeRepo) -> Path:
    """A project in the folder ml/ of its repository, with one personal path; another one in
    the repository's top folder, outside the project."""
    repo = make_repo(
        {
            "notes.py": "NOTES = '/home/carol/notes.txt'\n",
            "ml/dsdone.yaml": MINIMAL_CONTRACT,
            "ml/train.py": "import os\n\nDATA = '/home/ana/data.csv'\n",
        },
        contract=None,
        name="target",
    )
    return repo / "ml"


# The one finding of the target project: line 3 of ml/train.py, by its path in the project.
ANA = ("train.py", 3, "personal path '/home/ana/data.csv': it is in the Linux home folder of 'ana'")


def personal_path_findings(data: dict[str, Any]) -> list[tuple[str, int, str]]:
    [result] = data["results"]
    assert result["check"] == "personal-paths"
    return [(f["path"], f["line"], f["message"]) for f in result["findings"]]


@pytest.mark.parametrize(
    "decoy_at",
    ["cwd", "json"],  # the current folder; a folder named like an option's value
)
def test_check_from_another_project_reports_on_the_path_given(
    make_repo: MakeRepo, run_cli: RunCli, target: Path, decoy_at: str
) -> None:
    # A project with personal paths of its own where the early guess may look: the current
    # folder, or (when it is the guess) a folder the value of --format names.
    decoy_files = {"train.py": "DATA = '/home/bob/data.csv'\n", "dsdone.yaml": DECOY_CONTRACT}
    cwd = make_repo(decoy_files if decoy_at == "cwd" else {}, contract=None, name="here")
    if decoy_at == "json":
        make_repo(decoy_files, contract=None, name="here/json")
    path = os.path.relpath(target, cwd)

    result = run_cli("check", "--format", "json", "--select", "personal-paths", path, cwd=cwd)

    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["project"]["name"] == "demo"
    assert data["folder"] == "ml"
    assert personal_path_findings(data) == [ANA]


def test_the_early_guess_is_the_path_given_not_the_current_project(
    make_repo: MakeRepo, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = make_repo({"train.py": "x = 1\n"}, contract=DECOY_CONTRACT, name="here")
    monkeypatch.chdir(cwd)

    guess = _prefetch_for(["--format", "json", "--select", "personal-paths", str(target)])

    assert guess is not None
    try:
        assert guess.root == target.resolve()
        assert guess.literals == BUILTIN_LITERALS
    finally:
        guess.close()


@pytest.mark.parametrize("wrong", ["sibling", "repository-top"])
def test_the_engine_ignores_and_closes_a_prefetch_for_another_folder(
    make_repo: MakeRepo, target: Path, wrong: str
) -> None:
    sibling = make_repo(
        {"ml/train.py": "x = 1\n\nDATA = '/home/bob/data.csv'\n"},
        contract=DECOY_CONTRACT,
        name="sibling",
    )
    other = sibling if wrong == "sibling" else target.parent
    selection = engine.Selection(select=frozenset({"personal-paths"}))
    prefetch = Prefetch.start(other, BUILTIN_LITERALS)

    report = engine.run(target, selection, prefetch=prefetch)

    assert report.project.name == "demo" and report.folder == "ml"
    [result] = report.results
    assert [(f.path, f.line, f.message) for f in result.findings] == [ANA]
    # Its git commands are stopped and their output freed, not left running.
    assert prefetch.grep is None
    assert all(run.closed for run in prefetch.runs.values())


def test_a_search_git_refuses_with_perl_expressions_runs_again_with_extended_ones(
    make_repo: MakeRepo,
) -> None:
    # As a git built without PCRE refuses -P (exit 128). "x\k" is an error for Perl's engine
    # and "xk" for an extended one: only the search started again finds the line.
    root = make_repo({"a.txt": "xk\n"}, contract=None)
    git = GitSession(root)
    run = git.run(["grep", "-I", "-n", "-z", "-P", "-e", "x\\k"])
    try:
        found = read_grep(run, [b"xk"], restart=git.run)
        assert found is not None
        assert list(found) == [FileLines("a.txt", [(1, b"xk")])]
    finally:
        git.close()
