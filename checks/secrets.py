"""secrets: no credential written into any file of the project, notebooks included."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]  # not in typeshed

from dsdone.analysis.notebooks import (
    Layout,
    load_notebook,
    output_texts,
    source_text,
    stored_length,
)
from dsdone.analysis.personal_paths import is_binary
from dsdone.analysis.secrets import (
    LITERALS,
    SecretHit,
    bare_values_in,
    find_secrets,
    holds_literal,
)
from dsdone.api import Note, check
from dsdone.git.grep import lines_holding
from dsdone.project import OutsideProject, Project, compile_globs
from dsdone.report import Area, Finding, Severity
from dsdone.safe_read import BINARY_PROBE_BYTES

CHECK_ID = "secrets"
# Outside git each file is read by dsdone; a longer one is data, not something people type a
# password into, and only its start is searched.
MAX_SCAN_BYTES = 10 * 1024 * 1024
# A longer line is a payload (an inlined JavaScript library, a base64 image, minified data),
# not something a person typed a password into; searching it would cost more than the rest.
MAX_LINE = 100_000

# Never text: skipping them by name saves reading large model and data files at all.
BINARY_SUFFIXES = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".pdf", ".zip", ".gz", ".bz2", ".xz", ".tar", ".7z",
        ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".h5", ".hdf5", ".onnx", ".npy",
        ".npz", ".parquet", ".feather", ".arrow", ".avro", ".orc", ".so", ".dylib", ".dll",
        ".whl", ".safetensors", ".xlsx", ".xls", ".pyc",
    }
)  # fmt: skip
# Generated, not written by anyone: minified bundles and lock files hold hashes and URLs by the
# thousand, and no password.
GENERATED_NAMES = frozenset(
    {
        "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "Pipfile.lock",
        "uv.lock", "pixi.lock", "conda-lock.yml", "Cargo.lock",
    }
)  # fmt: skip
GENERATED_ENDINGS = (".min.js", ".min.css", ".map", "bundle.js")


HINT_RUNTIME = (
    "read it at run time instead: os.environ['NAME'], a .env file that .gitignore lists, or "
    "your secret manager"
)
HINT_COMMITTED = (
    "Rotate it: it is in the git history, so deleting the line does not take it back. Revoke "
    "it where it was issued, make a new one, and " + HINT_RUNTIME
)
HINT_UNCOMMITTED = "Remove it before you commit: " + HINT_RUNTIME


# What generated names end with (or are, at the top): compared with one str.endswith, and only
# for names with one of the suffixes that generated files have.
_GENERATED_TAILS = tuple(f"/{name}" for name in sorted(GENERATED_NAMES)) + GENERATED_ENDINGS
_GENERATED_SUFFIXES = frozenset(
    name[name.rfind(".") :].lower() for name in (*GENERATED_NAMES, *GENERATED_ENDINGS)
)


def _left_out(relative: str) -> bool:
    """Whether a file is not searched: a binary format, or a generated file."""
    suffix = relative[relative.rfind(".") :].lower()
    return suffix in BINARY_SUFFIXES or (suffix in _GENERATED_SUFFIXES and _generated(relative))


def _generated(relative: str) -> bool:
    return relative.endswith(_GENERATED_TAILS) or relative in GENERATED_NAMES


def _count_searched(project: Project) -> int:
    """How many of the project's files are searched: all but those ``_left_out`` would leave
    out, found by their suffix (the index's files by suffix, computed once for every check)."""
    by_suffix = project.by_suffix
    binary = sum(len(by_suffix.get(suffix, ())) for suffix in BINARY_SUFFIXES)
    generated = sum(
        1
        for suffix in _GENERATED_SUFFIXES - BINARY_SUFFIXES
        for relative in by_suffix.get(suffix, ())
        if _generated(relative)
    )
    return len(project.files) - binary - generated


@dataclass(frozen=True)
class _Hit:
    """A secret found in a file, with where it is in a notebook when it is in one."""

    path: str
    line: int
    column: int  # in the file as stored (in a notebook, in its JSON text)
    secret: SecretHit
    cell: int | None = None
    cell_line: int | None = None
    part: str | None = None  # in a notebook: "source" or "output"


@check(
    id=CHECK_ID,
    title="No credentials in the repository",
    severity=Severity.ERROR,
    area=Area.INFRASTRUCTURE,
    ml_test_score=("D5", "I1"),
    fix="Revoke every credential that was committed, and read credentials at run time from the "
    "environment or a secret manager.",
    grep=LITERALS,
    since="0.2.0",
)
def secrets(project: Project) -> Iterator[Finding | Note]:
    """A password, token or private key written into a repository is shared with everyone who
    can clone it, and stays in its history after the line is deleted: the database of
    customer data, the cloud account that trains the models and the model hub's private
    repositories are then one `git clone` away. Data teams leak them most in notebooks
    (`openai.api_key = "sk-..."`, a connection string with its password, a token printed in a
    saved output) and in configs.

    Searches every text file of the project, tracked or untracked and not ignored (an
    untracked file is one `git add` away from the history), and notebooks, in their code and
    in the text of their saved outputs, for: private key blocks; AWS access key ids (and
    secret access keys under a key named like one); GitHub (`ghp_`, `gho_`, `ghs_`,
    `github_pat_`), GitLab (`glpat-`), Slack (`xoxb-`, `xoxp-`), Hugging Face (`hf_`),
    OpenAI-style (`sk-`, `sk-proj-`), Stripe live (`sk_live_`, `rk_live_`) and Google (`AIza`)
    keys; signed JWTs; passwords in connection strings (`postgresql://user:PASSWORD@host/db`,
    and mysql, mongodb(+srv), redis, amqp); and literal values of keys named password, passwd,
    secret, ..._secret, secret_key or api_key. Values are never shown: a
    finding gives the kind, the place and a masked form such as `ghp_…(40 chars)`. The hint
    says to rotate a secret that the last commit holds (it is in the history), and to remove
    one that it does not before committing.

    Not reported: hashes (hex SHA/MD5, DVC's md5s), UUIDs, run ids and other random-looking
    strings without a credential's shape; references resolved at run time (`${VAR}`,
    `{{ var }}`, `%(var)s`, `os.environ[...]`, `os.getenv(...)`, `getpass()`); placeholders
    (`<your-key>`, `your_api_key_here`, `xxxx`, `changeme`, `***`, `DB_PASSWORD`); the
    examples of documentation (`AKIAIOSFODNN7EXAMPLE`, jwt.io's token); values that say they
    are fake (`fake_secret_key`, `dummy`, `test`) and lower-case words (a name, not a
    password); default passwords of local services (`postgres:postgres`, `guest`,
    `minioadmin`); binary files, lock files and minified bundles, and lines longer than
    100,000 characters (an inlined library or image). To accept a test fixture's credential
    for good, list its folder under `checks: secrets: exclude:` in the contract.
    """
    excluded = project.contract.settings(CHECK_ID).exclude
    skip = compile_globs(excluded).match_file if excluded else None

    def searched(relative: str) -> bool:
        return not _left_out(relative) and not (skip is not None and skip(relative))

    hits: list[_Hit] = []
    for relative, lines in _candidates(project, searched):
        hits.extend(_scan(project, relative, lines))
    yield from _findings(project, hits)
    count = _count_searched(project) if skip is None else sum(map(searched, project.files))
    yield Note(f"{count} file" + ("s" if count != 1 else "") + " searched")


def _candidates(
    project: Project, searched: Callable[[str], bool]
) -> Iterator[tuple[str, list[tuple[int, bytes]]]]:
    """The files that are ``searched`` and hold a literal of a secret, with the lines that do:
    found by the shared ``git grep``, or, outside git, by reading each file."""
    found = project.grep(LITERALS)
    if found is not None:
        yield from ((hit.path, hit.lines) for hit in found if searched(hit.path))
        return
    for relative in project.files:
        if not searched(relative):
            continue
        try:
            data = project.read_bytes(relative, MAX_SCAN_BYTES)
        except (OSError, OutsideProject):
            continue
        if not is_binary(data[:BINARY_PROBE_BYTES]):
            lines = lines_holding(data, LITERALS)
            if lines:
                yield relative, lines


def _scan(project: Project, relative: str, lines: Iterable[tuple[int, bytes]]) -> list[_Hit]:
    if relative.endswith(".ipynb"):
        return _scan_notebook(project, relative, lines)
    bare_values = bare_values_in(relative)
    hits: list[_Hit] = []
    for number, data in lines:
        if len(data) > MAX_LINE:
            continue  # an inlined library or image: not typed by anyone
        text = data.decode("utf-8-sig" if number == 1 else "utf-8", errors="replace")
        found = find_secrets(text.rstrip("\r"), bare_values=bare_values)
        hits.extend(_Hit(relative, number, secret.column, secret) for secret in found)
    return hits


def _scan_notebook(
    project: Project, relative: str, lines: Iterable[tuple[int, bytes]]
) -> list[_Hit]:
    """A notebook that holds a literal somewhere is read and searched cell by cell: the code
    as its author wrote it (the file escapes its quotes), and the text of its outputs (not
    their images or scripts: a base64 image holds any literal sooner or later). A notebook
    saved on one line, as Colab does, is searched the same way."""
    if not any(_may_hold_secret(number, data) for number, data in lines):
        return []  # the usual case: a literal in an image or a script of the outputs
    try:
        raw = project.read_text(relative)
    except (OSError, OutsideProject, UnicodeDecodeError):
        return []
    notebook = load_notebook(raw)
    if notebook is None:  # not a notebook after all: searched as the text it is
        return [
            _Hit(relative, number, secret.column, secret)
            for number, data in lines
            if len(data) <= MAX_LINE
            for secret in find_secrets(data.decode("utf-8", errors="replace"))
        ]
    cells = notebook["cells"]
    layout = None  # where the cells are in the text: located for the first secret
    hits: list[_Hit] = []
    for index, cell in enumerate(cells):
        source = source_text(cell)
        for number, text in enumerate(source.splitlines() if holds_literal(source) else (), 1):
            for secret in find_secrets(text):
                layout = layout or Layout(raw, cells)
                offset = layout.source_offset(index, number, text[: secret.column - 1])
                hits.append(_located(relative, layout, offset, secret, index, number, "source"))
        for output in output_texts(cell):
            for text in output.splitlines() if holds_literal(output) else ():
                for secret in find_secrets(text) if len(text) <= MAX_LINE else ():
                    layout = layout or Layout(raw, cells)
                    offset = layout.text_offset(index, text)
                    offset += stored_length(raw, offset, text[: secret.column - 1])
                    hits.append(_located(relative, layout, offset, secret, index, None, "output"))
    return hits


def _may_hold_secret(number: int, data: bytes) -> bool:
    """Whether a line of a notebook's JSON text that holds a literal may hold a secret: a
    line of the notebook's own JSON strings (decoded: the file escapes a cell's quotes) with
    one, or the first line of a notebook saved on one line. A longer line is an output's
    image or script."""
    if len(data) > MAX_LINE:
        return number == 1
    line = data.decode("utf-8", errors="replace")
    return bool(find_secrets(line)) or any(find_secrets(text) for text in _json_strings(line))


def _json_strings(line: str) -> Iterator[str]:
    """The decoded strings of a line of JSON."""
    quote = line.find('"')
    while quote >= 0:
        try:
            text, end = scanstring(line, quote + 1)
        except ValueError:  # not JSON after all: an unterminated string
            return
        yield text
        quote = line.find('"', end)


def _located(
    relative: str,
    layout: Layout,
    offset: int,
    secret: SecretHit,
    cell: int,
    cell_line: int | None,
    part: str,
) -> _Hit:
    line, column = layout.position(offset)
    return _Hit(relative, line, column, secret, cell, cell_line, part)


def _findings(project: Project, hits: list[_Hit]) -> Iterator[Finding]:
    if not hits:
        return
    committed = project.committed_contents(sorted({hit.path for hit in hits}))
    for hit in hits:
        secret = hit.secret
        in_history = _holds(committed.get(hit.path), secret.value)
        where = f" in the saved output of cell {hit.cell}" if hit.part == "output" else ""
        hint = HINT_COMMITTED if in_history else HINT_UNCOMMITTED
        if hit.part == "output":
            hint += (
                f"; and clear the notebook's outputs: jupyter nbconvert --clear-output "
                f"--inplace {hit.path}"
            )
        yield Finding(
            f"{secret.kind}{where}: {secret.masked}",
            path=hit.path,
            line=hit.line,
            column=hit.column,
            cell=hit.cell,
            cell_line=hit.cell_line,
            hint=hint,
        )


def _holds(content: bytes | None, value: str) -> bool:
    """Whether the committed copy of a file holds the secret, as written or JSON-escaped (in
    a notebook)."""
    if content is None:
        return False
    written = value.encode("utf-8", "replace")
    escaped = json.dumps(value)[1:-1].encode("ascii")
    return written in content or escaped in content
