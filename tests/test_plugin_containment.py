"""A check that raises, returns garbage or runs too long is contained: its result is `error`
with the reason, and the other checks still run and report."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT

PLUGIN = '''\
from __future__ import annotations

import sys
import threading
import time

from dsdone import Finding, Note, check


@check(id="good", title="A well-behaved check", fix="Nothing to fix.")
def good(project):
    """Passes, and says how many files it saw."""
    yield Note(f"saw {len(project.files)} files")


@check(id="finds", title="A check with a finding", fix="Remove TODO.")
def finds(project):
    """Fails with one finding."""
    yield Finding("a TODO is left", path="dsdone.yaml", line=1, hint="remove it")


@check(id="raises", title="Raises", fix="Nothing.")
def raises(project):
    """Crashes half way."""
    yield Note("started")
    raise KeyError("missing-column")


@check(id="raises-at-call", title="Raises before yielding", fix="Nothing.")
def raises_at_call(project):
    """Not a generator: raises as soon as it is called."""
    return {}["nope"]


@check(id="yields-garbage", title="Yields a string", fix="Nothing.")
def yields_garbage(project):
    """Yields something that is not a Finding."""
    yield "src/train.py:3: bad"


@check(id="returns-none", title="Returns None", fix="Nothing.")
def returns_none(project):
    """Returns no iterable at all."""
    return None


@check(id="bad-repr", title="Yields an object whose repr raises", fix="Nothing.")
def bad_repr(project):
    """Even describing the garbage fails."""

    class Hostile:
        def __repr__(self):
            raise RuntimeError("no repr for you")

    yield Hostile()


@check(id="sleeps", title="Runs far too long", fix="Nothing.")
def sleeps(project):
    """Sleeps past any sensible timeout."""
    time.sleep(5)
    yield Note("woke up")


@check(id="busy-loop", title="Keeps the processor busy far too long", fix="Nothing.")
def busy_loop(project):
    """Computes past any sensible timeout, never waiting for anything."""
    end = time.monotonic() + 5
    while time.monotonic() < end:
        pass
    yield Note("done")


@check(id="malformed-finding", title="Yields a Finding of the wrong types", fix="Nothing.")
def malformed_finding(project):
    """A Finding whose line is a string: it cannot be sorted with the others."""
    yield Finding("first", path="a.py", line="3")
    yield Finding("second", path="a.py", line=2)


@check(id="escapes", title="Writes terminal escape sequences", fix="Nothing.")
def escapes(project):
    """A finding whose text would clear the reader's screen if printed raw."""
    yield Finding("clear\x1b[2Jscreen", path="a.py", line=1, hint="bell\x07")


@check(id="exits", title="Calls sys.exit", fix="Nothing.")
def exits(project):
    """Tries to end the whole run."""
    sys.exit(0)
    yield Note("unreachable")


@check(id="interrupts", title="Raises KeyboardInterrupt", fix="Nothing.")
def interrupts(project):
    """As if Ctrl-C reached a check's thread."""
    raise KeyboardInterrupt
    yield Note("unreachable")


class Abort(BaseException):
    """Not an Exception: `except Exception` lets it through."""


@check(id="base-exception", title="Raises a BaseException", fix="Nothing.")
def base_exception(project):
    """Raises what only `except BaseException` catches."""
    yield Note("started")
    raise Abort("stop everything")


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no str for you")


@check(id="unprintable", title="Raises an exception that cannot be shown", fix="Nothing.")
def unprintable(project):
    """Its exception's str() raises."""
    raise Unprintable()
    yield Note("unreachable")
'''

CONTRACT = MINIMAL_CONTRACT + "plugins:\n  - dsdone_checks/hostile.py\n"


@pytest.fixture
def hostile_repo(make_repo) -> Path:
    return make_repo({"dsdone_checks/hostile.py": PLUGIN}, contract=CONTRACT)


def run_json(run_cli: Any, repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", str(repo), "--format", "json", "--allow-plugins", *args)
    assert "Traceback" not in result.stderr
    assert result.exit_code in (0, 1), result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, {r["check"]: r for r in data["results"]}


@pytest.mark.parametrize(
    ("check_id", "reason"),
    [
        ("raises", "the check crashed: KeyError: 'missing-column'"),
        ("raises-at-call", "the check crashed: KeyError: 'nope'"),
        ("yields-garbage", "the check yielded str 'src/train.py:3: bad', not a Finding or a Note"),
        ("returns-none", "the check crashed: TypeError: 'NoneType' object is not iterable"),
        ("bad-repr", "the check crashed: RuntimeError: no repr for you"),
        ("interrupts", "the check crashed: KeyboardInterrupt"),
        ("base-exception", "the check crashed: Abort: stop everything"),
        ("unprintable", "the check crashed: Unprintable: (its message cannot be shown)"),
    ],
)
def test_a_misbehaving_check_is_an_error_and_the_others_still_run(
    hostile_repo: Path, run_cli, check_id: str, reason: str
) -> None:
    code, results = run_json(run_cli, hostile_repo, "--select", f"good,finds,{check_id}")
    assert code == 1  # an error blocks: the project cannot be called ready on its word
    assert results[check_id]["status"] == "error"
    assert results[check_id]["summary"] == reason
    assert results[check_id]["findings"] == []
    assert results["good"]["status"] == "pass"
    assert results["good"]["summary"].startswith("saw ")
    assert results["finds"]["status"] == "fail"
    assert [f["message"] for f in results["finds"]["findings"]] == ["a TODO is left"]


def test_a_check_past_its_contract_timeout_is_an_error(make_repo, run_cli) -> None:
    contract = CONTRACT + "checks:\n  sleeps:\n    timeout: 0.2\n"
    repo = make_repo({"dsdone_checks/hostile.py": PLUGIN}, contract=contract)
    code, results = run_json(run_cli, repo, "--select", "good,sleeps")
    assert code == 1
    assert results["sleeps"]["status"] == "error"
    assert results["sleeps"]["summary"] == "did not finish within 0.2 s (its timeout)"
    assert results["good"]["status"] == "pass"


def test_a_check_that_keeps_the_processor_busy_does_not_hold_up_the_others(
    make_repo, run_cli
) -> None:
    # "busy-loop" runs before "good" (checks are taken in the order of their ids); good must
    # still run, well within its own short timeout, and busy-loop end as an error at its own.
    contract = CONTRACT + "checks:\n  busy-loop:\n    timeout: 1\n  good:\n    timeout: 0.5\n"
    repo = make_repo({"dsdone_checks/hostile.py": PLUGIN}, contract=contract)
    started = time.monotonic()

    _, results = run_json(run_cli, repo, "--select", "busy-loop,good")

    assert results["good"]["status"] == "pass"
    assert results["busy-loop"]["summary"] == "did not finish within 1 s (its timeout)"
    assert time.monotonic() - started < 4  # not the 5 s the busy check would take


def test_a_check_past_the_command_line_timeout_is_an_error(hostile_repo: Path, run_cli) -> None:
    _, results = run_json(run_cli, hostile_repo, "--select", "sleeps,good", "--timeout", "0.2")
    assert results["sleeps"]["status"] == "error"
    assert "did not finish within 0.2 s" in results["sleeps"]["summary"]
    # The timeout applies to each check: a quick one is not cut short by it.
    assert results["good"]["status"] == "pass"


def test_the_contract_timeout_wins_over_the_command_line(make_repo, run_cli) -> None:
    contract = CONTRACT + "checks:\n  sleeps:\n    timeout: 0.2\n"
    repo = make_repo({"dsdone_checks/hostile.py": PLUGIN}, contract=contract)
    _, results = run_json(run_cli, repo, "--select", "sleeps", "--timeout", "600")
    assert results["sleeps"]["summary"] == "did not finish within 0.2 s (its timeout)"


def test_a_check_calling_sys_exit_does_not_end_the_run(hostile_repo: Path, run_cli) -> None:
    _, results = run_json(run_cli, hostile_repo, "--select", "exits,good", "--timeout", "5")
    assert results["exits"]["status"] == "error"
    assert results["good"]["status"] == "pass"


def test_a_check_calling_sys_exit_without_a_timeout_is_an_error(
    hostile_repo: Path, run_cli
) -> None:
    _, results = run_json(run_cli, hostile_repo, "--select", "exits,good")
    assert results["exits"]["status"] == "error"
    assert results["exits"]["summary"] == "the check crashed: SystemExit: 0"


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        pytest.param(
            "raise ImportError('no module named torch')\n",
            "plugins: cannot load dsdone_checks/hostile.py: ImportError: no module named torch",
            id="raises-at-import",
        ),
        pytest.param(
            "import sys\nsys.exit(0)\n",
            "plugins: cannot load dsdone_checks/hostile.py: SystemExit: 0",
            id="exits-at-import",
        ),
        pytest.param(
            "def broken(:\n",
            "plugins: cannot load dsdone_checks/hostile.py: SyntaxError",
            id="syntax-error",
        ),
    ],
)
def test_a_plugin_that_cannot_load_is_exit_2_naming_it(
    make_repo, run_cli, plugin: str, message: str
) -> None:
    repo = make_repo({"dsdone_checks/hostile.py": plugin}, contract=CONTRACT)
    result = run_cli("check", str(repo), "--allow-plugins")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "listed",
    ["../outside.py", "/etc/passwd", "dsdone_checks/notes.txt", "missing.py", "link_out.py"],
)
def test_a_plugin_path_outside_the_project_or_not_python_is_refused(
    make_repo, run_cli, tmp_path: Path, listed: str
) -> None:
    marker = tmp_path / "outside-ran"
    outside = tmp_path / "outside.py"
    outside.write_text(f"open({str(marker)!r}, 'w').write('ran')\n", "utf-8")
    contract = MINIMAL_CONTRACT + f"plugins:\n  - {listed}\n"
    repo = make_repo({"dsdone_checks/notes.txt": "hello\n"}, contract=contract)
    (repo / "link_out.py").symlink_to(outside)
    result = run_cli("check", str(repo), "--allow-plugins")
    assert result.exit_code == 2
    assert f"plugins: {listed!r} is not a Python file inside the project" in result.stderr
    assert not marker.exists()


def test_a_finding_of_the_wrong_types_is_an_error(hostile_repo: Path, run_cli) -> None:
    _, results = run_json(run_cli, hostile_repo, "--select", "malformed-finding,good")
    assert results["malformed-finding"]["status"] == "error"
    assert (
        "malformed Finding: line must be a whole number" in results["malformed-finding"]["summary"]
    )
    assert results["good"]["status"] == "pass"


def test_escape_sequences_in_findings_are_shown_not_obeyed(hostile_repo: Path, run_cli) -> None:
    result = run_cli("check", str(hostile_repo), "--allow-plugins", "--select", "escapes")
    assert result.exit_code == 1
    assert "a.py:1: error[escapes]: clear\\x1b[2Jscreen" in result.stdout
    assert "hint: bell\\x07" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


# -- project plugins load as imported modules; --debug shows where they fail -----------------

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_plugin_example() -> str:
    """The plugin module the README shows, exactly as it is written there."""
    text = README.read_text("utf-8")
    start = text.index("```python\n# acme_dsdone_checks.py\n") + len("```python\n")
    return text[start : text.index("```", start)]


def test_the_readme_plugin_example_works_as_a_project_plugin(make_repo, run_cli) -> None:
    # It uses @dataclass with `from __future__ import annotations`, which looks the module up in
    # sys.modules: a module loaded without registering there fails before any check runs.
    contract = MINIMAL_CONTRACT + "outputs: []\nplugins:\n  - dsdone_checks/model_card.py\n"
    repo = make_repo({"dsdone_checks/model_card.py": readme_plugin_example()}, contract=contract)
    _, results = run_json(run_cli, repo, "--select", "acme-model-card")
    assert results["acme-model-card"]["status"] == "fail"  # a warning: it does not block
    assert [f["message"] for f in results["acme-model-card"]["findings"]] == [
        "no tracked MODEL_CARD.md"
    ]
    card = "# Card\n## Intended use\nChurn.\n## Limitations\nNone known.\n"
    repo = make_repo(
        {"dsdone_checks/model_card.py": readme_plugin_example(), "MODEL_CARD.md": card},
        contract=contract,
        name="with-card",
    )
    code, results = run_json(run_cli, repo, "--select", "acme-model-card")
    assert (code, results["acme-model-card"]["status"]) == (0, "pass")


def test_a_project_plugin_sees_itself_in_sys_modules(make_repo, run_cli) -> None:
    plugin = (
        "import sys, typing\n"
        "from dsdone import Note, check\n"
        "class Options:\n"
        "    marker: 'str'\n"
        "@check(id='self-aware', title='Finds itself', fix='Nothing.')\n"
        "def aware(project):\n"
        "    '''Imports as a module does.'''\n"
        "    assert sys.modules[__name__].__file__.endswith('aware.py')\n"
        "    yield Note(str(typing.get_type_hints(Options)['marker'].__name__))\n"
    )
    contract = MINIMAL_CONTRACT + "plugins:\n  - dsdone_checks/aware.py\n"
    repo = make_repo({"dsdone_checks/aware.py": plugin}, contract=contract)
    code, results = run_json(run_cli, repo, "--select", "self-aware")
    assert (code, results["self-aware"]["summary"]) == (0, "str")


def test_a_plugin_that_fails_to_load_leaves_no_module_behind(make_repo, run_cli) -> None:
    import sys

    before = {name for name in sys.modules if name.startswith("dsdone_project_plugin_")}
    repo = make_repo({"dsdone_checks/hostile.py": "raise ValueError('no')\n"}, contract=CONTRACT)
    assert run_cli("check", str(repo), "--allow-plugins").exit_code == 2
    after = {name for name in sys.modules if name.startswith("dsdone_project_plugin_")}
    assert after == before


def test_debug_shows_where_a_plugin_failed_to_load(make_repo, run_cli) -> None:
    plugin = "import os\n\n\ndef helper():\n    raise ImportError('no torch')\n\n\nhelper()\n"
    repo = make_repo({"dsdone_checks/hostile.py": plugin}, contract=CONTRACT)
    result = run_cli("check", str(repo), "--allow-plugins", "--debug")
    assert result.exit_code == 2
    assert "Traceback (most recent call last):" in result.stderr
    assert 'hostile.py", line 5, in helper' in result.stderr
    assert (
        result.stderr.rstrip()
        .splitlines()[-2]
        .startswith("dsdone: error: plugins: cannot load dsdone_checks/hostile.py: ImportError")
    )


def test_debug_shows_where_a_check_raised(hostile_repo: Path, run_cli) -> None:
    args = ("check", str(hostile_repo), "--allow-plugins", "--select", "good,raises")
    result = run_cli(*args, "--debug")
    assert result.exit_code == 1
    assert "dsdone: the check raises raised:\nTraceback (most recent call last):" in result.stderr
    assert 'hostile.py", line ' in result.stderr
    assert result.stderr.rstrip().endswith("KeyError: 'missing-column'")
    # Near-miss: without --debug the report says what happened, and no traceback is shown.
    quiet = run_cli(*args)
    assert "Traceback" not in quiet.stderr
    assert "the check crashed: KeyError: 'missing-column'" in quiet.stdout
