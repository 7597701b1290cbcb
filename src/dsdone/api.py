"""The check API: the same for the built-in checks and for plugins.

A check is a function of the ``Project`` that yields ``Finding``s, decorated with ``@check``::

    @dataclass(frozen=True)
    class Options:
        max_mb: float = option(10.0, help="Largest file size allowed in the repository, in MB.")

    @check(
        id="no-large-files",
        title="No large files in git",
        severity="error",
        area="infrastructure",
        fix="Move data and model files to DVC, Git LFS or object storage.",
        options=Options,
    )
    def no_large_files(project: Project, options: Options) -> Iterator[Finding | Note]:
        \"\"\"Why this matters to a data team, in a sentence or two.\"\"\"
        ...

A check passes when it yields no finding. It may yield ``Note``s (facts worth a line in the
report, such as "12 tests in tests/"), raise ``Skip(reason)`` when it does not apply or
``CheckError(reason)`` when it cannot do its job here (git is missing, say), and it
must not print, write or run the project's code. Anything it raises is reported as status
``error`` with the message; the other checks still run.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, Union

from dsdone.report import Area, Severity

CHECK_ID = re.compile(r"^[a-z0-9][a-z0-9._/-]*$")
RUBRIC_TEST = re.compile(r"(?:D|M|I|Mon)[1-7]")

F = TypeVar("F", bound=Callable[..., Iterable[Any]])


class Skip(Exception):
    """Raised by a check that does not apply to this project; the reason is shown."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CheckError(Exception):
    """Raised by a check that cannot do its job here (git is missing, say); reported as status
    ``error`` with exactly this message, where any other exception reads as a crash."""


@dataclass(frozen=True)
class Note:
    """A fact a check observed that is not a problem; notes become the result's summary."""

    text: str


class OptionError(ValueError):
    """A check option in the contract has an unknown name or the wrong type."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def option(default: Any, *, help: str) -> Any:
    """A check option with its default and the help text ``dsdone explain`` shows."""
    return dataclasses.field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class OptionInfo:
    name: str
    type: str
    default: Any
    help: str


@dataclass(frozen=True)
class Check:
    """A registered check. Build one with ``@check``; run it through the runner."""

    id: str
    title: str
    severity: Severity
    area: Area
    fix: str
    function: Callable[..., Iterable[Any]]
    options: type | None = None
    source: str = "built-in"
    grep: frozenset[bytes] = frozenset()  # literals the check searches with ``project.grep``
    url: str | None = None  # where the check is documented (SARIF's helpUri, ``explain``)
    # The tests of Google's ML Test Score rubric it automates (D1, M3, I1, Mon2, ...).
    ml_test_score: tuple[str, ...] = ()
    since: str = "0.1.0"  # the dsdone release that introduced it (see ``Contract.written_for``)

    @property
    def builtin(self) -> bool:
        return self.source == "built-in"

    @property
    def description(self) -> str:
        """Why the check matters: the function's docstring."""
        return _cleandoc(self.function.__doc__ or "")

    def make_options(self, raw: Mapping[str, Any]) -> Any:
        """The options dataclass filled from the contract's settings for this check."""
        if self.options is None:
            if raw:
                key = sorted(raw)[0]
                raise OptionError(f"check '{self.id}' has no option '{key}'", key)
            return None
        hints, fields = _option_fields(self.options)
        values: dict[str, Any] = {}
        for key, value in raw.items():
            name = key.replace("-", "_")
            if name not in fields:
                known = ", ".join(sorted(fields)) or "none"
                raise OptionError(
                    f"check '{self.id}' has no option '{key}' (its options: {known})", key
                )
            hint = hints[name]
            if not _conforms(value, hint):
                raise OptionError(
                    f"option '{key}' of check '{self.id}' must be "
                    f"{_type_name(hint, finite=_is_nonfinite(value))}, not {value!r}",
                    key,
                )
            values[name] = tuple(value) if isinstance(value, list) else value
        return self.options(**values)

    def option_info(self) -> list[OptionInfo]:
        if self.options is None:
            return []
        hints = typing.get_type_hints(self.options)
        return [
            OptionInfo(
                name=f.name,
                type=_type_name(hints[f.name]),
                default=f.default,
                help=f.metadata.get("help", ""),
            )
            for f in dataclasses.fields(self.options)
        ]

    def call(self, project: Any, options: Any) -> Iterable[Any]:
        if self.options is None:
            return self.function(project)
        return self.function(project, options)


def check(
    *,
    id: str,
    title: str,
    fix: str,
    severity: Severity | str = Severity.ERROR,
    area: Area | str = Area.INFRASTRUCTURE,
    options: type | None = None,
    grep: Iterable[bytes] = (),
    url: str | None = None,
    ml_test_score: Iterable[str] = (),
    since: str = "0.1.0",
) -> Callable[[Callable[..., Iterable[Any]]], Check]:
    """Declare a check. See the module docstring for a complete example.

    ``grep`` names the literal strings the check looks for with ``project.grep(...)``: one
    ``git grep`` for the literals of every check that runs starts before the checks do.
    ``url`` is where the check is documented (shown by ``explain`` and in SARIF). ``since`` is
    the release of its package that introduced it: a built-in check newer than the release a
    contract was written for reports without blocking until the contract opts in.
    ``ml_test_score`` names the tests of the ML Test Score rubric (Breck et al., 2017) it
    automates: D1-D7, M1-M7, I1-I7, Mon1-Mon7."""
    if not CHECK_ID.match(id):
        raise ValueError(f"check id {id!r} must be lowercase words joined by '-'")
    if options is not None and not dataclasses.is_dataclass(options):
        raise TypeError(f"the options of check {id!r} must be a dataclass")
    literals = frozenset(grep)
    rubric = tuple(ml_test_score)
    if not all(RUBRIC_TEST.fullmatch(test) for test in rubric):
        raise ValueError(f"check {id!r}: ML Test Score tests are D1-D7, M1-M7, I1-I7, Mon1-Mon7")
    if not all(isinstance(x, bytes) and x and b"\n" not in x for x in literals):
        raise ValueError(f"check {id!r}: each grep literal must be non-empty bytes on one line")

    def decorate(function: Callable[..., Iterable[Any]]) -> Check:
        wants = len(inspect.signature(function).parameters)
        expected = 2 if options is not None else 1
        if wants != expected:
            raise TypeError(
                f"check {id!r}: {function.__name__}() must take "
                + ("(project, options)" if options is not None else "(project)")
            )
        return Check(
            id=id,
            title=title,
            severity=Severity(severity),
            area=Area(area),
            fix=fix,
            function=function,
            options=options,
            grep=literals,
            url=url,
            ml_test_score=rubric,
            since=since,
        )

    return decorate


@functools.cache
def _cleandoc(doc: str) -> str:
    return inspect.cleandoc(doc)


@functools.cache
def _option_fields(options: type) -> tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]:
    """The type hints and the fields of an options dataclass: the same for every project of an
    ``--all`` run."""
    return typing.get_type_hints(options), {f.name: f for f in dataclasses.fields(options)}


def _conforms(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return True
    if origin in (Union, types.UnionType):
        return any(_conforms(value, arg) for arg in args)
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        # .nan and .inf are numbers to YAML, but no size, count or ratio: every comparison
        # with nan is false, and int(inf) raises.
        return (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        )
    if hint is str:
        return isinstance(value, str)
    if origin in (tuple, list, frozenset, set):
        item = args[0] if args else Any
        return isinstance(value, (list, tuple)) and all(_conforms(v, item) for v in value)
    if origin in (dict, Mapping) or hint is dict:
        return isinstance(value, dict)
    return True


def _is_nonfinite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _type_name(hint: Any, *, finite: bool = False) -> str:
    """What ``hint`` asks for; ``finite``: say that a number must be finite (for ``.nan``)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(arg, finite=finite) for arg in args)
    if origin in (tuple, list, frozenset, set):
        plural = {bool: "booleans", int: "whole numbers", float: "numbers", str: "strings"}
        return f"a list of {plural.get(args[0], 'values') if args else 'values'}"
    names = {
        bool: "true or false",
        int: "a whole number",
        float: "a finite number" if finite else "a number",
        str: "a string",
    }
    if hint is type(None):
        return "null"
    return names.get(hint, getattr(hint, "__name__", str(hint)))
