"""What ``init --existing`` learned about a repository, before it is written as a contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TypeVar

from dsdone.analysis.templates import has_placeholder
from dsdone.scaffold import unwritable

T = TypeVar("T")

# Formats by file extension: what a person reading the path would call the data.
FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
    ".xls": "xlsx",
    ".feather": "feather",
    ".arrow": "arrow",
    ".pkl": "pickle",
    ".pickle": "pickle",
    ".txt": "text",
    ".avro": "avro",
    ".orc": "orc",
    ".xml": "xml",
    ".h5": "hdf5",
    ".hdf5": "hdf5",
    ".npy": "npy",
    ".npz": "npz",
    ".db": "sqlite",
    ".sqlite": "sqlite",
    ".zip": "zip",
    ".tgz": "tar.gz",
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".wav": "audio",
}
# A contract is a page: the first this many entries of a list are written, the rest counted.
MAX_ENTRIES = 100
# Longer than this, a path or a name is not one a person wrote: it is left out, and counted.
MAX_VALUE_CHARACTERS = 1000
# config.files entries are globs: a path with one of these would mean another pattern.
GLOB_SPECIAL = frozenset("*?[]\\")


def writable(value: str) -> bool:
    """Whether ``value`` can be written into the contract as it is (see ``yaml_scalar``)."""
    return len(value) <= MAX_VALUE_CHARACTERS and unwritable(value) is None


def literal_path(path: str) -> bool:
    """Whether ``path``, written as a glob of ``config.files``, means only itself."""
    return not (GLOB_SPECIAL & set(path)) and not path.startswith(("!", "#"))


# Compression that readers undo by themselves: data.csv.gz is read as csv.
_COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst")


def format_of(source: str) -> str | None:
    """The format a source's extension says: ``csv`` for data/x.csv and data/x.csv.gz."""
    name = PurePosixPath(source.rstrip("/")).name.lower()
    if name.endswith(".tar.gz"):
        return "tar.gz"
    for compression in _COMPRESSIONS:
        if name.endswith(compression):
            name = name[: -len(compression)]
            break
    return FORMATS.get(PurePosixPath(name).suffix)


@dataclass
class InputGuess:
    name: str
    source: str
    format: str | None
    pipeline: str | None
    origin: str  # where it was inferred from, for the comment


@dataclass
class OutputGuess:
    name: str
    schema: str
    format: str | None
    sample: str | None


@dataclass
class RetrainGuess:
    command: str
    origin: str  # where it was inferred from, for the comment
    todo: str | None = None  # what the user must still fill in (a -P value), as a comment


@dataclass
class Inference:
    """What was learned about the repository; ``render`` turns it into the contract."""

    name: str
    owner: str
    description: str | None = None
    inputs: list[InputGuess] = field(default_factory=list)
    input_candidates: list[str] = field(default_factory=list)  # shown as comments, not declared
    outputs: list[OutputGuess] = field(default_factory=list)
    config_files: list[str] = field(default_factory=list)  # paths and globs
    retrain: RetrainGuess | None = None
    retrain_candidates: list[str] = field(default_factory=list)  # commands, when unsure
    test_paths: list[str] = field(default_factory=list)
    test_count: int = 0
    placeholder_tests: int = 0
    template: str | None = None  # "a cookiecutter template (cookiecutter.json)"
    found: list[str] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)
    # What was found but cannot be written into the contract, by kind ("input", ...): a value
    # with control characters (a dvc.yaml can hold any), or more entries than a contract holds.
    left_out: dict[str, int] = field(default_factory=dict)
    _sources: set[str] = field(default_factory=set, repr=False)  # of the inputs, to dedupe

    def admits(self, kind: str, *values: str | None) -> bool:
        """Whether an entry with ``values`` can be written; if not, it is counted as left out."""
        if all(value is None or writable(value) for value in values):
            return True
        self.leave_out(kind)
        return False

    def leave_out(self, kind: str, count: int = 1) -> None:
        self.left_out[kind] = self.left_out.get(kind, 0) + count

    def add_input(
        self,
        source: str,
        pipeline: str | None,
        origin: str,
        *,
        name: str | None = None,
        fmt: str | None = None,
    ) -> None:
        """Declare an input once per source, under a unique name; a placeholder is no source."""
        if has_placeholder(source) or source in self._sources:
            return
        if len(self.inputs) >= MAX_ENTRIES:
            self.leave_out("input")
            return
        base = name or PurePosixPath(source.rstrip("/")).name.split(".")[0] or "input"
        if not self.admits("input", base, source, pipeline):
            return
        taken = {item.name for item in self.inputs}  # at most MAX_ENTRIES: not quadratic
        unique, n = base, 2
        while unique in taken:
            unique, n = f"{base}-{n}", n + 1
        self._sources.add(source)
        self.inputs.append(InputGuess(unique, source, fmt or format_of(source), pipeline, origin))

    def keep_writable(self) -> None:
        """Leave out, and count, every value that cannot be written into a contract as it is
        (control characters, longer than a person writes) and every entry past the first
        ``MAX_ENTRIES`` of a list; then say so in a TODO. Run once, when all is inferred."""
        if self.description is not None and not self.admits("description", self.description):
            self.description = None
        if self.retrain is not None and not self.admits("retrain entrypoint", self.retrain.command):
            self.retrain = None
        self.outputs = self._first(
            "output", [o for o in self.outputs if self.admits("output", o.name, o.schema, o.sample)]
        )
        self.config_files = self._first(
            "config file", [p for p in self.config_files if self.admits("config file", p)]
        )
        self.test_paths = self._first(
            "test path", [p for p in self.test_paths if self.admits("test path", p)]
        )
        for kind, n in sorted(self.left_out.items()):
            self.todo.append(
                f"{n} {kind}{'' if n == 1 else 's'} found but not written into dsdone.yaml "
                f"(past the first {MAX_ENTRIES}, or holding control characters or more than "
                f"{MAX_VALUE_CHARACTERS} characters): add what matters by hand"
            )

    def _first(self, kind: str, entries: list[T]) -> list[T]:
        if len(entries) > MAX_ENTRIES:
            self.leave_out(kind, len(entries) - MAX_ENTRIES)
        return entries[:MAX_ENTRIES]


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
