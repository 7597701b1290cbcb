"""Gitignore-style globs mean what git and pathspec say they mean, and never take long."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsdone.globs import compile_globs, gitignore_globs, glob_problem

PIECES = st.sampled_from(
    ["a", "b", "ab", "*", "**", "?", "[ab]", "[a-c]", "[]a]", "\\*", ".", "[", "\\", " ", "#", "!"]
)
PATTERNS = st.builds(
    lambda negate, lead, segments, trail: (
        ("!" if negate else "") + lead + "/".join("".join(segment) for segment in segments) + trail
    ),
    st.booleans(),
    st.sampled_from(["", "/", "**/"]),
    st.lists(st.lists(PIECES, min_size=1, max_size=3), min_size=1, max_size=3),
    st.sampled_from(["", "/", "/**"]),
)
PATHS = st.lists(
    st.sampled_from(["a", "b", "ab", "ba", "aa", "a.b", "*", "x"]), min_size=1, max_size=4
)


def pathspec_decision(patterns: list[str], path: str) -> bool | str | None:
    import pathspec

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pathspec's own regular expressions may warn
        try:
            spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        except Exception:  # ValueError, and re.error for a bracket such as [z-a]
            return "invalid"
    return spec.check_file(path).include


@settings(max_examples=400, suppress_health_check=list(HealthCheck))
@given(st.lists(PATTERNS, min_size=1, max_size=3), PATHS, st.booleans())
def test_globs_decide_as_pathspec_decides(
    patterns: list[str], parts: list[str], folder: bool
) -> None:
    path = "/".join(parts) + ("/" if folder else "")
    try:
        decision: bool | str | None = compile_globs(tuple(patterns)).check_file(path)
    except ValueError:
        decision = "invalid"
    assert decision == pathspec_decision(patterns, path)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.csv", "data/raw/x.csv", True),
        ("data/*.csv", "data/raw/x.csv", False),
        ("/x", "a/x", False),
        ("legacy/**", "legacy/a/b.py", True),
        ("legacy/", "legacy/a.py", True),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a[!b]c", "a/c", False),  # a bracket never matches a slash, as in git
        ("a?c", "a/c", False),
    ],
)
def test_globs_follow_gits_rules(pattern: str, path: str, matches: bool) -> None:
    assert compile_globs((pattern,)).match_file(path) is matches


def test_a_later_negation_includes_again() -> None:
    assert gitignore_globs(["*.log", "!keep.log"]).check_file("src/keep.log") is False
    assert gitignore_globs(["*.log", "!keep.log"]).check_file("src/other.log") is True


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [("!", "is not a pattern"), ("a\\", "ends with an escape character"), ("[z-a]", "range")],
)
def test_a_pattern_that_is_no_glob_is_named(pattern: str, problem: str) -> None:
    found = glob_problem(pattern)
    assert found is not None and problem in found
    with pytest.raises(ValueError):
        compile_globs((pattern,))
    assert gitignore_globs([pattern, "*.py"]).match_file("x.py")  # the others still apply


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("*a*a*a*a*a*a*a*a*a*a*a*a*b", "a" * 4000),
        ("**/a/**/a/**/a/**/a/**/a/**/b", "a/" * 2000 + "c"),
        ("**/*a*a*a*b/**/*a*a*a*c", ("a" * 60 + "/") * 60 + "x"),
        ("*?*?*?*?*?*?*?*?*?*?c", "ab" * 2000),
    ],
)
def test_globs_built_to_backtrack_answer_at_once(pattern: str, path: str) -> None:
    # Through pathspec, each of these takes longer than the age of the universe. A hang here
    # is the failure: the suite's run would never end.
    globs = compile_globs((pattern,))
    assert globs.check_file(path) is None
    assert globs.check_file(path + "/") is None
