"""What ``init --existing`` learned about a repository, before it is written as a contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from dsdone.analysis.templates import has_placeholder

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
        if has_placeholder(source) or any(item.source == source for item in self.inputs):
            return
        base = name or PurePosixPath(source.rstrip("/")).name.split(".")[0] or "input"
        taken = {item.name for item in self.inputs}
        unique, n = base, 2
        while unique in taken:
            unique, n = f"{base}-{n}", n + 1
        self.inputs.append(InputGuess(unique, source, fmt or format_of(source), pipeline, origin))


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
