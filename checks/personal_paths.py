"""personal-paths: no absolute path that only exists on one person's machine."""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dsdone.analysis import personal_paths as personal_paths_scanner
from dsdone.analysis.container_accounts import (
    MAX_FILE_BYTES,
    container_files,
    container_users,
)
from dsdone.analysis.personal_paths import (
    NEEDLES,
    PathMatch,
    cell_starts,
    decode,
    is_binary,
    json_unescape,
    locate_sources,
    might_contain,
    output_spans,
    scan_text,
)
from dsdone.api import Note, check, option
from dsdone.globs import compile_globs
from dsdone.project import OutsideProject, Project
from dsdone.report import Area, Finding, Severity
from dsdone.result_cache import code_identity, finding_from_json, finding_json
from dsdone.safe_read import BINARY_PROBE_BYTES, MAX_TEXT_BYTES

CHECK_ID = "personal-paths"
MEGABYTE = 1024 * 1024

# Accounts that are the same on every machine of their kind, so a path under them is not one
# person's: it is where a program runs, and a colleague's copy of that machine has it too.
# Compared without case. ``root`` needs no entry: its home is ``/root``, which is never matched.
# Not in the list, on purpose: names of people, even the ones documentation uses (``alice``,
# ``jdoe``), since a real person may have them.
DEFAULT_ALLOWED_USERS = (
    # The default login of cloud and VM images, the same on every instance launched from them:
    # Ubuntu (AWS, Azure, GCP images), Amazon Linux and RHEL (ec2-user), CentOS, Fedora,
    # Debian (its AWS images log in as admin), Rocky, AlmaLinux, Fedora CoreOS (core), RHEL on
    # OpenStack (cloud-user), Azure's default administrator, Oracle Cloud (opc), Bitnami
    # images, Vagrant boxes and Raspberry Pi OS.
    "ubuntu", "ec2-user", "centos", "fedora", "debian", "admin", "rocky", "almalinux", "core",
    "cloud-user", "azureuser", "opc", "bitnami", "vagrant", "pi",
    # Hosted notebooks and ML platforms: the Jupyter Docker stacks (jovyan), Vertex AI
    # Workbench (jupyter), SageMaker Studio (sagemaker-user; notebook instances use ec2-user),
    # the Ray images (ray), micromamba's image (mambauser), code-server (coder).
    "jovyan", "jupyter", "sagemaker-user", "ray", "mambauser", "coder",
    # CI runners: GitHub Actions (runner), Azure Pipelines (vsts), CircleCI, GitLab's shell
    # executor, Jenkins agents, Travis CI, AppVeyor's Linux images.
    "runner", "vsts", "circleci", "gitlab-runner", "jenkins", "travis", "appveyor",
    # Container images and development environments: the official Node.js image (node),
    # Apache Airflow's image, distroless (nonroot), the non-root user Dockerfiles conventionally
    # create (appuser, app), boot2docker and minikube VMs (docker), VS Code dev containers,
    # GitHub Codespaces, Gitpod.
    "node", "airflow", "nonroot", "appuser", "app", "docker", "vscode", "codespace", "gitpod",
    # The shared folders of macOS and Windows (``C:\\Users\\All Users`` is read up to its space).
    "Shared", "Public", "Default", "All",
    # The standard folders of a macOS or Windows home, where the user name goes: a path whose
    # user was cut out (an anonymised mock, `/Users/Documents/project/data.csv`) names no one.
    "Documents", "Desktop", "Downloads", "Library", "Applications", "Movies", "Music",
    "Pictures", "Videos", "Sites",
    # Placeholders of documentation, examples and test fixtures.
    "user", "username", "your_username", "yourusername", "yourname", "your_name", "you", "me",
    "myuser", "myname", "name", "foo", "bar", "baz", "test", "tester", "testuser", "example",
    "dummy", "guest",
)  # fmt: skip

# Prose, not code: a README that says "on my machine the data is in /Users/ana" is not a
# path the project uses. ``include_docs`` scans them too.
DOC_SUFFIXES = frozenset({".md", ".markdown", ".mdx", ".rst", ".adoc"})

# Never text; skipping them by name saves opening large model and data files at all.
BINARY_SUFFIXES = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".pdf", ".zip", ".gz", ".bz2", ".xz", ".tar", ".7z",
        ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".h5", ".hdf5", ".onnx", ".npy",
        ".npz", ".parquet", ".feather", ".arrow", ".avro", ".orc", ".so", ".dylib", ".dll",
        ".whl", ".safetensors", ".xlsx", ".xls", ".pyc",
    }
)  # fmt: skip

# Words before a /home path on its line that say it is a path inside a container, not on
# anyone's machine: ``container_root = "/home/kedro"``, "the project root in the container
# (e.g. /home/kedro)". Only Linux homes: no container has a macOS or Windows home folder.
_SAYS_CONTAINER = re.compile(
    r"container[_ -]?(?:root|path|dir|home|workdir|mount|folder|directory)"
    r"|\b(?:in|inside|into|within) (?:the |a |your )?(?:docker )?container\b",
    re.IGNORECASE,
)
# The end of a line that does not end its sentence or statement (a word, or a comma, colon or
# opening bracket), so that the next line goes on with it: "the project root in the
# container\n    (e.g. `/home/kedro/<repo>`)". In a notebook the line ends inside a JSON string.
_GOES_ON = re.compile(r"[\w,:(\[-]\s*(?:\\n)?(?:\"\s*,?)?\s*$")

HINT = (
    "use a path relative to the repository, a value from a config file or an environment "
    "variable, or Path.home() for a per-user file"
)
HINT_REQUIREMENT = (
    "depend on a published version, or on a path relative to the repository (-e ./libs/NAME)"
)
HINT_CONDA_PREFIX = (
    "delete the prefix: line: it is where conda put the environment on your machine "
    "(conda env export --no-builds | grep -v '^prefix:')"
)
HINT_UNREAD = (
    "make it readable by the user who runs dsdone (and rename a file whose name holds control "
    "characters), or leave it out with this check's `exclude` option"
)
HINT_OUTPUT = (
    "clear the notebook's outputs before committing "
    "(jupyter nbconvert --clear-output --inplace NOTEBOOK, or nbstripout)"
)


@dataclass(frozen=True)
class PersonalPathsOptions:
    allow_users: tuple[str, ...] = option(
        (),
        help="More user names whose home folders are not personal (e.g. a deployment account), "
        "added to the built-in list: " + ", ".join(DEFAULT_ALLOWED_USERS) + ".",
    )
    include_docs: bool = option(
        False, help="Also scan documentation (Markdown, reStructuredText, notebook text cells)."
    )
    max_file_mb: float = option(
        10.0, help="Scan at most this many MB of each file; a longer file is scanned in part."
    )


@check(
    id=CHECK_ID,
    title="No hardcoded personal paths",
    severity=Severity.ERROR,
    area=Area.INFRASTRUCTURE,
    ml_test_score=("I1",),
    fix="Replace each path under someone's home folder with a path relative to the repository, "
    "a config value or an environment variable.",
    options=PersonalPathsOptions,
    grep=NEEDLES,
)
def personal_paths(project: Project, options: PersonalPathsOptions) -> Iterator[Finding | Note]:
    """A path like /Users/ana/data/train.csv works on Ana's laptop and nowhere else: the
    scheduled retraining, a colleague's clone and the CI runner all fail on it, often late, in
    the middle of a pipeline, and the path leaks who built the model and how their machine is
    organised. It is the first thing that breaks when a notebook is handed to engineering.

    Scans every file of the project (tracked, or untracked and not ignored) for absolute paths
    into one person's home: /Users/NAME, /home/NAME, C:\\Users\\NAME in every spelling (single,
    doubled or forward slashes, any case), /mnt/c/Users/NAME (WSL), /Workspace/Users/NAME
    (Databricks), /content/drive/MyDrive (Colab) and file:// URLs to them. That includes
    configs, scripts, requirements files (`pkg @ file:///home/...`), a conda environment's
    `prefix:` line, and notebooks: code cells (located by cell and line) and saved outputs,
    where a traceback prints the author's paths.

    Not reported: binary files (a NUL byte in the first 8,000 bytes, as git decides; in a git work
    tree also what .gitattributes marks binary), ignored files, Markdown and reST (unless
    `include_docs`), `~`, `$HOME` and `Path.home()`, URLs such as https://host/home/ana,
    relative paths, regular expressions and templates such as /home/[^/]+/ or /home/{user},
    and the accounts that are the same on every machine of their kind: the default users of
    cloud and VM images (ubuntu, ec2-user, azureuser, ...), of hosted notebooks and ML platforms
    (jovyan, sagemaker-user, ...), of CI runners (runner, jenkins, gitlab-runner, ...) and
    container images (node, airflow, appuser, ...), the shared folders of macOS and Windows, the
    standard folders of a home written where the user goes (/Users/Documents/...), and
    the placeholders of examples and fixtures (user, me, foo, test, example, ...), with those of
    `allow_users`. Nor are the accounts of the repository's own containers: users its
    Dockerfiles and compose files create (useradd, adduser), run as (USER, compose user:),
    name in an ARG/ENV default or build argument (ARG BENTO_USER=bentoml), or whose home they
    use as a container path (WORKDIR, ENV HOME=, a volume's target), nor a /home path on a
    line (or in a sentence begun on the line before) that says it is in a container
    (container_root = "/home/kedro"). A name a person
    may have stays found (/home/alice, /Users/jdoe), also beside a Dockerfile that creates
    someone else. Nor are
    the reports the run reads or writes (--baseline, --write-baseline, -o): their paths are
    copies of findings. Of a file that may hold a personal path only the first `max_file_mb`
    MB (at most 10) are scanned; the summary names the files that were longer. A file or
    folder that cannot be read, or whose name holds control characters, is a finding: what
    was not searched cannot be said to hold no personal path.
    """
    allowed = frozenset(DEFAULT_ALLOWED_USERS) | frozenset(options.allow_users)
    excluded = project.contract.settings(CHECK_ID).exclude
    skip = compile_globs(excluded).match_file if excluded else None
    # Never more of a file than dsdone holds in memory at once, whatever the option says: the
    # note on files read in part gives the size that was read.
    cap = min(max(int(options.max_file_mb * MEGABYTE), BINARY_PROBE_BYTES), MAX_TEXT_BYTES)
    left_out = _left_out(options.include_docs)

    reports = project.report_files

    def searched(relative: str) -> bool:
        return (
            not left_out.search(relative)
            and not (skip is not None and skip(relative))
            and relative not in reports
        )

    truncated: list[str] = []
    # What could not be searched is a finding: a gate over files it did not read must not
    # say "ready" without saying so. First what the index could not list or name...
    unread = [(path, why) for path, why in project.index.unsearched if searched(path)]

    # What was found in each unchanged tracked file is kept by its blob with the options it was
    # scanned with: a large repository's thousands of near misses (URLs, $HOME) are not
    # scanned again, nor their sizes asked.
    cache = project.file_results(
        CHECK_ID,
        code_identity(__file__, personal_paths_scanner.__file__),
        (*sorted(allowed), str(cap), str(options.include_docs)),
    )

    def found() -> Iterator[_Found]:
        for relative, lines in _candidates(project, searched, allowed):
            known = _scanned_from_json(relative, cache.get(relative))
            if known is not None:
                items, cut = known
            else:
                try:
                    scanned = _scan(project, relative, lines, cap, allowed, options.include_docs)
                except FileNotFoundError:
                    continue  # deleted since the index was made
                except OSError as exc:  # ...then what could not be read
                    unread.append((relative, f"cannot be read: {exc.strerror or exc}"))
                    continue
                if scanned is None:
                    continue  # a link out of the project
                items, cut = scanned
                cache.put(relative, _scanned_json(items, cut))
            if cut:
                truncated.append(relative)
            yield from items

    accounts = _ContainerAccounts(project)
    yield from _once_per_line(found(), accounts, _PreviousLines(project, cap))
    cache.save()
    for path, why in sorted(unread):
        yield Finding(f"not searched for personal paths: {why}", path=path, hint=HINT_UNREAD)
    if accounts.spared:
        names = ", ".join(sorted(accounts.spared))
        yield Note(
            f"the home folders of the repository's container accounts are not personal: {names}"
        )
    if skip is None and not reports:
        maybe = _may_be_left_out(project.by_suffix)
        count = len(project.files) - len(maybe) + _count_searched(maybe, left_out)
    else:
        count = sum(map(searched, project.files))
    count -= sum(map(project.is_indexed, (path for path, _ in unread)))
    yield Note(f"{count} file" + ("s" if count != 1 else "") + " searched")
    if unread:
        yield Note(f"{len(unread)} could not be searched")
    if truncated:
        truncated.sort()
        shown = ", ".join(truncated[:3]) + (", …" if len(truncated) > 3 else "")
        yield Note(f"only the first {cap / MEGABYTE:g} MB of {len(truncated)} read: {shown}")


def _left_out(include_docs: bool) -> re.Pattern[str]:
    """Matches the names of files that are not searched: binary formats, and documentation
    unless ``include_docs``. The suffix of a name that starts with a dot is no suffix."""
    suffixes = BINARY_SUFFIXES if include_docs else BINARY_SUFFIXES | DOC_SUFFIXES
    alternatives = "|".join(sorted(re.escape(suffix[1:]) for suffix in suffixes))
    # One regular expression for every file of a 20,000-file index: its loop runs in C.
    return re.compile(rf"(?im)[^/\n]\.(?:{alternatives})$")


def _count_searched(files: Sequence[str], left_out: re.Pattern[str]) -> int:
    """How many of ``files`` are searched: all but those ``left_out`` matches, counted by one
    search over their names, one a line (a name never holds a line break: the index leaves
    such names out)."""
    return len(files) - len(left_out.findall("\n".join(files)))


def _may_be_left_out(by_suffix: Mapping[str, Sequence[str]]) -> list[str]:
    """The names ``_left_out`` may match, from the files by suffix (``Repository.by_suffix``):
    those with a suffix of ``BINARY_SUFFIXES`` or ``DOC_SUFFIXES``, and any whose suffix is
    not ASCII (a Kelvin sign matches k, ignoring case); counting over them alone spares a
    search through all the names of a 20,000-file project."""
    return [
        path
        for suffix, paths in by_suffix.items()
        if suffix in BINARY_SUFFIXES or suffix in DOC_SUFFIXES or not suffix.isascii()
        for path in paths
    ]


def _candidates(
    project: Project, searched: Callable[[str], bool], allowed: frozenset[str]
) -> Iterator[tuple[str, list[tuple[int, bytes]] | None]]:
    """The files that are ``searched`` and may hold a personal path, each with the lines that
    may (as git grep found them), or with ``None`` when the file must be read and scanned
    whole: outside git, or a notebook (whose cells must be told apart)."""
    found = project.grep(NEEDLES)
    if found is None:
        yield from ((relative, None) for relative in project.files if searched(relative))
        return
    for hit in found:
        if not searched(hit.path):
            continue
        if not hit.complete:  # more hits than a search keeps: read the file itself, in part
            yield hit.path, None
            continue
        if hit.path.endswith(".ipynb"):
            if _any_match(hit.lines, allowed):  # else a near miss: not read, not parsed
                yield hit.path, None
            continue
        yield hit.path, hit.lines


def _scan(
    project: Project,
    relative: str,
    lines: list[tuple[int, bytes]] | None,
    cap: int,
    allowed: frozenset[str],
    include_docs: bool,
) -> tuple[list[_Found], bool] | None:
    """The personal paths of one candidate file, and whether only its first ``cap`` bytes were
    read: in the ``lines`` git grep found, unless the file is longer than ``cap`` or there are
    none (then read here); ``None`` for a link out of the project or a file gone since git
    read it. ``OSError`` if it cannot be read."""
    if lines is not None:
        try:
            whole = project.size(relative) <= cap
        except (OSError, OutsideProject):
            return None  # deleted since git read it
        if whole:
            return list(_scan_lines(relative, lines, allowed)), False
    data, complete = _read_text_bytes(project, relative, cap)
    if data is None or not might_contain(data):
        return [], not complete
    text = decode(data)
    if relative.endswith(".ipynb") and complete:
        return list(_scan_notebook(relative, text, allowed, include_docs)), False
    return list(_scan_file(relative, text, allowed)), not complete


def _scanned_json(items: list[_Found], cut: bool) -> list[Any]:
    """What the cache keeps of one file's scan."""
    return [[[finding_json(i.finding), i.user, i.in_container, i.before] for i in items], cut]


def _scanned_from_json(relative: str, entry: object) -> tuple[list[_Found], bool] | None:
    """The scan of ``relative`` that ``_scanned_json`` kept; None for anything else."""
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], bool)):
        return None
    try:
        return [_found_from_json(relative, item) for item in entry[0]], entry[1]
    except (ValueError, TypeError):
        return None


def _found_from_json(relative: str, item: object) -> _Found:
    if not (isinstance(item, list) and len(item) == 4):
        raise ValueError("not a finding")
    finding, user, in_container, before = item
    if not (user is None or isinstance(user, str)) or not isinstance(in_container, bool):
        raise ValueError("not a finding")
    if not (before is None or isinstance(before, str)):
        raise ValueError("not a finding")
    return _Found(finding_from_json(relative, finding), user, in_container, before)


def _read_text_bytes(project: Project, relative: str, cap: int) -> tuple[bytes | None, bool]:
    """The first ``cap`` bytes of a text file and whether that is all of it; ``None`` for a
    binary file or a link out of the project; ``OSError`` if it cannot be read. Binary files
    cost one 8,000-byte read."""
    try:
        with project.open(relative) as stream:
            head = stream.read(BINARY_PROBE_BYTES)
            if is_binary(head):
                return None, True
            if len(head) < BINARY_PROBE_BYTES:
                return head, True
            data = head + stream.read(cap - len(head))
            return data, not stream.read(1)
    except OutsideProject:
        return None, True


def _scan_file(relative: str, text: str, allowed: frozenset[str]) -> Iterator[_Found]:
    for match in scan_text(text, allowed):
        line_start = text.rfind("\n", 0, match.offset) + 1
        before = text[line_start : match.offset]
        yield _finding(match, relative, match.text, _hint(relative, before), before=before)


def _scan_lines(
    relative: str, lines: Iterable[tuple[int, bytes]], allowed: frozenset[str]
) -> Iterator[_Found]:
    """The personal paths in some lines of a file: (1-based number, the line's bytes)."""
    for number, line in lines:
        text = _decode_line(number, line)
        for match in scan_text(text, allowed):
            before = text[: match.offset]
            yield _finding(
                dataclasses.replace(match, line=number),
                relative,
                match.text,
                _hint(relative, before),
                before=before,
            )


def _hint(relative: str, before: str) -> str:
    """How to fix a path in this file; ``before`` is what precedes it on its line."""
    name = relative[relative.rfind("/") + 1 :].lower()
    if name.startswith("requirements") and name.endswith((".txt", ".in")):
        return HINT_REQUIREMENT
    if name in ("environment.yml", "environment.yaml") and before.lstrip().startswith("prefix:"):
        return HINT_CONDA_PREFIX
    return HINT


def _decode_line(number: int, line: bytes) -> str:
    # As personal_paths.decode decodes the whole file: a BOM is dropped only at its start.
    return decode(line) if number == 1 else line.decode("utf-8", errors="replace")


def _any_match(lines: list[tuple[int, bytes]], allowed: frozenset[str]) -> bool:
    return any(next(scan_text(_decode_line(number, line), allowed), None) for number, line in lines)


def _scan_notebook(
    relative: str, raw: str, allowed: frozenset[str], include_docs: bool
) -> Iterator[_Found]:
    """Matches are found in the notebook's JSON text, so line and column are exact in the file
    as stored; the notebook's cells then say which cell (and which line of it) each one is in."""
    matches = list(scan_text(raw, allowed))
    if not matches:
        return  # the common case: a hit of the literal pre-filter only; nothing is parsed
    cells = _cells(raw)
    if cells is None:  # not a notebook: report it as the text it is
        for match in matches:
            yield _finding(match, relative, json_unescape(match.text), HINT)
        return
    sources = [_source(cell) for cell in cells]
    located = locate_sources(raw, sources)
    if located is None:  # written by a tool that stores sources unlike Jupyter: no cell numbers
        for match in matches:
            yield _finding(match, relative, json_unescape(match.text), HINT)
        return
    starts = cell_starts(raw, len(cells))
    outputs = output_spans(raw, starts)
    line_starts = [line.start for line in located]  # in order: located front to back
    # Each match is placed by bisection, never by a walk over the cells or their outputs: a
    # cell whose output holds tens of thousands of paths (a traceback in a loop) stays linear.
    for match in matches:
        path = json_unescape(match.text)
        before = raw[raw.rfind("\n", 0, match.offset) + 1 : match.offset]
        index = bisect.bisect_right(line_starts, match.offset) - 1
        where = located[index] if index >= 0 and match.offset < located[index].end else None
        if where is not None:
            if cells[where.cell].get("cell_type") == "markdown" and not include_docs:
                continue
            yield _finding(
                match,
                relative,
                path,
                HINT,
                cell=where.cell,
                cell_line=where.cell_line,
                before=before,
            )
            continue
        owner = bisect.bisect_right(starts, match.offset) - 1
        span = outputs[owner] if owner >= 0 else None
        if span is not None and span[0] <= match.offset < span[1]:
            yield _finding(
                match,
                relative,
                path,
                HINT_OUTPUT,
                cell=owner,
                where=f" in the saved output of cell {owner}",
            )
        else:
            yield _finding(match, relative, path, HINT, where=" in the notebook's metadata")


@dataclass(frozen=True)
class _Found:
    """A finding, with the user whose home folder it is in (``None`` for a Colab drive)."""

    finding: Finding
    user: str | None
    in_container: bool = False  # the line says the path is in a container
    # What precedes a /home path on its line when that says nothing of a container: the
    # sentence may have begun on the line before, which is read only if the path is reported.
    before: str | None = None


class _ContainerAccounts:
    """The users the repository's Dockerfiles and compose files create or run as: read once,
    and only when a path in a home folder is about to be reported (most projects have none,
    and the 20,000-file scan must not pay for reading Dockerfiles)."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._users: frozenset[str] | None = None
        self.spared: set[str] = set()

    def owns(self, user: str) -> bool:
        if self._users is None:
            self._users = container_users(self._texts())
        if user.lower() in self._users:
            self.spared.add(user)
            return True
        return False

    def _texts(self) -> Iterator[tuple[str, str]]:
        for relative in container_files(self._project.files):
            try:
                data = self._project.read_bytes(relative, MAX_FILE_BYTES)
            except (OSError, OutsideProject):
                continue
            if not is_binary(data):
                yield relative, decode(data)


class _PreviousLines:
    """The line before a finding's, read only for the few /home paths about to be reported
    (the scan itself sees only the lines git grep found); one file is kept at a time, since
    the findings of a file come together."""

    def __init__(self, project: Project, cap: int) -> None:
        self._project = project
        self._cap = cap
        self._path: str | None = None
        self._lines: list[str] = []

    def before(self, relative: str, line: int) -> str:
        if relative != self._path:
            self._path = relative
            try:
                data = self._project.read_bytes(relative, self._cap)
            except (OSError, OutsideProject):
                data = b""
            self._lines = decode(data).splitlines()
        return self._lines[line - 2] if 2 <= line <= len(self._lines) + 1 else ""


def _says_container_before(item: _Found, previous: _PreviousLines) -> bool:
    """Whether the sentence the path is in says it is in a container, having begun on the
    line before: that line goes on (it ends in a word, a comma, a colon or an open bracket)
    and the path's line starts no new statement (no ``=`` before the path)."""
    finding = item.finding
    if item.before is None or "=" in item.before or finding.path is None or finding.line is None:
        return False
    line_before = previous.before(finding.path, finding.line)
    if not _GOES_ON.search(line_before):
        return False
    return bool(_SAYS_CONTAINER.search(f"{line_before} {item.before}"))


def _once_per_line(
    found: Iterable[_Found], accounts: _ContainerAccounts, previous: _PreviousLines
) -> Iterator[Finding]:
    """Each personal path once per line: a line (a traceback in a JSON fixture, a command
    that names a file twice) that holds the same path twice is one thing to fix, not two
    findings that differ only in their column. Paths in the home of a container's account
    are left out, and those in a sentence that says they are in a container."""
    seen: set[tuple[str | None, int | None, int | None, str]] = set()
    for item in found:
        if item.in_container or (item.user is not None and accounts.owns(item.user)):
            continue
        if _says_container_before(item, previous):
            continue
        finding = item.finding
        key = (finding.path, finding.line, finding.cell, finding.message)
        if key not in seen:
            seen.add(key)
            yield finding


def _finding(
    match: PathMatch,
    relative: str,
    path: str,
    hint: str,
    *,
    cell: int | None = None,
    cell_line: int | None = None,
    where: str = "",
    before: str | None = None,
) -> _Found:
    """``before`` is what precedes the path on its line (``None`` in a notebook's output)."""
    finding = Finding(
        f"personal path '{path}'{where}: it is in {match.kind}",
        path=relative,
        line=match.line,
        column=match.column,
        cell=cell,
        cell_line=cell_line,
        hint=hint,
    )
    home = match.user is not None and match.text.startswith("/home/") and before is not None
    in_container = home and bool(_SAYS_CONTAINER.search(before or ""))
    return _Found(finding, match.user, in_container, before if home and not in_container else None)


def _cells(raw: str) -> list[Any] | None:
    """The notebook's cells (in version 4's form), or ``None`` if it is not a notebook. Not
    validated against nbformat's schema: that costs more than the whole scan of the notebook,
    and only the cells' types, sources and outputs are used, defensively.

    A version 4 notebook is plain JSON with a list of cells; any other version is read and
    converted by nbformat, which is imported only then."""
    try:
        notebook = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, an integer too long, or nested too deep
        return None
    if isinstance(notebook, dict) and notebook.get("nbformat") != 4:
        import nbformat
        import nbformat.reader

        reads: Callable[..., Any] = nbformat.reader.reads  # nbformat has no type hints
        convert: Callable[..., Any] = nbformat.convert
        try:
            notebook = convert(reads(raw), 4)
        except Exception:  # nbformat raises bare JSON, version and conversion errors
            return None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        return None
    return cells


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)
