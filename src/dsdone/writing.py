"""Writing files into the folder a user named (``init``, ``init --existing``): every conflict
found before the first byte is written, and each file written atomically.

A scaffold that stops half way (a folder where a file goes, found at the tenth file; a folder
that cannot be written; a name longer than the file system takes) leaves a project that is
neither the old one nor the new one. So ``plan`` looks at every file first and raises
``DsdoneError`` (exit 2) for whatever would stop the writing; only then does ``write`` write,
each file to a temporary file beside it, then moved into place. An existing file is never
overwritten without ``force``, and never read unless it is a regular file of the same size as
the new one: a named pipe there would block forever.
"""

from __future__ import annotations

import enum
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dsdone.errors import DsdoneError
from dsdone.render import escape
from dsdone.safe_read import read_regular

_NAME_MAX = 255  # bytes in one name, where the file system does not say
_PATH_MAX = 4096


class Outcome(str, enum.Enum):
    """What happened to one file."""

    CREATED = "created"
    SKIPPED = "skipped"  # it existed and --force was not given
    OVERWRITTEN = "overwritten"
    UNCHANGED = "unchanged"  # it existed with exactly the new content


@dataclass(frozen=True)
class Planned:
    """One file to write: where (relative, forward slashes), what, and what will happen."""

    path: str
    data: bytes
    outcome: Outcome


def plan(target: Path, files: Mapping[str, str], *, force: bool = False) -> list[Planned]:
    """What writing ``files`` into ``target`` will do, in path order; ``DsdoneError`` for the
    first thing that would stop the writing, before anything is written."""
    _check_target(target)
    planned = []
    for relative, content in sorted(files.items()):
        path = target / relative
        data = content.encode("utf-8")  # the values were checked: no lone surrogate gets here
        _check_name_lengths(target, relative)
        _check_folders_on_the_way(target, relative)
        if path.is_dir():
            raise DsdoneError(
                f"{shown(path)}: is a folder, but the template has a file there",
                hint="move the folder away, or choose another folder",
            )
        if os.path.lexists(path):
            outcome = Outcome.UNCHANGED if _holds(path, data) else None
            outcome = outcome or (Outcome.OVERWRITTEN if force else Outcome.SKIPPED)
        else:
            outcome = Outcome.CREATED
        if outcome in (Outcome.CREATED, Outcome.OVERWRITTEN):
            _check_writable(path.parent)
        planned.append(Planned(relative, data, outcome))
    return planned


def write(target: Path, planned: list[Planned]) -> list[Planned]:
    """Write what ``plan`` planned; what happened to each file (a file created meanwhile by
    someone else is skipped, never replaced)."""
    done: list[Planned] = []
    for item in planned:
        outcome = item.outcome
        if outcome in (Outcome.CREATED, Outcome.OVERWRITTEN):
            try:
                outcome = _write_one(target / item.path, item.data, outcome)
            except OSError as exc:  # the disk filled up, the folder changed since the plan
                written = sum(d.outcome in (Outcome.CREATED, Outcome.OVERWRITTEN) for d in done)
                raise DsdoneError(
                    f"{shown(target / item.path)}: cannot write: {exc.strerror or exc} "
                    f"({written} file{'s' if written != 1 else ''} written before it)",
                    hint="free the disk or fix the folder's permissions, then run again",
                ) from None
        done.append(Planned(item.path, item.data, outcome))
    return done


def write_file(target: Path, relative: str, content: str, *, force: bool = False) -> Outcome:
    """Plan and write one file; its outcome."""
    [done] = write(target, plan(target, {relative: content}, force=force))
    return done.outcome


def _check_target(target: Path) -> None:
    try:
        if os.path.lexists(target) and not target.is_dir():
            raise DsdoneError(
                f"{shown(target)}: is a file, not a folder",
                hint="give the folder to create the project in",
            )
    except OSError as exc:  # a name too long, a folder on the way that cannot be entered
        raise DsdoneError(f"{shown(target)}: cannot be used: {exc.strerror or exc}") from None


def _check_name_lengths(target: Path, relative: str) -> None:
    path = target.absolute() / relative
    existing = _nearest_existing(path.parent)
    name_max = _limit(existing, "PC_NAME_MAX", _NAME_MAX)
    path_max = _limit(existing, "PC_PATH_MAX", _PATH_MAX)
    too_long = [part for part in path.parts if len(os.fsencode(part)) > name_max]
    if too_long or len(os.fsencode(str(path))) >= path_max:
        raise DsdoneError(
            f"{shown(path)}: the name is too long for the file system "
            f"(at most {name_max} bytes a name, {path_max} a path)",
            hint="choose a shorter project name (--name) or a folder higher up",
        )


def _check_folders_on_the_way(target: Path, relative: str) -> None:
    folder = target
    for part in Path(relative).parts[:-1]:
        folder = folder / part
        if os.path.lexists(folder) and not folder.is_dir():
            raise DsdoneError(
                f"{shown(folder)}: is a file, but the template needs a folder there",
                hint="move the file away, or choose another folder",
            )


def _check_writable(folder: Path) -> None:
    existing = _nearest_existing(folder)
    effective = os.access in os.supports_effective_ids
    if not os.access(existing, os.W_OK | os.X_OK, effective_ids=effective):
        raise DsdoneError(
            f"{shown(existing)}: cannot write in this folder (permission denied, or a "
            "read-only file system)",
            hint="choose a folder you can write to, or fix its permissions",
        )


def _nearest_existing(folder: Path) -> Path:
    while not os.path.lexists(folder) and folder.parent != folder:
        folder = folder.parent
    return folder


def _limit(folder: Path, name: str, default: int) -> int:
    try:
        return os.pathconf(folder, name)
    except (OSError, ValueError):
        return default


def _write_one(path: Path, data: bytes, outcome: Outcome) -> Outcome:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:64]}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(0o644)  # mkstemp makes it private; a project file is not
        if outcome is Outcome.OVERWRITTEN:
            temporary.replace(path)
        elif not _place_without_overwriting(temporary, path):
            return Outcome.SKIPPED
    finally:
        temporary.unlink(missing_ok=True)
    return outcome


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file with exactly ``data``: read only if its size says it
    may be, and never a named pipe (which would wait forever), a device or a link."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        return read_regular(str(path), len(data) + 1) == data
    except OSError:
        return False


def _place_without_overwriting(temporary: Path, path: Path) -> bool:
    # A hard link fails if the name exists, so a file created meanwhile by someone else is
    # never replaced. Where links are not supported, fall back to a check-then-rename.
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    except OSError:
        if os.path.lexists(path):
            return False
        temporary.replace(path)
    return True


def shown(path: Path) -> str:
    """A path as it can be printed: bytes that are not UTF-8, and control characters, escaped
    as reports escape them (``dsdone.render.escape``)."""
    return escape.line(str(path))
