"""ci-gate: the CI runs the tests and dsdone check where merges happen."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dsdone import release
from dsdone.analysis.ci import (
    AZURE,
    BITBUCKET,
    CIRCLECI,
    GITHUB,
    GITLAB,
    JENKINS,
    TOP_FILES,
    WORKFLOWS,
    CiFile,
    Hook,
    Step,
    ci_system,
    pre_commit_hooks,
    read_ci_file,
)
from dsdone.analysis.shell import (
    commands,
    effective,
    pre_commit_run,
    runs_dsdone_check,
    runs_tests,
    shell_script,
)
from dsdone.api import Note, check
from dsdone.project import OutsideProject, Project
from dsdone.report import Area, Finding, Severity

PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
_TEST_HOOKS = frozenset({"pytest", "pytest-check", "tests", "test", "unit-tests", "unittest"})
# Systems whose configuration may live in the project folder of a monorepo (the pipeline's
# path is a setting); GitHub reads workflows at the repository's top only.
_MOVABLE = frozenset({GITLAB, AZURE, JENKINS})


@check(
    id="ci-gate",
    title="CI runs the tests and dsdone check",
    severity=Severity.WARNING,
    area=Area.INFRASTRUCTURE,
    ml_test_score=("I3", "I4"),
    fix="Add a CI job that runs the tests and `dsdone check` on every pull request (dsdone "
    "init writes one for GitHub Actions).",
    since="0.2.0",
)
def ci_gate(project: Project) -> Iterator[Finding | Note]:
    """A definition of done that is only checked on a laptop is a wish: the one merge that
    skips it is the one that breaks the model. Where merges happen, in CI, the tests and
    `dsdone check` must both run and both be able to fail the job, so that a pull request that
    breaks the model's code or its promises cannot be merged unnoticed.

    Looks for GitHub Actions workflows (`.github/workflows/*.yml`), `.gitlab-ci.yml`,
    `azure-pipelines.yml`, `.circleci/config.yml`, `bitbucket-pipelines.yml` and `Jenkinsfile`
    at the top of the git repository, which is above the project folder in a monorepo (GitLab,
    Azure and Jenkins files in the project folder count too; a GitHub workflow there never
    runs and is a finding). Only those CI files are read above the project folder, as files of
    the work tree that stay inside it. One of the jobs must run the tests (pytest, `python -m
    pytest`, `uv run pytest`, unittest, behave, nose2, tox, nox, `hatch test`, `make test` and
    other `test*` tasks, `make check`, or a shell script of the repository that runs one of
    them itself, read one level deep: `./ci/test.sh`) and one must run `dsdone check`:
    directly, through the dsdone GitHub Action (`uses: <owner>/dsdone@...`), or through
    `pre-commit run` with a `.pre-commit-config.yaml` holding the `dsdone` hook.

    Does not count: a command whose failure is ignored (`|| true`, `continue-on-error: true`,
    `allow_failure: true`, a manual GitLab job, Jenkins' `returnStatus: true`), a GitHub
    workflow that runs neither on pull requests nor on pushes to a branch (only on a schedule,
    on tags or by hand), and commands in comments or `echo`. Included configuration (GitLab
    `include:`, templates, other repositories' workflows) is not followed, and which folder
    `dsdone check` is given is not verified.
    """
    reader = _Reader(project)
    files = [reader.read(path, system) for path, system in reader.ci_paths()]
    for path in reader.stray_workflows():
        yield Finding(
            "GitHub runs only the workflows in .github/workflows/ at the top of the repository: "
            "this one never runs",
            path=path,
            hint="move it to .github/workflows/ at the repository's top, with "
            f"`path: {reader.folder}` as the input of the dsdone action",
        )
    if not files:
        where = " at the top of the repository" if reader.folder else ""
        yield Finding(
            f"no CI configuration{where}: nothing runs the tests and dsdone check before a merge",
            hint="add .github/workflows/dsdone.yml (what `dsdone init` writes): a job whose "
            f"steps run `- run: pytest` and `- uses: {release.action_reference()}`",
        )
        return
    for ci in files:
        if ci.problem is not None:
            yield Finding(
                f"{ci.system} cannot read this file: {ci.problem}",
                path=reader.shown(ci.path),
                line=ci.problem_line,
                hint="fix the file: until it parses, the CI runs nothing from it",
            )

    readable = [ci for ci in files if ci.problem is None]
    tests = _find(readable, reader.step_runs_tests)
    dsdone = _find(readable, reader.step_runs_dsdone)
    if tests.found is None:
        yield reader.missing("the tests", tests, dsdone, readable)
    if dsdone.found is None:
        yield reader.missing("dsdone check", dsdone, tests, readable)
    yield Note(reader.summary(tests, dsdone))


@dataclass(frozen=True)
class _Search:
    """Where a CI file runs something: ``found`` where it gates merges; otherwise where it
    runs without gating (a failure ignored, or a workflow not run on pull requests)."""

    found: tuple[CiFile, Step] | None = None
    tolerated: tuple[CiFile, Step] | None = None
    not_on_merges: tuple[CiFile, Step] | None = None


def _find(files: list[CiFile], runs: Callable[[Step], bool]) -> _Search:
    tolerated: tuple[CiFile, Step] | None = None
    not_on_merges: tuple[CiFile, Step] | None = None
    for ci in files:
        for step in ci.steps:
            if not runs(step):
                continue
            if not ci.gates_merges:
                not_on_merges = not_on_merges or (ci, step)
            elif not step.gating:
                tolerated = tolerated or (ci, step)
            else:
                return _Search(found=(ci, step))
    return _Search(None, tolerated, not_on_merges)


class _Reader:
    """The CI files of the repository that holds the project, read through the project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.folder = project.repository_folder or ""
        self.in_git = project.repository_folder is not None
        self._hooks: dict[str, tuple[Hook, ...] | None] = {}
        self._scripts: dict[str, bool] = {}  # shell script -> whether it runs the tests

    def ci_paths(self) -> list[tuple[str, str]]:
        """The CI files (paths from the repository's top) and their systems, sorted."""
        found: list[tuple[str, str]] = []
        for path in self._listing(WORKFLOWS):
            system = ci_system(path)
            if system is not None:
                found.append((path, system))
        for name, system in TOP_FILES:
            if self._has(name):
                found.append((name, system))
            inside = f"{self.folder}/{name}" if self.folder else None
            if inside is not None and system in _MOVABLE and self._has(inside):
                found.append((inside, system))
        return sorted(found)

    def stray_workflows(self) -> list[str]:
        """GitHub workflows in the project folder of a monorepo, where GitHub never looks."""
        if not self.folder:
            return []
        prefix = WORKFLOWS + "/"
        return [
            path
            for path in self.project.files
            if path.startswith(prefix) and path.endswith((".yml", ".yaml"))
        ]

    def _has(self, path: str) -> bool:
        if not self.in_git:
            return self.project.is_indexed(path)
        return self.project.repository_has_file(path)

    def _listing(self, folder: str) -> list[str]:
        if not self.in_git:
            prefix = folder + "/"
            return [p for p in self.project.files if p.startswith(prefix)]
        return self.project.repository_listing(folder)

    def _text(self, path: str) -> str:
        if not self.in_git:
            return self.project.read_text(path)
        return self.project.read_repository_text(path)

    def read(self, path: str, system: str) -> CiFile:
        try:
            text = self._text(path)
        except (OSError, OutsideProject) as exc:
            return CiFile(path, system, problem=f"it cannot be read ({exc})")
        except UnicodeDecodeError:
            return CiFile(path, system, problem="it is not UTF-8 text")
        return read_ci_file(path, system, text)

    def shown(self, path: str) -> str:
        """A path from the repository's top as a path from the project folder."""
        return self.project.from_repository_top(path)

    # -- what a step runs --------------------------------------------------------------------

    def step_runs_tests(self, step: Step) -> bool:
        if step.command is not None:
            if runs_tests(step.command.words):
                return True
            return self._pre_commit_runs(step, _is_test_hook) or self._script_runs_tests(
                step.command.words
            )
        return False

    def _script_runs_tests(self, words: tuple[str, ...]) -> bool:
        """Whether the shell script the command runs (``./run_examples.sh``, ``bash
        ci/test.sh``), a file of the repository, runs the tests itself: one level deep, not
        into the scripts it calls in turn."""
        script = shell_script(words)
        if script is None:
            return False
        path = posixpath.normpath(script)
        if path.startswith(("../", "/")) or not self._has(path):
            return False
        if path not in self._scripts:
            try:
                text = self._text(path)
            except (OSError, OutsideProject, UnicodeDecodeError):
                text = ""
            self._scripts[path] = any(
                command.gating and runs_tests(command.words) for command in commands(text)
            )
        return self._scripts[path]

    def step_runs_dsdone(self, step: Step) -> bool:
        if step.uses is not None:
            action = step.uses.partition("@")[0].rstrip("/")
            if action.rpartition("/")[2] == "dsdone" and "/" in action:
                return True
            if action == "pre-commit/action":
                extra = step.with_.get("extra_args", "").split()
                hook = next((word for word in extra if not word.startswith("-")), None)
                return self._config_has(PRE_COMMIT_CONFIG, hook, _is_dsdone_hook)
            return False
        if step.command is not None:
            if runs_dsdone_check(step.command.words):
                return True
            return self._pre_commit_runs(step, _is_dsdone_hook)
        return False

    def _pre_commit_runs(self, step: Step, wanted: Callable[[Hook], bool]) -> bool:
        assert step.command is not None
        run = pre_commit_run(step.command.words)
        if run is None:
            return False
        return self._config_has(run.config or PRE_COMMIT_CONFIG, run.hook, wanted)

    def _config_has(self, config: str, hook: str | None, wanted: Callable[[Hook], bool]) -> bool:
        """Whether the pre-commit configuration (a path from the top of the repository, where
        CI runs) has a hook that is ``wanted``, and ``pre-commit run`` runs it."""
        if config not in self._hooks:
            try:
                text = self._text(config)
            except (OSError, OutsideProject, UnicodeDecodeError):
                self._hooks[config] = None
            else:
                self._hooks[config] = pre_commit_hooks(text)
        hooks = self._hooks[config] or ()
        return any(wanted(h) and (hook is None or h.id == hook) for h in hooks)

    # -- findings ----------------------------------------------------------------------------

    def missing(self, what: str, search: _Search, other: _Search, files: list[CiFile]) -> Finding:
        """The finding for something no job runs, at the place that explains it best: where
        it runs without gating, or where it belongs (the file that runs the other thing)."""
        if search.tolerated is not None:
            ci, step = search.tolerated
            return Finding(
                f"{what} {_runs(what)} here, but a failure is ignored, so it cannot block a merge",
                path=self.shown(ci.path),
                line=step.line,
                hint="remove `|| true`, `continue-on-error: true` or `allow_failure: true` "
                "so that a failure fails the job",
            )
        if search.not_on_merges is not None:
            ci, step = search.not_on_merges
            return Finding(
                f"{what} {_runs(what)} here, but this workflow runs neither on pull requests "
                "nor on pushes to a branch",
                path=self.shown(ci.path),
                line=step.line,
                hint="add `pull_request:` (and `push: {branches: [main]}`) under `on:`",
            )
        target = other.found[0] if other.found is not None else _first_gating(files)
        if target is None:
            return Finding(f"no CI job runs {what}", hint=self._hint(what, GITHUB))
        return Finding(
            f"no CI job runs {what}" + ("" if target.gates_merges else " on pull requests"),
            path=self.shown(target.path),
            line=target.anchor,
            hint=self._hint(what, target.system),
        )

    def _hint(self, what: str, system: str) -> str:
        path = self.folder or "."
        if what == "dsdone check":
            command = f"pip install '{release.pip_requirement()}' && dsdone check {path}"
            steps = {
                GITHUB: f"add a step to the job: `- uses: {release.action_reference()}` with "
                f"`with: {{path: {path}}}`",
                GITLAB: f"add a job: `dsdone:` with `image: python:3.12` and `script: [{command}]`",
            }
        else:
            command = "pytest" if not self.folder else f"pytest {self.folder}"
            steps = {
                GITHUB: f"add a step to the job, after installing the project: `- run: {command}`",
                GITLAB: f"add a job: `tests:` with `script: [pip install -e '.[test]', {command}]`",
            }
        generic = {
            AZURE: f"add a step: `- script: {command}`",
            CIRCLECI: f"add a step: `- run: {command}`",
            BITBUCKET: f"add a line to the step's script: `- {command}`",
            JENKINS: f"add a step to a stage: `sh '{command}'`",
        }
        return steps.get(system) or generic[system]

    def summary(self, tests: _Search, dsdone: _Search) -> str:
        parts = []
        for what, search in (("tests", tests), ("dsdone check", dsdone)):
            if search.found is not None:
                ci, step = search.found
                parts.append(f"{what} in {self.shown(ci.path)}:{step.line}")
        return "; ".join(parts) or "nothing gates merges"


def _runs(what: str) -> str:
    return "run" if what == "the tests" else "runs"


def _first_gating(files: list[CiFile]) -> CiFile | None:
    return next((ci for ci in files if ci.gates_merges), files[0] if files else None)


def _is_test_hook(hook: Hook) -> bool:
    if hook.id in _TEST_HOOKS:
        return True
    return hook.entry is not None and runs_tests(_words(hook.entry))


def _is_dsdone_hook(hook: Hook) -> bool:
    if hook.id == "dsdone":
        return True
    return hook.entry is not None and effective(_words(hook.entry))[:2] == ["dsdone", "check"]


def _words(entry: str) -> list[str]:
    import shlex

    try:
        return shlex.split(entry)
    except ValueError:
        return entry.split()
