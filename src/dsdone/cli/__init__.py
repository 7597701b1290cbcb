"""The ``dsdone`` command: parse options, call the engine, print, exit.

This package is the only place that knows about typer, and only ``app`` imports it. Every
command runs inside ``guard``, which turns a ``DsdoneError`` into its message and exit code (2
unless it says otherwise) and anything else into exit 3 with a request to report it; never a
traceback unless ``--debug``.
"""

from __future__ import annotations

import atexit
import gc
import os
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
    _collect_garbage_seldom()
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):  # answer before paying for typer's import
        print(f"dsdone {__version__}")
        return ExitCode.READY
    # git starts on the project (another core) before typer and the engine are imported.
    early = _prefetch_for(args[1:]) if args[:1] == ["check"] else None
    try:
        app = _build_app()
        # Not standalone: click's own errors (an unknown option, a missing argument, a bad
        # choice) come back here to be said in dsdone's style, not in typer's boxed panels.
        code = app(args=args, prog_name="dsdone", standalone_mode=False, obj=early)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:  # click's own exceptions (typer is imported only in there)
        return _click_error(exc)
    finally:
        if early is not None:
            early.close()
    return code if isinstance(code, int) else ExitCode.READY


def _click_error(exc: Exception) -> int:
    """A mistake in the command line, said as every other error is: ``dsdone: error: ...``,
    the usage line of the command and a hint, on standard error; exit 2."""
    import typer

    from dsdone.cli.streams import write_stderr
    from dsdone.render import escape

    # click's exceptions, wherever this typer takes click from (its own copy since 0.28).
    click = sys.modules[typer.BadParameter.__module__]
    no_args = getattr(click, "NoArgsIsHelpError", ())  # click 8.2 and later
    if isinstance(exc, no_args):
        return ExitCode.USAGE  # `dsdone` alone: click has printed the help; nothing to add
    if isinstance(exc, typer.Abort):  # ^C or end of input at a prompt
        write_stderr("dsdone: interrupted\n")
        return 130
    if not isinstance(exc, click.ClickException):
        raise exc
    message = escape.line(_sentence(exc.format_message()))
    lines = [f"dsdone: error: {message}\n"]
    context = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and context is not None:
        usage = context.get_usage().strip()
        lines.append(f"  {escape.line(usage[:1].lower() + usage[1:])}\n")
        listed = "command" if hasattr(context.command, "commands") else "option"
        lines.append(f"  hint: `{context.command_path} --help` shows every {listed}\n")
    write_stderr("".join(lines))
    return int(exc.exit_code)


def _sentence(message: str) -> str:
    """click's "No such option: --x." as dsdone says things: lower case, no final stop
    (an initialism such as "ID" keeps its capitals)."""
    message = message.strip().removesuffix(".")
    if len(message) > 1 and message[0].isupper() and message[1].islower():
        message = message[0].lower() + message[1:]
    return message


# Collect cyclic garbage after this many new objects, not Python's default 700.
GC_THRESHOLD = 100_000


def console() -> None:
    """The ``dsdone`` command (and ``python -m dsdone``): ``main``, then exit with its code.

    Once the exit handlers have run (those that end a check's child processes, a plugin's
    temporary folders) and the streams are flushed, the process ends at once, as mypy's does:
    tearing down the interpreter (every module, and the run's objects, for memory the process
    is about to give back) cost about 15 ms of a check of the 20,000-file benchmark, after
    everything was said. What dsdone writes (reports, caches) is complete and closed before
    ``main`` returns; a daemon thread still running (a check abandoned at its timeout) ends
    with the process, as at any exit."""
    code = main()
    atexit._run_exitfuncs()  # what sys.exit would run; then no teardown
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # closed, or a reader that went away: nothing to say
            pass
    os._exit(code)


def _collect_garbage_seldom() -> None:
    """A check run makes hundreds of thousands of objects that live until it ends (the file
    index, parsed test files, notebooks, YAML): with Python's default the cycle collector ran
    about 120 times, full collections over all of them included, a tenth of the process's CPU
    on the 20,000-file benchmark. dsdone's process is short-lived and makes few reference
    cycles: collecting seldom still frees them, at a cost of a few MB at most."""
    gc.set_threshold(GC_THRESHOLD, 10, 10)


def _prefetch_for(args: Sequence[str]) -> Prefetch | None:
    """The git commands for the project ``dsdone check ARGS`` is most likely about, started
    now: that of the first argument that is a folder (the contract in it or the nearest above
    it, as the engine finds it; with --all, the folder itself) or a contract file, else that of
    the current folder. Options are not parsed yet, so a guess can be wrong (an option's value
    that happens to be a folder): the engine then starts its own; for --help there is nothing
    to guess."""
    if any(arg in ("--help", "-h") for arg in args):
        return None
    every = "--all" in args
    for candidate in [*(arg for arg in args if not arg.startswith("-")), "."]:
        try:
            folder = _folder_checked(Path(candidate), every)
        except (OSError, ValueError):  # a name too long or with a NUL, an unreadable folder
            continue
        if folder is not None:
            from dsdone.git.prefetch import Prefetch
            from dsdone.result_cache import default_cache_folder
            from dsdone.search_literals import BUILTIN_GREP_LITERALS

            cache = None if "--no-cache" in args else default_cache_folder()
            return Prefetch.start(folder, BUILTIN_GREP_LITERALS, cache)
    return None


def _folder_checked(path: Path, every: bool) -> Path | None:
    """The folder git works in if ``path`` is the argument of ``dsdone check`` (``--all``:
    ``every``), or None if it cannot be."""
    from dsdone.discovery import is_contract, nearest_contract

    if path.is_dir():
        if every:
            return path.resolve()
        found = nearest_contract(path.resolve())
        return None if found is None else found.parent
    if not every and path.is_file() and is_contract(path):
        return path.parent
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
