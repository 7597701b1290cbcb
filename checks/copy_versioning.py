"""copy-versioning: files are versioned by git, not by copies beside them (train_old.py)."""

from __future__ import annotations

import bisect
import difflib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from dsdone.analysis.vendored import VENDORED_FOLDERS
from dsdone.api import Note, check
from dsdone.project import OutsideProject, Project, compile_globs
from dsdone.report import Area, Finding, Severity

CHECK_ID = "copy-versioning"

# Folders whose files are not the project's own to name: vendored code (one notion for every
# check, see analysis.vendored), and migrations, whose names are generated (0002_auto_...,
# a1b2c3_add_column_v2.py).
IGNORED_FOLDERS = VENDORED_FOLDERS | {"migrations", "alembic"}

# Files that a person writes and reads, where a version or a date in the name, beside the
# file without it, is a copy: code, notebooks and documents. Not data and model files: there
# model_v2.onnx beside model.onnx is how a registry or a release keeps versions on purpose.
SOURCE_SUFFIXES = frozenset(
    {
        ".py", ".ipynb", ".r", ".rmd", ".qmd", ".sql", ".sh", ".scala", ".java", ".jl", ".js",
        ".ts", ".m", ".sas", ".md", ".rst", ".tex", ".txt", ".docx", ".pptx",
    }
)  # fmt: skip

# Pictures and media: an upload or a download names its duplicates "diagram (1).svg", and no
# one versions work in them. Not looked at.
MEDIA_SUFFIXES = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".bmp", ".tif", ".tiff",
        ".mp4", ".mov", ".webm", ".mp3", ".wav",
    }
)  # fmt: skip

# Leftovers of editors and merge tools: copies whatever is beside them.
LEFTOVER_SUFFIXES = {
    ".bak": "a backup copy",
    ".orig": "a merge tool's copy of the original",
    ".swp": "a vim swap file",
    ".swo": "a vim swap file",
    "~": "an editor's backup copy",
}

# A copy marker at the end of a name's stem: (?P<base>) is the name it was copied from.
# Written to fail fast: the base is lazy, and every marker starts with a separator or a
# bracket, so a name is tried at each of its separators only.
_WORD = r"[ _.-](?:old|new|final|backup|bak|copy|orig|original)\d{0,3}"
_COPY = r"(?: - copy| copy)(?: \(?\d{1,3}\)?)?| \(\d{1,3}\)"
_VERSION = r"[ _-]v\d{1,3}"
_TEST = r" ?-test"
_DATE = r"[ _-](?:19|20)\d\d[-_]?[01]\d[-_]?[0-3]\d"
_MARKERS = {
    "any": re.compile(rf"(?P<base>.+?)(?P<marker>{_WORD}|{_COPY})", re.IGNORECASE),
    "source": re.compile(
        rf"(?P<base>.+?)(?P<marker>{_WORD}|{_COPY}|{_VERSION}|{_TEST}|{_DATE})", re.IGNORECASE
    ),
}
_COPY_OF = "copy of "  # Google Drive and Colab: "Copy of churn.ipynb"
_IS_VERSION = re.compile(_VERSION, re.IGNORECASE)

# A file named as a version of another (model_v2.py beside model.py) is a copy when at least
# this share of their lines is the same; below it, it is a second version kept on purpose
# (kedro-datasets' spark_dataset_v2.py shares 47 % of spark_dataset.py's lines and is
# another public class). Files longer than the cap are not compared: the name decides.
SAME_CONTENT = 0.6
MAX_COMPARED_BYTES = 1024 * 1024

# A name holds a marker only if it holds one of these (lower-cased): most names of a project
# hold none, and are never looked at more closely. Searched for in all names at once.
_NEEDLES = (
    "old", "new", "final", "back", "bak", "cop", "orig", "(", "-test", "_v", "-v", " v", "_19",
    "_20", "-19", "-20", " 19", " 20", "~", ".swp", ".swo", "checkpoint",
)  # fmt: skip


@dataclass(frozen=True)
class _Copy:
    path: str  # the copy: a file, or a folder (without a final slash)
    original: str | None  # what it is a copy of, or None for a leftover with no original
    what: str  # how it was recognised, for the message
    folder: bool = False
    version: bool = False  # recognised by a version in its name (_v2), which may be an API's


@check(
    id=CHECK_ID,
    title="Versions are kept by git, not by copies",
    severity=Severity.WARNING,
    area=Area.INFRASTRUCTURE,
    ml_test_score=("M1",),
    fix="Keep one file under its own name and let git keep the versions (git log --follow).",
    since="0.2.0",
)
def copy_versioning(project: Project) -> Iterator[Finding | Note]:
    """`train_old.py`, `model_v2.py` beside `model.py`, `analysis_final (1).ipynb`,
    `cluster4_old/` beside `cluster4/`: when versions are kept by copying files, nobody can
    tell which one the model was trained with, fixes land in one copy and not the others,
    and the copies drift apart. Git already keeps every version, with who changed what and
    why; a copy beside the file only hides which one is current.

    A file of the project (tracked, or untracked and not ignored) is a copy when its name is
    the name of another file in the same folder plus a copy marker: `_old`, `_new`,
    `_final`, `_backup`, `_bak`, `_copy`, `_orig` (with `-`, `.` or a space as well, and a
    number after: `_old2`), ` copy`, ` - Copy`, ` (1)`, `Copy of ` in front; and, for code,
    notebooks and documents, a version (`_v2`, `-v2`, ` v2`), `-test` or a date
    (`_2023-01-05`, `_20230105`). A version in the name is also how a second version is
    kept on purpose (`spark_dataset_v2.py` with a class `SparkDatasetV2`): such a file is a
    copy only when at least 60 % of its lines are the original's (a notebook's cell sources,
    not its outputs; a file over 1 MB is not compared). A folder is a copy when its name is a
    sibling folder's plus a marker and it holds a file of the same name as one in that folder
    (reported once, not file by file). Editors' and merge tools' leftovers are copies wherever
    they are: `*.bak`, `*~`, `*.orig`, `*.swp`, and Jupyter's `.ipynb_checkpoints`.

    Not copies: `resnet_v2.py` with no `resnet.py` beside it, `model_v1.onnx` beside
    `model_v2.onnx` (and versions and dates in the names of data and model files at all: a
    registry keeps them so on purpose), test files (`test_train.py`, whose names follow their
    modules'), pictures and media (`diagram (1).svg` is an upload's duplicate, not a version
    of anyone's work), Django and Alembic migrations, and anything under `vendor/`,
    `third_party/` or `node_modules/`.
    """
    excluded = project.contract.settings(CHECK_ID).exclude
    skip = compile_globs(excluded).match_file if excluded else None
    indexed = project.is_indexed
    copies = _copied_folders(project)
    copied = tuple(f"{copy.path}/" for copy in copies)
    for path in _candidates(project.files):
        if path.startswith(copied) or _ignored(path) or (skip is not None and skip(path)):
            continue
        found = _copy(path, indexed)
        if found is not None and not (found.version and _another_version(project, found)):
            copies.append(found)
    for copy in sorted(copies, key=lambda copy: copy.path):
        yield _finding(project, copy)
    folders = sum(copy.folder for copy in copies)
    if folders:
        yield Note(f"{folders} copied folder" + ("s" if folders != 1 else ""))


def _candidates(files: Sequence[str]) -> Iterator[str]:
    """The files whose name (not a folder of the path) holds a needle: found by ``str.find``
    over all names at once, lower-cased and joined by line breaks (a name never holds one:
    the index leaves those out), so that 20,000 names cost a few scans in C, not 20,000 steps
    in Python."""
    text = "\n".join(files).lower()
    starts: set[int] = set()
    for needle in _NEEDLES:
        found = text.find(needle)
        while found >= 0:
            start = text.rfind("\n", 0, found) + 1
            end = text.find("\n", found)
            end = len(text) if end < 0 else end
            name = text.rfind("/", start, end) + 1 or start
            if found >= name:
                starts.add(start)
                found = text.find(needle, end)
            else:  # in a folder of the path: look again in the name
                found = text.find(needle, name, end)
                if found < 0:
                    found = text.find(needle, end)
    number, counted = 0, 0
    for start in sorted(starts):
        number += text.count("\n", counted, start)
        counted = start
        yield files[number]


def _ignored(path: str) -> bool:
    return not IGNORED_FOLDERS.isdisjoint(path.split("/")[:-1])


def _copy(path: str, indexed: Callable[[str], bool]) -> _Copy | None:
    """What ``path`` is a copy of, if its name says it is one."""
    folder, _, name = path.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    if "/.ipynb_checkpoints/" in f"/{path}" and "-checkpoint" in name:
        original = prefix.replace(".ipynb_checkpoints/", "") + name.replace("-checkpoint", "")
        return _Copy(path, original, "Jupyter's autosave copy")
    for suffix, what in LEFTOVER_SUFFIXES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return _Copy(path, None, what)
    dot = name.rfind(".")
    stem, suffix = (name[:dot], name[dot:]) if dot > 0 else (name, "")
    if suffix.lower() in MEDIA_SUFFIXES or _is_test(stem):
        return None
    if stem.lower().startswith(_COPY_OF) and indexed(prefix + name[len(_COPY_OF) :]):
        return _Copy(path, prefix + name[len(_COPY_OF) :], "'Copy of'")
    markers = _MARKERS["source" if suffix.lower() in SOURCE_SUFFIXES else "any"]
    while True:
        match = markers.fullmatch(stem)
        if match is None:
            return None
        stem = match.group("base")
        original = prefix + stem + suffix
        if indexed(original):
            marker = match.group("marker")
            version = _IS_VERSION.fullmatch(marker) is not None
            return _Copy(path, original, f"'{marker.strip() or 'copy'}'", version=version)


def _another_version(project: Project, copy: _Copy) -> bool:
    """Whether ``copy`` (``spark_dataset_v2.py``) is a second version of its original kept on
    purpose, not a copy: their contents differ substantially. When either cannot be compared
    (unreadable, binary, longer than ``MAX_COMPARED_BYTES``), the name decides: a copy."""
    assert copy.original is not None
    contents = [_compared_lines(project, path) for path in (copy.path, copy.original)]
    if contents[0] is None or contents[1] is None:
        return False
    return similarity(contents[0], contents[1]) < SAME_CONTENT


def similarity(first: list[str], second: list[str]) -> float:
    """How much two files' lines are the same, from 0 to 1: twice the lines they have in
    common (as a multiset, whatever their order) over the lines of both. difflib's
    ``quick_ratio``, linear in the lines, where ``ratio`` could be quadratic."""
    if not first and not second:
        return 1.0
    return difflib.SequenceMatcher(None, first, second, autojunk=False).quick_ratio()


def _compared_lines(project: Project, path: str) -> list[str] | None:
    """The non-blank lines of a text file, stripped (indentation and blank lines are not
    what makes a file a copy); of a notebook, the lines of its cells' sources, since saved
    outputs differ from run to run."""
    try:
        data = project.read_bytes(path, MAX_COMPARED_BYTES + 1)
    except (OSError, OutsideProject):
        return None
    if len(data) > MAX_COMPARED_BYTES or b"\0" in data[:8000]:
        return None
    text = data.decode("utf-8", errors="replace")
    if path.lower().endswith(".ipynb"):
        text = _notebook_sources(text)
    return [stripped for line in text.splitlines() if (stripped := line.strip())]


def _notebook_sources(raw: str) -> str:
    try:
        notebook = json.loads(raw)
    except ValueError:
        return raw
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return raw
    sources = [cell.get("source", "") for cell in cells if isinstance(cell, dict)]
    return "\n".join("".join(map(str, s)) if isinstance(s, list) else str(s) for s in sources)


def _is_test(stem: str) -> bool:
    """A test file's name follows its module's (test_train_v2.py tests train_v2.py): the
    module is the copy to report, if it is one."""
    return stem.startswith("test_") or stem.endswith("_test")


def _copied_folders(project: Project) -> list[_Copy]:
    """Folders whose name is a sibling folder's plus a marker, holding a file of the same
    name as one in that sibling."""
    copies: list[_Copy] = []
    folders = project.folders
    files = project.files
    for folder in sorted(folders):
        parent, _, name = folder.rpartition("/")
        if not name or _ignored(folder + "/x"):
            continue
        match = _MARKERS["source"].fullmatch(name)
        if match is None:
            continue
        original = f"{parent}/{match.group('base')}" if parent else match.group("base")
        if original not in folders or not _share_a_file(files, folder, original):
            continue
        if any(folder.startswith(f"{copy.path}/") for copy in copies):
            continue  # inside a copied folder: reported with it
        copies.append(_Copy(folder, original, f"'{match.group('marker').strip()}'", True))
    return copies


def _share_a_file(files: Sequence[str], copy: str, original: str) -> bool:
    names = set(_under(files, original))
    return any(name in names for name in _under(files, copy))


def _under(files: Sequence[str], folder: str) -> Iterator[str]:
    """The paths of the files under ``folder``, relative to it (``files`` is sorted)."""
    prefix = f"{folder}/"
    index = bisect.bisect_left(files, prefix)
    while index < len(files) and files[index].startswith(prefix):
        yield files[index][len(prefix) :]
        index += 1


def _finding(project: Project, copy: _Copy) -> Finding:
    tracked = copy.folder or project.is_tracked(copy.path)
    remove = (
        f"`git rm -r {copy.path}`"
        if copy.folder
        else (f"`git rm {copy.path}`" if tracked else f"delete {copy.path} (it is not committed)")
    )
    if copy.original is None:
        ending = copy.path[copy.path.rfind(".") :] if not copy.path.endswith("~") else "~"
        return Finding(
            f"{copy.what}, not part of the project",
            path=copy.path,
            hint=f"{remove}, and add `*{ending}` to .gitignore so that it stays out",
        )
    if copy.what == "Jupyter's autosave copy":
        return Finding(
            f"Jupyter's autosave copy of {copy.original}",
            path=copy.path,
            hint=f"{remove} (`git rm -r --cached` for the whole .ipynb_checkpoints folder), "
            "and add `.ipynb_checkpoints/` to .gitignore",
        )
    if copy.folder:
        return Finding(
            f"a copy of the folder {copy.original}/ ({copy.what} in its name) kept beside it",
            path=copy.path,
            hint=f"keep one folder and let git keep the history: merge what is newer into "
            f"{copy.original}/, then {remove}; `git log --follow` on a file shows its "
            "versions",
        )
    return Finding(
        f"a copy of {copy.original} ({copy.what} in its name) kept beside it",
        path=copy.path,
        hint=f"keep one file and let git keep the history: move what is newer into "
        f"{copy.original}, then {remove}; `git log --follow {copy.original}` shows its "
        "versions",
    )
