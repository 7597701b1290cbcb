"""The command that retrains the model, as a reader of the repository would find it.

In order: the workflow tool the project is built on (DVC, MLflow, Kedro, an MLflow recipe:
read in ``data.py`` and here); a ``train`` target of the root Makefile or justfile; a console
script named for training; then training scripts. A script is a candidate when its name says
so (``train.py``, ``train_model.py``, ``run.py``, ``main.py``, a flow file), it does something
when run (``analysis.scripts``; not an Airflow DAG, which its scheduler runs), and it does not
sit aside (tests, examples, docs, legacy,
homework, ``steps/`` of a pipeline, a templated folder). The root-most candidate wins, then
the most canonical name; candidates spread over several sub-projects (a monorepo of
examples) are listed as a TODO rather than one picked at random. The README's documented
command for the chosen script gives its arguments.

Every command written is one that ``check`` accepts: it goes through the same resolver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from dsdone.adopt.inference import Inference, RetrainGuess
from dsdone.adopt.places import is_aside
from dsdone.analysis.code_refs import console_scripts
from dsdone.analysis.command_arguments import argument_problem
from dsdone.analysis.kedro import DEFAULT, KedroProject, registered_pipelines
from dsdone.analysis.readme_commands import documented_commands
from dsdone.analysis.retrain_command import resolve_command
from dsdone.analysis.scripts import script_facts
from dsdone.analysis.templates import has_placeholder, is_templated_path
from dsdone.analysis.test_suite import is_test_file
from dsdone.analysis.workflow_tools import JUSTFILES, justfile_recipes, makefile_targets
from dsdone.repository import OutsideProject, Repository

MAKEFILES = ("Makefile", "makefile", "GNUmakefile")
# Folders whose scripts are a pipeline's parts, run by the pipeline and not on their own.
_PARTS = frozenset({"steps", "nodes", "components", "utils", "lib"})
_WORDS = re.compile(r"[a-z]+")
_TRAINING_PIPELINE = re.compile(r"train|model|science|fit|learn")
# A README line with one of these words is not the training run (help, evaluation, serving).
_NOT_A_RUN = frozenset(
    {"--help", "-h", "--version", "--resume", "pip", "install", "--eval", "--evaluate",
     "--test", "--predict", "--inference", "--serve", "--deploy"}
)  # fmt: skip
# Sub-projects with candidates from which the repository is taken as a monorepo of projects.
MONOREPO_PROJECTS = 3
# Deeper than this (below the root, src/ not counted) a script is a library's or an
# example's, never picked as the repository's retrain command; it is listed as a candidate.
MAX_DEPTH = 2
SHOWN_CANDIDATES = 8


@dataclass(frozen=True)
class Candidate:
    path: str
    command: str
    depth: int  # folders below the root (a leading src/ does not count)
    rank: int  # 0 train.py, 1 another training name, 2 run.py / main.py / a flow
    required: tuple[str, ...] = ()  # the arguments its command line requires (argparse's)

    @property
    def project(self) -> str:
        """The top-level folder it is in ("" at the root, or in src/)."""
        parts = self.path.split("/")
        if parts[0] == "src":
            parts = parts[1:]
        return parts[0] if len(parts) > 1 else ""


def infer_retrain(repository: Repository, files: list[str], found: Inference) -> None:
    if found.retrain is None:
        _recipe(files, found)
    if found.retrain is None:
        _build_target(repository, files, found)
    if found.retrain is None:
        _console_script(repository, found)
    if found.retrain is None:
        _script(repository, files, found)
    if found.retrain is None:
        _sub_project_target(repository, files, found)


def say_retrain(found: Inference) -> None:
    """Say what was adopted as the retrain command, or that none was found; once nothing
    more can change it (a monorepo root lists a subproject's trainer instead of adopting it,
    ``subprojects.confine_retrain``)."""
    if found.retrain is None and not found.retrain_candidates:
        found.todo.append("no retrain entrypoint found: say how to retrain the model")
    elif found.retrain is not None and not found.retrain.command.startswith(("dvc", "mlflow")):
        found.found.append(
            f"retrain entrypoint `{found.retrain.command}` (from {found.retrain.origin})"
        )


def kedro_retrain(repository: Repository, kedro: KedroProject, found: Inference) -> None:
    """``kedro run``, or ``kedro run --pipeline NAME`` when the default pipeline leaves the
    training out, or a TODO when the project has no pipeline yet."""
    if found.retrain is not None:
        return
    pipelines = registered_pipelines(repository, kedro)
    if pipelines is not None and pipelines.complete and pipelines.names <= {DEFAULT}:
        found.retrain_candidates.append("kedro run  # once the project has a pipeline")
        found.todo.append(
            f"the Kedro project registers no pipeline yet ({kedro.registry}): `kedro run` "
            "would run nothing"
        )
        return
    command = "kedro run"
    if pipelines is not None and pipelines.default_parts is not None:
        left_out = sorted(
            name
            for name in pipelines.names - pipelines.default_parts - {DEFAULT}
            if _TRAINING_PIPELINE.search(name)
        )
        if left_out:
            command = f"kedro run --pipeline {left_out[0]}"
    found.retrain = RetrainGuess(command, "the Kedro project")


def _recipe(files: list[str], found: Inference) -> None:
    """An MLflow recipe: ``mlflow recipes run --profile local`` (or its first profile)."""
    if "recipe.yaml" not in files:
        return
    profiles = sorted(
        PurePosixPath(path).stem
        for path in files
        if path.startswith("profiles/") and path.endswith(".yaml") and path.count("/") == 1
    )
    if not profiles:
        return
    profile = "local" if "local" in profiles else profiles[0]
    found.retrain = RetrainGuess(f"mlflow recipes run --profile {profile}", "recipe.yaml")


def _build_target(repository: Repository, files: list[str], found: Inference) -> None:
    """A ``train`` (or ``fit``, ``train-model``) target of the root Makefile or justfile."""
    for names, reader, tool in (
        (MAKEFILES, makefile_targets, "make"),
        (JUSTFILES, justfile_recipes, "just"),
    ):
        path = next((name for name in names if name in files), None)
        if path is None:
            continue
        try:
            targets = reader(repository.read_text(path))
        except (OSError, OutsideProject, UnicodeDecodeError):
            continue
        training = sorted(
            (target for target in targets if _training_name(target) is not None),
            key=lambda target: (_training_name(target), len(target), target),
        )
        if training:
            found.retrain = RetrainGuess(f"{tool} {training[0]}", path)
            return


def _sub_project_target(repository: Repository, files: list[str], found: Inference) -> None:
    """``make -C DIR train``: the ``train`` target of a sub-project's Makefile, when there is
    one such sub-project and no training script anywhere (else it is one more candidate)."""
    commands = []
    for path in files:
        folder, _, name = path.rpartition("/")
        if name not in MAKEFILES or not folder or folder.count("/") >= MAX_DEPTH:
            continue
        if is_aside(path):
            continue
        try:
            targets = makefile_targets(repository.read_text(path))
        except (OSError, OutsideProject, UnicodeDecodeError):
            continue
        training = sorted(t for t in targets if _training_name(t) is not None)
        if training:
            commands.append(f"make -C {folder} {training[0]}")
    if len(commands) == 1 and not found.retrain_candidates:
        found.retrain = RetrainGuess(commands[0], f"{commands[0].split()[2]}/Makefile")
    else:
        found.retrain_candidates += commands[:SHOWN_CANDIDATES]


def _console_script(repository: Repository, found: Inference) -> None:
    scripts = sorted(name for name in console_scripts(repository) if _training_name(name) == 0)
    for name in scripts:
        if not resolve_command(repository, name).problems:
            found.retrain = RetrainGuess(name, "a console script of the project")
            return


def _training_name(name: str) -> int | None:
    """0 for a name that says training (train, train_model, fit), None otherwise."""
    words = _WORDS.findall(name.lower())
    if words and (words[0] in ("train", "training", "fit") or "train" in words):
        return 0
    return None


def _script(repository: Repository, files: list[str], found: Inference) -> None:
    candidates = [c for path in files if (c := _candidate(repository, path, files)) is not None]
    if not candidates:
        return
    candidates.sort(key=lambda c: (c.depth, c.rank, c.path))
    chosen = _choose(candidates)
    documented = _documented(repository, chosen) if chosen is not None else None
    if chosen is not None and documented is None and chosen.required:
        # Run as it would be written, it stops at once with a usage error.
        found.retrain_candidates = [chosen.command]
        found.todo.append(
            f"{chosen.path} trains, but its command line requires "
            f"{', '.join(chosen.required)} and the README shows no command that gives them: "
            "write the command that retrains under retrain.entrypoint"
        )
    elif chosen is not None:
        found.retrain = documented or RetrainGuess(chosen.command, chosen.path)
    else:
        found.retrain_candidates = [c.command for c in candidates[:SHOWN_CANDIDATES]]
        more = len(candidates) - SHOWN_CANDIDATES
        projects = len({c.project for c in candidates})
        found.todo.append(
            f"training scripts in {projects} sub-projects, none at the root (such as "
            f"{candidates[0].path}{f' and {more + SHOWN_CANDIDATES - 1} more' if more > 0 else ''}"
            "): say which command retrains this repository's model"
        )


def _choose(candidates: list[Candidate]) -> Candidate | None:
    """The root-most, most canonical candidate; None when the shallowest ones are spread over
    several sub-projects and no name stands out (a monorepo of examples)."""
    best = candidates[0]
    if best.depth == 0:
        return best
    if best.depth > MAX_DEPTH or len({c.project for c in candidates}) >= MONOREPO_PROJECTS:
        return None
    level = [c for c in candidates if c.depth == best.depth]
    if len({c.project for c in level}) == 1:
        return best
    top = [c for c in level if c.rank == best.rank]
    return best if len(top) == 1 else None


def _candidate(repository: Repository, path: str, files: list[str]) -> Candidate | None:
    pure = PurePosixPath(path)
    if pure.suffix != ".py" or is_test_file(path) or is_aside(path) or is_templated_path(path):
        return None
    if any(part.lower() in _PARTS for part in pure.parts[:-1]):
        return None
    rank = _script_rank(pure.stem.lower())
    if rank is None:
        return None
    try:
        facts = script_facts(repository.python_ast(path))
    except (OSError, OutsideProject, SyntaxError, ValueError, RecursionError):
        return None
    if not facts.acts or facts.serves or facts.scheduled:
        return None  # it only defines functions or an Airflow DAG, or it serves a model
    if rank == 2 and not (facts.trains or facts.metaflow_flow):
        return None  # a main.py that renders templates (a vendored CLI): not named for training
    command = _command_for(path, set(files))
    if facts.metaflow_flow:
        command += " run"
    if resolve_command(repository, command).problems:
        return None
    parts = pure.parts[1:] if pure.parts[0] == "src" else pure.parts
    return Candidate(path, command, len(parts) - 1, rank, facts.required_arguments)


def _script_rank(stem: str) -> int | None:
    words = _WORDS.findall(stem)
    if stem == "train":
        return 0
    if any(word.startswith("train") for word in words) or (words and words[0] == "fit"):
        return 1
    if stem in ("run", "main", "pipeline", "run_pipeline") or "flow" in words:
        return 2  # not run_hooks.py nor mlflow.py: only names that say "the" run
    return None


def _command_for(path: str, files: set[str]) -> str:
    """``python -m pkg.train`` for a module of a package (src layout, flat layout, or ``src``
    itself a package), ``python path/to/script.py`` otherwise."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    top = len(parts) - 1  # walking up: parts[:top] is the folder looked at
    while top > 0 and "/".join(parts[:top]) + "/__init__.py" in files:
        top -= 1
    if top == len(parts) - 1:
        return f"python {path}"  # its folder is no package (or it is at the root): a script
    root = parts[:top]  # the folder that holds the outermost package
    if root == ["src"]:
        return f"python -m {'.'.join(parts[1:])}"  # the src layout
    if not root:
        return f"python -m {'.'.join(parts)}"  # the flat layout, or src/__init__.py
    return f"python {path}"  # a package inside a sub-folder is not importable from the root


def _documented(repository: Repository, chosen: Candidate) -> RetrainGuess | None:
    """The README's command that runs the chosen script, with its arguments: one that says it
    trains, else the plainest; never one with a placeholder or a path of the author's machine,
    nor one that ``check`` would not accept."""
    matches = []
    for documented in documented_commands(repository):
        command = documented.command
        words = command.split()
        if has_placeholder(command) or any(word.lower() in _NOT_A_RUN for word in words):
            continue
        if any(word.startswith(("/", "~", "'/", '"/')) for word in words):
            continue  # /path/to/coco: a path on the author's machine, not the repository's
        if _is_sweep(words):
            continue
        try:
            resolved = resolve_command(repository, command)
        except ValueError:
            continue
        if resolved.problems or chosen.path not in resolved.runs:
            continue
        if any(argument_problem(repository, a) is not None for a in resolved.arguments):
            continue
        matches.append(documented)
    if not matches:
        return None
    # One whose arguments say it trains (`run.py --train`), else the plainest (not a sweep).
    training = [m for m in matches if _says_train(m.command)]
    best = training[0] if training else min(matches, key=lambda m: len(m.command.split()))
    return RetrainGuess(best.command, f"{best.path}:{best.line}")


def _is_sweep(words: list[str]) -> bool:
    """A Hydra multirun (``train.py -m lr=0.1,0.01``): many runs, not the retrain."""
    script = next((i for i, word in enumerate(words) if word.endswith(".py")), len(words))
    return "--multirun" in words or "-m" in words[script + 1 :]


def _says_train(command: str) -> bool:
    arguments = [word for word in command.split()[1:] if not word.endswith(".py")]
    return any("train" in word.lower() for word in arguments if word.startswith("-"))
