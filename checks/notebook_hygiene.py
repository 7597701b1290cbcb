"""notebook-hygiene: notebooks are fit to hand over: valid, with a kernel, run top to bottom
without errors, and not bloated by their outputs."""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from dsdone.analysis.notebooks import load_notebook
from dsdone.api import Note, check, option
from dsdone.project import OutsideProject, Project, compile_globs
from dsdone.report import Area, Finding, Severity
from dsdone.result_cache import code_identity, finding_from_json, finding_json
from dsdone.safe_read import MAX_TEXT_BYTES

CHECK_ID = "notebook-hygiene"
KILOBYTE = 1024
# A notebook larger than this is not read at all: its outputs are over any sensible limit.
# At most what every reader of the repository holds at once (Repository.read_bytes).
MAX_READ_BYTES = MAX_TEXT_BYTES
# Jupyter's own copies, made as it autosaves: copy-versioning reports them when committed.
CHECKPOINTS = ".ipynb_checkpoints/"

# The keys nbformat 4's schema asks of a notebook, its cells and their outputs (each output's
# are all required; a cell's "id" is required from version 4.5 on, and allowed only there): a
# notebook whose parts have exactly these keys, of these types, is validated by nbformat only
# when something is off (that costs about a millisecond a notebook; these probes,
# microseconds).
_NOTEBOOK_KEYS = frozenset({"cells", "metadata", "nbformat", "nbformat_minor"})
_CELL_KEYS = {
    "code": frozenset({"cell_type", "execution_count", "metadata", "outputs", "source"}),
    "markdown": frozenset({"cell_type", "metadata", "source"}),
    "raw": frozenset({"cell_type", "metadata", "source"}),
}
_ATTACHMENTS = frozenset({"attachments"})  # allowed in markdown and raw cells
_OUTPUT_KEYS = {
    "stream": frozenset({"output_type", "name", "text"}),
    "display_data": frozenset({"output_type", "data", "metadata"}),
    "execute_result": frozenset({"output_type", "data", "metadata", "execution_count"}),
    "error": frozenset({"output_type", "ename", "evalue", "traceback"}),
}


@dataclass(frozen=True)
class NotebookHygieneOptions:
    max_output_kb: float = option(
        1000.0,
        help="Largest total size of one notebook's saved outputs, in KB (images and tables "
        "included); a notebook without outputs always fits.",
    )


@check(
    id=CHECK_ID,
    title="Notebooks are fit to hand over",
    severity=Severity.WARNING,
    area=Area.INFRASTRUCTURE,
    ml_test_score=("I1", "I5"),
    fix="Run each notebook top to bottom in a named kernel before committing it, and strip "
    "large outputs (nbstripout).",
    options=NotebookHygieneOptions,
    since="0.2.0",
)
def notebook_hygiene(project: Project, options: NotebookHygieneOptions) -> Iterator[Finding | Note]:
    """A notebook is often the only record of how a model was explored and trained, and the
    next person opens it expecting it to run. One saved with an error in a cell, run in an
    order nobody can repeat, without a kernel, or carrying megabytes of plots, does not tell
    them what happened: it shows a state that no run from the top produces, makes every diff
    unreadable and every clone slower, and code review gives up on it.

    Every notebook of the project (tracked, or untracked and not ignored; not Jupyter's
    `.ipynb_checkpoints` copies) must be valid by nbformat's schema (checked by nbformat only
    when cheap probes of the cells' structure find something off, at the line of the first
    cell it names), name a kernel (`kernelspec` in its metadata), hold no saved error output
    (the cell and the exception are named), keep its saved outputs under `max_output_kb` in
    all (default 1000 KB; a notebook without outputs always fits), and, when it keeps outputs,
    have execution counts that increase from the top (cells never run are ignored).
    Findings are at the line in the `.ipynb` file, with the cell (0-based, as in the JSON
    report); the hints give the usual fixes for that notebook: `jupyter nbconvert --to
    notebook --execute --inplace PATH` to run it top to bottom, `nbstripout PATH` to strip
    outputs (`nbstripout --install` once, for every commit).
    """
    excluded = project.contract.settings(CHECK_ID).exclude
    skip = compile_globs(excluded).match_file if excluded else None
    limit = options.max_output_kb * KILOBYTE
    # Most notebooks do not change from one run to the next, and reading one costs more than
    # the rest of the check: their findings are kept by blob (``dsdone.result_cache``).
    cache = project.file_results("notebooks", code_identity(__file__), (repr(limit),))
    count = 0
    for relative in project.with_suffix(".ipynb"):
        if not relative.endswith(".ipynb") or CHECKPOINTS in f"/{relative}":
            continue
        if skip is not None and skip(relative):
            continue
        count += 1
        known = _cached(cache.get(relative), relative)
        if known is not None:
            yield from known
            continue
        findings, by_content = _check_notebook(project, relative, limit)
        if by_content:
            cache.put(relative, [finding_json(finding) for finding in findings])
        yield from findings
    cache.save()
    yield Note(f"{count} notebook" + ("s" if count != 1 else "") if count else "no notebooks")


def _cached(entry: object, relative: str) -> list[Finding] | None:
    """The findings ``cache.put`` kept for the notebook ``relative``; None for anything else."""
    if not isinstance(entry, list):
        return None
    try:
        return [finding_from_json(relative, item) for item in entry]
    except ValueError:
        return None


def _check_notebook(project: Project, relative: str, limit: float) -> tuple[list[Finding], bool]:
    """The findings of one notebook, and whether they follow from its bytes alone (not from
    nbformat, whose verdict may change with its version, nor from a failed read)."""
    try:
        if project.size(relative) > MAX_READ_BYTES:
            return [_too_large(relative, project.size(relative), limit)], True
        data = project.read_bytes(relative)
    except (OSError, OutsideProject):
        return [], False  # gone since the index was made
    notebook = _parse(data)
    if notebook is None or not _looks_valid(notebook):
        problem = _validation_problem(data)
        if problem is not None:
            return [_invalid(relative, data, *problem)], False
        # Valid after all, or of an older version: read as version 4 (converted by nbformat).
        notebook = load_notebook(data.decode("utf-8", "replace"))
        if notebook is None:
            return [], False
        by_content = False
    else:
        by_content = True
    place = _Places(data)
    findings = [
        *_kernel(relative, notebook, place),
        *_errors(relative, notebook, place),
        *_order(relative, notebook, place),
    ]
    if len(data) > limit:
        findings += _size(relative, data, limit, place)
    return findings, by_content


# -- reading, cheaply ------------------------------------------------------------------------


def _parse(data: bytes) -> dict[str, Any] | None:
    """The notebook's JSON, with the base64 images of its outputs left out: they are most of a
    notebook's bytes, and nothing here looks inside them. ``None`` if it is not JSON."""
    try:
        parsed = json.loads(_without_images(data))
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _without_images(data: bytes) -> bytes:
    """``data`` with the content of each ``"image/...": "<base64>"`` string emptied. Only a
    string that cannot change how the JSON parses is emptied: no quote, backslash or line
    break in it (base64 has none), so the result parses exactly when ``data`` does, at the
    same lines."""
    parts: list[bytes] = []
    done = 0
    key = data.find(b'"image/')
    while key >= 0:
        opening = data.find(b'": "', key, key + 80)
        end = data.find(b'"', opening + 4) if opening >= 0 else -1
        if end < 0:
            break
        start = opening + 4
        plain = data.find(b"\\", start, end) < 0 and data.find(b"\n", start, end) < 0
        if end - start > 1024 and plain:
            parts.append(data[done:start])
            done = end
        key = data.find(b'"image/', end + 1)
    if not parts:
        return data
    parts.append(data[done:])
    return b"".join(parts)


def _looks_valid(notebook: dict[str, Any]) -> bool:
    """Cheap probes of what nbformat's schema asks of a version 4 notebook: the keys and types
    of the notebook, its cells and their outputs. True means nbformat has nothing to say (as
    far as these go); False, that nbformat must say what is wrong. This runs for every cell of
    every notebook, so exact type tests, and a missing key or a wrong type is caught as the
    exception it raises rather than tested for."""
    try:
        minor, cells, metadata = (
            notebook["nbformat_minor"],
            notebook["cells"],
            notebook["metadata"],
        )
        if notebook["nbformat"] != 4 or notebook.keys() != _NOTEBOOK_KEYS:
            return False
        if type(minor) is not int or type(cells) is not list or not _metadata_looks_valid(metadata):
            return False
        with_id = minor >= 5
        for cell in cells:
            kind = cell["cell_type"]
            keys = cell.keys() - _ATTACHMENTS if kind != "code" else cell.keys()
            if len(keys) != len(_CELL_KEYS[kind]) + with_id or not keys >= _CELL_KEYS[kind]:
                return False
            if with_id and type(cell["id"]) is not str:
                return False
            if type(cell["metadata"]) is not dict or type(cell["source"]) not in _TEXT:
                return False
            if kind == "code" and not _code_cell_looks_valid(cell):
                return False
    except (KeyError, TypeError, AttributeError):  # a key missing, or a part not an object
        return False
    return True


def _metadata_looks_valid(metadata: Any) -> bool:
    if type(metadata) is not dict:
        return False
    kernelspec = metadata.get("kernelspec")
    if kernelspec is not None and not (
        type(kernelspec) is dict
        and type(kernelspec.get("name")) is str
        and type(kernelspec.get("display_name")) is str
    ):
        return False
    language = metadata.get("language_info")
    return language is None or (type(language) is dict and type(language.get("name")) is str)


_TEXT = (str, list)  # a "multiline string": one string, or a list of lines
_COUNT = (int, type(None))


def _code_cell_looks_valid(cell: dict[str, Any]) -> bool:
    outputs = cell["outputs"]
    if type(cell["execution_count"]) not in _COUNT or type(outputs) is not list:
        return False
    return all(output.keys() == _OUTPUT_KEYS[output["output_type"]] for output in outputs)


def _validation_problem(data: bytes) -> tuple[str, int | None, int | None, int | None] | None:
    """What nbformat says is wrong with the notebook, where: (the problem, the line, the
    column, the cell), or ``None`` if it is valid after all."""
    text = data.decode("utf-8", "replace")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg}", exc.lineno, exc.colno, None
    except RecursionError:
        return "not valid JSON: nested too deeply", None, None, None
    if not isinstance(raw, dict):
        return "not a notebook: its JSON is not an object", 1, 1, None
    import nbformat
    import nbformat.validator

    if raw.get("nbformat") != 4:
        notebook = load_notebook(text)
        return ("not a notebook nbformat can read", 1, 1, None) if notebook is None else None
    iterate: Callable[..., Any] = nbformat.validator.iter_validate  # not typed
    for error in iterate(raw):
        path = list(error.absolute_path)
        cell = path[1] if len(path) > 1 and path[0] == "cells" else None
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
        problem = f"not a valid notebook: {error.message}" + (f" (at {where[1:]})" if path else "")
        line = _Places(data).cell_line(cell) if isinstance(cell, int) else 1
        return problem, line, None, cell if isinstance(cell, int) else None
    return None


class _Places:
    """Lines of a notebook's file, found in its bytes only when a finding needs one."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._cells: list[int] | None = None
        self._lines: list[int] | None = None

    def line(self, offset: int) -> int:
        if self._lines is None:
            lines = [0]
            found = self.data.find(b"\n")
            while found >= 0:
                lines.append(found + 1)
                found = self.data.find(b"\n", found + 1)
            self._lines = lines
        return bisect.bisect_right(self._lines, offset)

    def cell_start(self, cell: int) -> int:
        """The offset of a cell's ``"cell_type"`` key (its first, as nbformat writes it)."""
        if self._cells is None:
            starts = []
            found = self.data.find(b'"cell_type"')
            while found >= 0:
                starts.append(found)
                found = self.data.find(b'"cell_type"', found + 1)
            self._cells = starts
        return self._cells[cell] if cell < len(self._cells) else 0

    def cell_line(self, cell: int) -> int:
        return self.line(self.cell_start(cell))

    def line_in_cell(self, cell: int, literal: bytes) -> int:
        """The line of ``literal`` after a cell's start, or of the cell's start."""
        start = self.cell_start(cell)
        found = self.data.find(literal, start)
        return self.line(found if found >= 0 else start)

    def metadata_line(self) -> int:
        """The line of the notebook's own metadata (after its cells, as nbformat writes it)."""
        found = self.data.rfind(b'\n "metadata"')
        return self.line(found + 1) if found >= 0 else 1


# -- what a notebook must be ----------------------------------------------------------------


def _invalid(
    relative: str, data: bytes, problem: str, line: int | None, column: int | None, cell: int | None
) -> Finding:
    if b"\n<<<<<<< " in data or data.startswith(b"<<<<<<< "):
        problem += " (a merge conflict was committed in it)"
        hint = (
            f"resolve the conflict with nbdime (`nbdime mergetool {relative}`), or keep one "
            f"side (`git checkout --ours {relative}`), then open and save it in Jupyter"
        )
    else:
        hint = (
            f"open {relative} in Jupyter and save it again, or repair it where shown; "
            f"`jupyter nbconvert --to notebook --inplace {relative}` rewrites it valid"
        )
    return Finding(problem, path=relative, line=line, column=column, cell=cell, hint=hint)


def _kernel(relative: str, notebook: dict[str, Any], place: _Places) -> Iterator[Finding]:
    kernelspec = notebook.get("metadata", {}).get("kernelspec")
    if isinstance(kernelspec, dict) and kernelspec.get("name"):
        return
    yield Finding(
        "no kernelspec in the notebook's metadata: nothing says which kernel (language and "
        "environment) runs it",
        path=relative,
        line=place.metadata_line(),
        hint=f"open {relative} in Jupyter or VS Code, select the kernel it runs on, and save "
        "it: the kernel's name is written into its metadata",
    )


def _errors(relative: str, notebook: dict[str, Any], place: _Places) -> Iterator[Finding]:
    for index, cell in enumerate(notebook.get("cells", ())):
        for output in cell.get("outputs", ()) if cell.get("cell_type") == "code" else ():
            if output.get("output_type") != "error":
                continue
            name = str(output.get("ename") or "an exception")
            yield Finding(
                f"the cell was saved with an error: {name}{_run_label(cell)}",
                path=relative,
                line=place.line_in_cell(index, b'"output_type": "error"'),
                cell=index,
                hint=f"fix the cell and run the notebook top to bottom (`jupyter nbconvert "
                f"--to notebook --execute --inplace {relative}`), or clear its outputs "
                f"(`nbstripout {relative}`)",
            )
            break  # one finding a cell, for its first error


def _run_label(cell: dict[str, Any]) -> str:
    count = cell.get("execution_count")
    return f" (In [{count}])" if isinstance(count, int) else ""


def _order(relative: str, notebook: dict[str, Any], place: _Places) -> Iterator[Finding]:
    """One finding for the first cell that ran before a cell above it. Only when outputs are
    kept: a notebook stripped of them claims no run."""
    cells = [cell for cell in notebook.get("cells", ()) if cell.get("cell_type") == "code"]
    if not any(cell.get("outputs") for cell in cells):
        return
    highest: tuple[int, int] | None = None  # (count, cell index) of the highest count so far
    for index, cell in enumerate(notebook.get("cells", ())):
        count = cell.get("execution_count") if cell.get("cell_type") == "code" else None
        if not isinstance(count, int):
            continue  # never run
        if highest is not None and count <= highest[0]:
            yield Finding(
                f"cell {index} ran before cell {highest[1]} above it (In [{count}] after "
                f"In [{highest[0]}]): the notebook was not run top to bottom",
                path=relative,
                line=place.cell_line(index),
                cell=index,
                hint=f"run it top to bottom in a fresh kernel (`jupyter nbconvert --to "
                f"notebook --execute --inplace {relative}`) so that its outputs are what a "
                "run from the top gives, or strip the outputs (`nbstripout "
                f"{relative}`)",
            )
            return
        highest = (count, index)


def _size(relative: str, data: bytes, limit: float, place: _Places) -> Iterator[Finding]:
    """The outputs' size, measured as they are stored: only for a notebook whose file is over
    the limit (its outputs cannot be otherwise), so parsed whole only then."""
    try:
        notebook = json.loads(data)
    except (ValueError, RecursionError):
        return
    sizes = [
        len(json.dumps(cell.get("outputs", []))) if isinstance(cell, dict) else 0
        for cell in notebook.get("cells", ())
    ]
    total = sum(sizes)
    if total <= limit or not sizes:
        return
    largest = max(range(len(sizes)), key=sizes.__getitem__)
    yield Finding(
        f"saved outputs take {_kb(total)} (the limit is {_kb(limit)}); the largest are cell "
        f"{largest}'s ({_kb(sizes[largest])})",
        path=relative,
        line=place.cell_line(largest),
        cell=largest,
        hint=f"strip the outputs before committing (`nbstripout {relative}`; `nbstripout "
        "--install` does it at every commit), or save plots and tables as files and keep the "
        "notebook light; raise `max_output_kb` if the outputs are the deliverable",
    )


def _too_large(relative: str, size: int, limit: float) -> Finding:
    return Finding(
        f"the notebook's file is {_kb(size)}: its outputs are far over the limit of {_kb(limit)}",
        path=relative,
        hint=f"strip the outputs before committing (`nbstripout {relative}`)",
    )


def _kb(size: float) -> str:
    if size >= 1024 * KILOBYTE:
        return f"{size / KILOBYTE / KILOBYTE:.1f} MB"
    return f"{size / KILOBYTE:.0f} KB"
