"""The ``dsdone`` command: parse options, call the engine, print, exit.

This package is the only place that knows about typer, and only ``app`` imports it. Every
command runs inside ``guard``, which turns a ``DsdoneError`` into its message and exit code (2
unless it says otherwise) and anything else into exit 3 with a request to report it; never a
traceback unless ``--debug``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from dsdone import __version__
from dsdone.errors import ExitCode

if TYPE_CHECKING:
    import typer

    from dsdone.git.prefetch import Prefetch


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dsdone`` with ``argv`` (default: the process's) and return the exit code."""
    from dsdone.cli.streams import ensure_standard_streams

    ensure_standard_streams()
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):  # answer before paying for typer's import
        print(f"dsdone {__version__}")
        return ExitCode.READY
    # git starts on the project (another core) before typer and the engine are imported.
    early = _prefetch_for(args[1:]) if args[:1] == ["check"] else None
    try:
        app = _build_app()
        app(args=args, prog_name="dsdone", standalone_mode=True, obj=early)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        if early is not None:
            early.close()
    return ExitCode.READY


def _prefetch_for(args: Sequence[str]) -> Prefetch | None:
    """The git commands for the project ``dsdone check ARGS`` is most likely about, started
    now: that of the first argument that is a folder (the contract in it or the nearest above
    it, as the engine finds it) or a contract file, else that of the current folder. Options are
    not parsed yet, so a guess can be wrong (an option's value that happens to be a folder):
    the engine then starts its own; for --all or --help there is nothing to guess."""
    if any(arg in ("--all", "--help", "-h") for arg in args):
        return None
    from dsdone.discovery import is_contract, nearest_contract

    for candidate in [*(arg for arg in args if not arg.startswith("-")), "."]:
        path = Path(candidate)
        try:
            if path.is_dir():
                found = nearest_contract(path.resolve())
            else:
                found = path if path.is_file() and is_contract(path) else None
            if found is not None:
                from dsdone.git.prefetch import Prefetch
                from dsdone.search_literals import BUILTIN_GREP_LITERALS

                return Prefetch.start(found.parent, BUILTIN_GREP_LITERALS)
        except (OSError, ValueError):  # a name too long or with a NUL, an unreadable folder
            continue
    return None


def _build_app() -> typer.Typer:
    from dsdone.cli.app import app  # typer is imported here, not at start-up

    return app


@contextmanager
def guard(debug: bool = False) -> Iterator[None]:
    """Turn user errors into a message and exit 2; anything else into exit 3."""
    import typer

    from dsdone.cli.streams import write_stderr
    from dsdone.errors import DsdoneError
    from dsdone.render import escape

    # Messages quote contract values, paths and plugins' exceptions: escaped, like reports.
    try:
        yield
    except DsdoneError as exc:
        if debug and exc.__cause__ is not None:  # a plugin that failed to load: where in it
            import traceback

            traceback.print_exception(exc.__cause__, file=sys.stderr)
        # One line per problem: a newline in a quoted value cannot start a line of its own.
        problems = "\n".join(escape.line(str(problem)) for problem in exc.problems)
        write_stderr(f"dsdone: error: {problems}\n")
        if exc.hint:
            write_stderr(f"  hint: {escape.line(exc.hint)}\n")
        raise typer.Exit(exc.exit_code) from None
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        write_stderr("dsdone: interrupted\n")
        raise typer.Exit(130) from None
    except Exception as exc:
        if debug:
            import traceback

            write_stderr(traceback.format_exc())
        write_stderr(
            f"dsdone: internal error: {type(exc).__name__}: {escape.line(_text_of(exc))}\n"
            "  This is a bug in dsdone or in a plugin. Run again with --debug for the traceback "
            "and report it.\n"
        )
        raise typer.Exit(ExitCode.INTERNAL) from None


def _text_of(exc: BaseException) -> str:
    """``str(exc)``, or a stand-in when even that raises (a hostile plugin's exception)."""
    try:
        return str(exc)
    except Exception:
        return "(its message cannot be shown)"


def project_argument(path: Path | None) -> Path:
    return Path.cwd() if path is None else path
