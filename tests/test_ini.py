"""dsdone's INI reader reads what configparser reads, with lines, in linear time."""

from __future__ import annotations

import configparser

from hypothesis import given
from hypothesis import strategies as st

from dsdone.analysis.ini import read_ini

LINES = st.sampled_from(
    [
        "[train]",
        "[db]",
        "[DEFAULT]",
        " [train]",
        "[a]]",
        "[]",
        "seed = 1",
        "Seed: 2",
        "rate=0.1",
        "  continued",
        "\tmore",
        "",
        "   ",
        "# comment",
        "; comment",
        "  # indented comment",
        "= no name",
        "no delimiter",
        "url = http://x:8080",
        "a:b=c",
        "password = hunter2",
    ]
)


def configparser_view(text: str) -> dict[tuple[str, str], str] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    view = {("DEFAULT", key): value for key, value in parser.defaults().items()}
    for section in parser.sections():
        for key, value in parser._sections[section].items():  # type: ignore[attr-defined]
            view[(section, key)] = value
    return view


@given(st.lists(LINES, max_size=12))
def test_the_reader_agrees_with_configparser(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    expected = configparser_view(text)
    found = read_ini(text)
    if expected is None:
        assert found.error is not None
    else:
        assert found.error is None
        assert {(s.section, s.key): s.value for s in found.settings} == expected


def test_each_setting_has_the_line_of_its_option() -> None:
    found = read_ini("[db]\n# the host\nhost = x\npassword =\n  first\n  second\n")
    assert [(s.key, s.value, s.line) for s in found.settings] == [
        ("host", "x", 3),
        ("password", "\nfirst\nsecond", 4),
    ]


def test_errors_are_worded_as_configparser_words_them() -> None:
    assert read_ini("seed = 1\n").error is not None
    assert read_ini("seed = 1\n").error.message == "File contains no section headers."  # type: ignore[union-attr]
    duplicate = read_ini("[train]\nseed = 1\nSEED = 2\n").error
    assert duplicate is not None
    assert (duplicate.message, duplicate.line) == (
        "option 'seed' in section 'train' already exists",
        3,
    )
