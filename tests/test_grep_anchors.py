"""The pattern git grep searches with: each literal anchored at a rare character, one Perl
regular expression that finds exactly the lines holding any of them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import MakeRepo
from hypothesis import given, settings
from hypothesis import strategies as st

from dsdone.git.anchors import BYTE_PERCENT, anchored_pattern
from dsdone.git.grep import FileLines, grep_arguments, read_grep, start_grep
from dsdone.git.session import GitSession
from dsdone.search_literals import BUILTIN_GREP_LITERALS

# Few characters, among them every one special to a regular expression and some of different
# frequencies: literals then share prefixes and anchors, contain each other and hold what must
# be escaped.
ALPHABET = "abeqz/.-(?:)|\\*[]{}^$#+"
literals = st.lists(st.text(ALPHABET, min_size=1, max_size=6), min_size=1, max_size=12)
lines = st.lists(st.text(ALPHABET, max_size=30), max_size=20)


@settings(max_examples=300, deadline=None)
@given(literals, lines)
def test_the_pattern_matches_exactly_the_lines_that_hold_a_literal(
    words: list[str], text: list[str]
) -> None:
    pattern = re.compile(anchored_pattern(words))

    for line in text + words:
        assert bool(pattern.search(line)) == any(word in line for word in words), line


def test_the_built_in_literals_are_found_from_rarer_characters_than_their_first() -> None:
    # Where the engine stops to try a match: at the anchors, not at the literals' first
    # characters (p of print(, m of mlflow, e of ecret...). The stops are the anchors' share
    # of the characters of typical files; the literals' first characters are three times that.
    words = [literal.decode("ascii") for literal in BUILTIN_GREP_LITERALS]
    anchors = {branch.lstrip("\\")[0] for branch in _top_level_branches(anchored_pattern(words))}
    firsts = {word[0] for word in words}

    def share(chars: set[str]) -> float:
        return sum(BYTE_PERCENT.get(char, 0.0) for char in chars)

    assert share(anchors) * 3 < share(firsts), (sorted(anchors), sorted(firsts))
    assert re.compile(anchored_pattern(words)).search('print("done")')
    assert "\\((?<=print\\()" in anchored_pattern(words)


def _top_level_branches(pattern: str) -> list[str]:
    """The alternatives of ``pattern`` outside any group."""
    branches, depth, start, index = [], 0, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:index])
            start = index + 1
        index += 1
    return [*branches, pattern[start:]]


def _git_grep_lines(root: Path, args: list[str]) -> set[tuple[str, bytes]]:
    completed = subprocess.run(
        ["git", "-c", "grep.threads=1", "grep", "-I", "-n", "-z", *args],
        cwd=root,
        capture_output=True,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    found = set()
    for record in completed.stdout.splitlines():
        path, number, _ = record.split(b"\0", 2)
        found.add((path.decode(), number))
    return found


def test_git_finds_with_the_pattern_what_it_finds_with_fixed_strings(make_repo: MakeRepo) -> None:
    # Every built-in literal on a line of its own, with its neighbours, in a notebook-like file
    # and in one that is not UTF-8: the same lines as git's own -F search.
    words = sorted(BUILTIN_GREP_LITERALS)
    body = b"".join(b"x " + w + b" y\n" + w[:-1] + b"\n\xff" + w + b"\xfe\n" for w in words)
    root = make_repo({"notes.txt": body + b"nothing here\n"}, contract=None)
    expected = _git_grep_lines(root, ["-F", *(p for w in words for p in ("-e", w.decode()))])
    git = GitSession(root)
    try:
        found = read_grep(start_grep(git, BUILTIN_GREP_LITERALS), words, restart=git.run)
        assert found is not None
        got = {("notes.txt", str(n).encode()) for hit in found for n, _ in hit.lines}
    finally:
        git.close()
    assert got == expected and len(got) >= 2 * len(words)


def test_a_git_without_perl_expressions_searches_with_the_trie_as_an_extended_one(
    make_repo: MakeRepo,
) -> None:
    # A git built without PCRE refuses -P (exit 128): here the Perl search is made to fail
    # ("\k" is an error for Perl's engine), and the search started again reads the trie's
    # groups as extended ones.
    root = make_repo({"a.txt": "home/\nnothing\nhub\n"}, contract=None)
    arguments = grep_arguments([b"home/", b"hub"])
    assert "-P" in arguments
    broken = [*arguments[:-1], arguments[-1] + "|x\\k"]
    git = GitSession(root)
    try:
        found = read_grep(git.run(broken), [b"home/", b"hub"], restart=git.run)
        assert found is not None
        assert list(found) == [FileLines("a.txt", [(1, b"home/"), (3, b"hub")])]
    finally:
        git.close()
