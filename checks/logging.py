"""logging: the package code that runs in production reports through logging, not print."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dsdone.analysis.code_refs import console_scripts, module_candidates
from dsdone.analysis.script_folders import ScriptFolders
from dsdone.analysis.vendored import VENDORED_FOLDERS
from dsdone.api import Note, Skip, check
from dsdone.project import OutsideProject, Project, compile_globs
from dsdone.report import Area, Finding, Severity

CHECK_ID = "logging"
NEEDLES = (b"print(",)

# Folders that hold no code the package runs in production, wherever they are: tests, scripts,
# documentation, code written to be read and run by a person (examples, tutorials, demos,
# samples: their output is their point), and other people's code copied in (vendored).
_ASIDE_FOLDERS = frozenset(
    {
        "tests", "test", "testing", "scripts", "docs", "notebooks", "benchmarks",
        "examples", "example", "tutorials", "tutorial", "demos", "demo", "samples", "sample",
    }
)  # fmt: skip
_NOT_PACKAGE_FOLDERS = _ASIDE_FOLDERS | VENDORED_FOLDERS
# One search for any of them between slashes (linear: a plain alternation of words).
_NOT_PACKAGE_FOLDER = re.compile(
    "/(?:" + "|".join(map(re.escape, sorted(_NOT_PACKAGE_FOLDERS))) + ")/"
)
_NOT_PACKAGE_FILES = frozenset({"conftest.py", "__main__.py", "setup.py", "noxfile.py"})
# Decorators that make a function a command of a command-line interface (click, typer):
# its output is what the user asked for.
_COMMAND_DECORATORS = frozenset({"command", "group"})
_LOGGING_LIBRARIES = ("logging", "loguru", "structlog")


@check(
    id=CHECK_ID,
    title="Package code logs instead of printing",
    severity=Severity.INFO,
    area=Area.INFRASTRUCTURE,
    ml_test_score=("I5",),
    fix="Replace print() in the package with a logger: logger = logging.getLogger(__name__), "
    "then logger.info(...).",
    grep=NEEDLES,
    since="0.2.0",
)
def logging_check(project: Project) -> Iterator[Finding | Note]:
    """In production nobody watches the terminal. What a model's code prints has no level, no
    time and no module: it cannot be filtered, it is lost when the job runs under a scheduler
    or a web server, and it never reaches the alerting that would have caught the drift it
    was reporting. The standard `logging` module (or structlog, or loguru) gives each message
    a level and a source, and lets the platform decide where it goes.

    Looks at the project's own package: every `.py` file under `src/`, and in each top-level
    folder that is a package (`NAME/__init__.py`), leaving out tests (`tests/`, `test_*.py`,
    `*_test.py`, `conftest.py`), `scripts/`, `docs/`, `notebooks/`, `benchmarks/`, code written
    to be read and run by a person (`examples/`, `tutorials/`, `demos/`, `samples/` and their
    singulars), vendored code (`_vendor/`, `vendor/`, `vendored/`, `third_party/`,
    `externals/`, `site-packages/`, `node_modules/`), `__main__.py`, and scripts: modules at
    the root of the project, modules directly in `src/` when it has no `__init__.py`, and
    every module of a folder whose modules import each other by plain name (`from util
    import ...` beside `util.py`: they are run as `python src/train.py`, which puts their
    folder on the path, as DVC stages and Makefiles do). Notebooks are not package code; a
    project without package code is skipped. Each call of the built-in
    `print` is a finding at its line and column, found in the syntax tree: `print` in a
    string, a comment or a docstring, `self.print()`, `console.print()` and `pprint()` are
    not calls of it.

    A command-line interface legitimately prints its output, so these are not reported:
    the `if __name__ == "__main__":` block and the functions it calls by name (`main()`), the
    functions `pyproject.toml` declares as console scripts, functions decorated as commands
    (`@click.command()`, `@app.command()`, `@cli.group()`), `print(..., file=f)` writing to
    a file other than standard output or error, and a print whose line says `# noqa: T201`
    (the rule of ruff and flake8-print for print; a bare `# noqa` too). Leave out more with
    the check's `exclude` setting (globs, e.g. `src/churn/cli.py`): excluded files are not
    even read.
    """
    excluded = project.contract.settings(CHECK_ID).exclude
    skip = compile_globs(excluded).match_file if excluded else None
    scope = _Scope.of(project)
    if not scope.roots:
        raise Skip("no package code: no Python file under src/, no top-level package")
    entry_points = _console_script_functions(project)
    scripts = ScriptFolders(project, project.by_suffix.get(".py", ()))
    count = 0
    for path in _candidates(project, scope):
        if (skip is not None and skip(path)) or scripts.holds_scripts(path.rpartition("/")[0]):
            continue
        try:
            tree = project.python_ast(path)
        except (SyntaxError, ValueError, OSError):
            continue  # not this check's to report; nothing can be found in it
        lines: list[str] | None = None
        for call in _prints(tree, entry_points.get(path, frozenset())):
            lines = lines if lines is not None else _source_lines(project, path)
            if _suppressed(lines[call.lineno - 1] if call.lineno <= len(lines) else ""):
                continue  # the author's decision for this line, as ruff and flake8 read it
            count += 1
            yield Finding(
                "print() in package code: in production its output has no level or source, "
                "and is often lost",
                path=path,
                line=call.lineno,
                column=call.col_offset + 1,
                hint=_hint(tree),
            )
    yield Note(f"package code in {', '.join(scope.roots)}" + ("" if count else ", no print()"))


@dataclass(frozen=True)
class _Scope:
    """Which files are the project's package code."""

    packages: frozenset[str]  # top-level folders that are packages (flat layout)
    src: bool  # whether there is Python code under src/
    # Whether src/ itself is a package (src/__init__.py, imported as `from src.train import`);
    # if not, the modules directly in it are scripts, like those at the project's root.
    src_package: bool = False

    @classmethod
    def of(cls, project: Project) -> _Scope:
        packages: set[str] = set()
        src = src_package = False
        for path in project.by_suffix.get(".py", ()):
            if not path.endswith(".py"):
                continue  # .PY
            src_package = src_package or path == "src/__init__.py"
            if path.endswith("/__init__.py") and path.count("/") == 1:
                name = path.partition("/")[0]
                # src/__init__.py makes src/ a package: it is counted as src/, once.
                if name.isidentifier() and name not in _NOT_PACKAGE_FOLDERS and name != "src":
                    packages.add(name)
            # Package code under src/: in a folder below it (src/churn/model.py), or in src/
            # itself when it is a package; src/*.py alone are scripts.
            src = src or (path.startswith("src/") and path.count("/") > 1)
        return cls(frozenset(packages), src or src_package, src_package)

    @property
    def roots(self) -> list[str]:
        """The folders that hold package code, as a person reads them: ``src/``, ``churn/``."""
        return ["src/"] * self.src + [f"{name}/" for name in sorted(self.packages)]

    def contains(self, path: str) -> bool:
        # String operations, cheapest test first: this runs over every file of the project.
        if not path.endswith(".py"):
            return False
        first = path.find("/")
        if first < 0 or (path[:first] != "src" and path[:first] not in self.packages):
            return False
        last = path.rfind("/")
        if last == first and not self.src_package and path[:first] == "src":
            return False  # src/train.py beside no src/__init__.py: a script
        name = path[last + 1 :]
        if name in _NOT_PACKAGE_FILES or name.startswith("test_") or name.endswith("_test.py"):
            return False
        folders = path[first : last + 1]  # "/features/pkg_1/", between the top and the name
        return _NOT_PACKAGE_FOLDER.search(folders) is None


def _candidates(project: Project, scope: _Scope) -> Iterator[str]:
    """The package modules that may call print: those git grep found it in, or outside git
    those whose bytes hold it."""
    found = project.grep(NEEDLES)
    if found is not None:
        yield from (hit.path for hit in found if scope.contains(hit.path))
        return
    for path in project.files:
        if not scope.contains(path):
            continue
        try:
            source = project.read_source(path)
        except (OSError, OutsideProject):
            continue
        if NEEDLES[0] in source:
            yield path


def _console_script_functions(project: Project) -> dict[str, frozenset[str]]:
    """The functions ``pyproject.toml`` declares as console scripts, by the file that may
    define them."""
    functions: dict[str, set[str]] = {}
    for target in console_scripts(project).values():
        module, _, qualname = target.partition(":")
        function = qualname.strip().split(".")[0]
        if not function:
            continue
        for candidate in module_candidates(module.strip()):
            functions.setdefault(candidate, set()).add(function)
    return {path: frozenset(names) for path, names in functions.items()}


def _prints(tree: ast.Module, entry_points: frozenset[str]) -> Iterator[ast.Call]:
    """The calls of the built-in print that a command-line interface would not make."""
    main_blocks = [node for node in tree.body if _is_main_block(node)]
    called = entry_points | {
        call.func.id
        for block in main_blocks
        for call in ast.walk(block)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
    }
    pending: list[ast.AST] = [node for node in tree.body if node not in main_blocks]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            (node.name in called and node in tree.body) or _is_command(node.decorator_list)
        ):
            continue
        if _is_print(node):
            assert isinstance(node, ast.Call)
            yield node
        pending.extend(ast.iter_child_nodes(node))


# flake8's and ruff's suppression comment: bare (every rule) or naming flake8-print's rules
# (T201 print found; T001 in flake8-print before 5.0).
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.I)
_PRINT_RULES = frozenset({"T201", "T001"})


def _source_lines(project: Project, path: str) -> list[str]:
    try:
        return project.read_text(path).splitlines()
    except (OSError, UnicodeDecodeError, ValueError):  # parsed, but not UTF-8: no comment read
        return []


def _suppressed(line: str) -> bool:
    """Whether ``line`` says ``# noqa`` for a print: bare, or naming T201 (or T001)."""
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match["codes"]
    return codes is None or bool(_PRINT_RULES & set(re.split(r"[,\s]+", codes.upper())))


def _is_main_block(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (either way round)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    texts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(texts) == 1


def _is_command(decorators: Iterable[ast.expr]) -> bool:
    for decorator in decorators:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in _COMMAND_DECORATORS:
            return True
    return False


def _is_print(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return False
    if node.func.id != "print":
        return False
    for keyword in node.keywords:
        if keyword.arg == "file":
            # print(..., file=report) writes a file; sys.stdout and sys.stderr are the console.
            value = keyword.value
            return (
                isinstance(value, ast.Attribute)
                and value.attr in ("stdout", "stderr")
                and isinstance(value.value, ast.Name)
                and value.value.id == "sys"
            )
    return True


def _hint(tree: ast.Module) -> str:
    """How to log in this module: with the logger it already has, if it has one."""
    imported = _imported(tree)
    logger = _module_logger(tree)
    if logger is not None:
        return f"use the module's logger: `{logger}.info(...)` (or .debug, .warning)"
    if "loguru" in imported:
        return "use loguru's logger, already imported: `logger.info(...)`"
    if "structlog" in imported:
        return "use structlog: `log = structlog.get_logger()`, then `log.info(...)`"
    return (
        "log it: `logger = logging.getLogger(__name__)` at the top of the module, then "
        "`logger.info(...)` (or .debug, .warning)"
    )


def _imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names.add(node.module.split(".")[0])
    return {name for name in names if name in _LOGGING_LIBRARIES}


def _module_logger(tree: ast.Module) -> str | None:
    """The name of a module-level ``NAME = logging.getLogger(...)``."""
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "getLogger"
        ):
            return node.targets[0].id
    return None
