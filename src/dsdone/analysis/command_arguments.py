"""The arguments of a command that name files of the repository, and the rule that says which
of them a fresh clone must have (shared by the retrain-entrypoint check and ``init
--existing``, which writes no command this rule refuses)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from dsdone.analysis.workflow_tools import join
from dsdone.repository import OutsideProject, PathStatus, Repository

# Options whose value the run writes: such a file need not exist before it runs. The
# retrain-entrypoint check lets a project replace this list (its `output_options`).
OUTPUT_OPTIONS = (
    "-o", "--out", "--output", "--output-dir", "--output-path", "--outdir", "--out-dir",
    "--save", "--save-dir", "--save-path", "--dest", "--log-dir", "--logdir", "--model-dir",
    "--artifact-dir", "--export",
)  # fmt: skip
# Words of an option's name (``--results-fp``, ``ckpt_path=``) that say its value is written by
# the run, or is an artefact it fetches or resumes from: never required to be committed.
_OUTPUT_WORDS = frozenset(
    {
        "out", "output", "outputs", "outdir", "outpath", "save", "saved", "savedir", "result",
        "results", "ckpt", "checkpoint", "checkpoints", "log", "logs", "logdir", "logging",
        "export", "dump", "dest", "destination", "artifact", "artifacts", "cache", "tmp",
    }
)  # fmt: skip
# A file the run reads as configuration or code: it must be committed, or the run cannot start
# on a fresh clone. Data, weights and other artefacts need not be (DVC, a bucket, a download).
CONFIG_SUFFIXES = (
    ".yaml", ".yml", ".json", ".toml", ".ini", ".cfg", ".conf", ".py", ".sh", ".jsonnet",
)  # fmt: skip
_CONFIG_WORDS = frozenset(
    {
        "config", "configs", "conf", "cfg", "param", "params", "hparams", "hparam", "hyp",
        "hyps", "hyperparameters", "settings", "recipe", "profile",
    }
)  # fmt: skip

_KEY_VALUE = re.compile(r"^[+~]*([A-Za-z_][A-Za-z0-9_.\-]*)=(.*)$")
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9_]{0,9}$")
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class FileArgument:
    """An argument of the command that looks like a path of the repository."""

    path: str  # relative to the project (joined with the folder the command runs in)
    written: str  # as the command writes it
    option: str  # the option or KEY= that gives it ("" for a positional argument)


def add_arguments(arguments: list[str], base: str, found: list[FileArgument]) -> None:
    """Add to ``found`` the arguments that look like relative paths of repository files (run in
    ``base``), in order, once each."""
    seen = {argument.path for argument in found}
    option = ""
    for token in arguments:
        if token.startswith("-"):
            name, eq, value = token.partition("=")
            option = name
            if not eq:
                continue  # the value, if any, is the next word
            candidate, given_by = value, name
        else:
            pair = _KEY_VALUE.match(token)
            if pair is not None:
                candidate, given_by = pair.group(2), pair.group(1)
            else:
                candidate, given_by = token, option
            option = ""
        if _looks_like_path(candidate):
            path = join(base, candidate) if not candidate.startswith("/") else candidate
            if path not in seen:
                seen.add(path)
                found.append(FileArgument(path, candidate, given_by))


def _looks_like_path(text: str) -> bool:
    if not text or text.startswith(("/", "~")) or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text):
        return False  # absolute paths and URIs are not repository files
    if any(char in text for char in "$*?{}@<>|"):
        return False  # templated, globbed or an address
    return "/" in text or bool(_EXTENSION.search(text))


def option_words(option: str) -> set[str]:
    """The words of an option's or a key's name: ``--results-fp`` → {results, fp}."""
    return set(_WORD.findall(option.lower().replace("_", "-")))


def is_output(argument: FileArgument, output_options: tuple[str, ...] = OUTPUT_OPTIONS) -> bool:
    """Whether the run writes (or fetches) this argument, by its option's name."""
    keys = {_option_key(name) for name in output_options}
    return _option_key(argument.option) in keys or bool(
        option_words(argument.option) & _OUTPUT_WORDS
    )


def argument_problem(
    project: Repository,
    argument: FileArgument,
    output_options: tuple[str, ...] = OUTPUT_OPTIONS,
) -> str | None:
    """What keeps a fresh clone from running the command with this argument, as a verb phrase
    ("does not exist"); None when nothing does.

    The rule: an argument the run writes or fetches (an output option, see ``is_output``) is
    never required. A file that exists but is not committed is a finding. A file that does
    not exist, or that git ignores, is a finding only when the run reads it as configuration
    or code (a config or code extension, or an option named config/params/...): data and
    weights are often kept out of git on purpose. A bare file name (``coco128.yaml``) that the
    repository holds in some folder is taken as found: tools look in their own folders.
    """
    if is_output(argument, output_options):
        return None
    try:
        status = project.status(posixpath.normpath(argument.path))
    except OutsideProject:
        status = PathStatus.OUTSIDE
    if status is PathStatus.UNTRACKED and not project.index.in_git:
        return None  # outside git nothing is tracked: version-control says so once
    if status in (PathStatus.TRACKED, PathStatus.FOLDER):
        return None
    if status in (PathStatus.UNTRACKED, PathStatus.OUTSIDE):
        return status.phrase
    config_like = argument.path.lower().endswith(CONFIG_SUFFIXES) or bool(
        option_words(argument.option) & _CONFIG_WORDS
    )
    if not config_like:
        return None
    if status is PathStatus.MISSING and "/" not in argument.written:
        name = "/" + argument.written
        if any(path.endswith(name) for path in project.files):
            return None
    return status.phrase


def _option_key(name: str) -> str:
    return name.lstrip("-").replace("_", "-").lower()
