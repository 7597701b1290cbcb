"""One ``dsdone check``, without printing or exiting: load, select, run, report."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from dsdone import __version__
from dsdone.api import Check, OptionError
from dsdone.contract import Contract, find_contract, load_contract, release
from dsdone.errors import DsdoneError, Problem
from dsdone.project import Project
from dsdone.registry import builtin_checks, collect, plugin_checks, project_checks
from dsdone.report import Report, RunRecord, Severity
from dsdone.repository import Repository
from dsdone.runner import PreparedCheck, longest_timeout, run_checks
from dsdone.score import score_results
from dsdone.search_literals import BUILTIN_GREP_LITERALS
from dsdone.waivers import apply_waivers

if TYPE_CHECKING:
    from dsdone.baseline import Baseline
    from dsdone.git.prefetch import Prefetch
    from dsdone.runs.execute import RunOptions


@dataclass(frozen=True)
class Selection:
    """Which checks to run and what makes the project not ready."""

    # None: every check the contract enables; a set, even an empty one, is what --select named.
    select: frozenset[str] | None = None
    ignore: frozenset[str] = field(default_factory=frozenset)
    fail_on: Severity = Severity.ERROR
    allow_plugins: bool = False  # load the contract's project-local plugin modules
    timeout: float | None = None  # seconds per check, unless the contract sets one
    min_score: int | None = None  # below this readiness score the project is not ready
    runs: RunOptions | None = None  # --run: what of the project's code to run, if anything
    base: str | None = None  # a git revision to compare the contract and its schemas with
    # The files this run reads or writes as reports (--baseline, --write-baseline, --output),
    # absolute: the paths in them are copies of findings, so personal-paths does not scan them.
    report_files: tuple[Path, ...] = ()
    # Where analyses of unchanged files are kept between runs (``dsdone.result_cache``); None:
    # nowhere, every file is read and parsed again.
    cache_folder: Path | None = None


@dataclass(frozen=True)
class Shared:
    """What the projects of one ``dsdone check --all`` share, computed once for all of them: the
    repository of the folder searched (each project in git is a ``subfolder`` of it, so that git
    lists and searches the files once) and the built-in and installed checks."""

    repository: Repository
    installed: Sequence[Check]

    def repository_of(self, folder: Path) -> Repository:
        """The repository of the project ``folder`` (absolute, resolved): a ``subfolder`` of the
        shared one in git; outside git (where a walk of the project folder would not see the
        ``.gitignore`` files above it) one of its own."""
        shared = self.repository
        if shared.index.in_git and shared.root in (folder, *folder.parents):
            relative = folder.relative_to(shared.root).as_posix()
            return shared.subfolder("" if relative == "." else relative)
        return Repository.start(folder, search=BUILTIN_GREP_LITERALS)


def installed_checks() -> list[Check]:
    """The built-in checks and those of the installed plugin packages."""
    return [*builtin_checks(), *plugin_checks()]


def available_checks(
    contract: Contract | None = None,
    allow_plugins: bool = False,
    installed: Sequence[Check] | None = None,
) -> dict[str, Check]:
    """Every check dsdone knows of, by id: built-in, installed plugins (``installed``, when they
    are loaded already), and (when allowed) the contract's project plugins."""
    sources = [installed_checks() if installed is None else installed]
    if contract is not None and contract.plugins:
        if not allow_plugins:
            raise DsdoneError(
                "the contract loads project plugins, which runs Python code from this repository",
                at=contract.location_of("plugins"),
                hint="pass --allow-plugins if you trust this repository's code",
            )
        sources.append(project_checks(contract.root, contract.plugins))
    return collect(*sources)


def run(
    path: Path,
    selection: Selection = Selection(),
    *,
    today: date | None = None,
    baseline: Baseline | None = None,
    search_root: Path | None = None,
    prefetch: Prefetch | None = None,
    shared: Shared | None = None,
) -> Report:
    """Load the contract at ``path``, run the selected checks, return the report.

    ``today`` decides which waivers have expired (default: the real date). With ``baseline``,
    findings it already had do not block. ``search_root`` is the folder ``--all`` searched: outside
    git, the project's ``folder`` in the report is relative to it. ``prefetch``: the git
    commands already started for the project folder, if the caller guessed it (it is used if
    it is this project's, and closed either way). ``shared``: what ``--all`` computed once for
    every project.
    """
    contract_file = find_contract(path)
    # git lists and searches the files on another core while the contract is validated and the
    # checks are loaded; a contract that is wrong stops it at once.
    with (
        Repository.start(
            contract_file.parent,
            search=BUILTIN_GREP_LITERALS,
            early=prefetch,
            cache_folder=selection.cache_folder,
        )
        if shared is None
        else shared.repository_of(contract_file.parent)
    ) as repository:
        contract = load_contract(contract_file, selection.cache_folder)
        installed = None if shared is None else shared.installed
        checks = available_checks(contract, selection.allow_plugins, installed)
        _check_ids_in_contract(contract, checks)
        prepared = prepare(contract, checks, selection)
        # git answers within the longest time a check may wait for it, and not at all where
        # it refuses the repository or its configuration cannot be read safely (exit 2).
        repository.limit_git(longest_timeout(prepared, selection.timeout))
        repository.check_git_access()
        repository.expect_searches(
            frozenset().union(*(item.check.grep for item in prepared.values()))
        )
        project = Project(
            repository,
            contract,
            base=selection.base,
            severities={check_id: check.severity for check_id, check in checks.items()},
            report_files=_inside(repository.root, selection.report_files),
            blocking=frozenset(
                check_id for check_id, item in prepared.items() if item.advisory is None
            ),
            cache_folder=selection.cache_folder,
        )
        # What the report says about the project is read before the checks start: a check
        # abandoned at its timeout may still be running, and nothing it touches afterwards
        # may reach the report, nor keep it waiting.
        commit = project.head.commit
        identity, commit_date = project.identity, project.commit_date
        folder = _repository_folder(project, search_root)
        contract_path = project.contract_path
        results = run_checks(project, prepared, selection.timeout)
        runs: tuple[RunRecord, ...] = ()
        if selection.runs is not None:  # the only place the project's code may run
            from dsdone.runs.execute import execute
            from dsdone.runs.results import join_runs

            outcomes = execute(project, selection.runs)
            results = join_runs(results, outcomes)
            runs = tuple(outcome.record for outcome in outcomes)
    waiver_lines = {w.index: contract.line_of("waivers", w.index) for w in contract.waivers}
    results = apply_waivers(results, contract.waivers, today or date.today(), waiver_lines)
    if baseline is not None:
        from dsdone.baseline import apply_baseline

        results = apply_baseline(results, baseline, folder)
    return Report(
        dsdone_version=__version__,
        project=contract.project,
        contract=contract_path,
        root=str(path),
        commit=commit,
        fail_on=selection.fail_on,
        results=results,
        score=score_results(results),
        folder=folder,
        min_score=selection.min_score,
        baseline=baseline is not None,
        runs=runs,
        repository=identity,
        commit_date=commit_date,
    )


def _inside(root: Path, files: tuple[Path, ...]) -> frozenset[str]:
    """Those of ``files`` that are in the project folder, relative to it as its index names
    them (a link in either path resolved)."""
    if not files:
        return frozenset()
    top = root.resolve()
    inside: set[str] = set()
    for file in files:
        try:
            inside.add(file.resolve().relative_to(top).as_posix())
        except (ValueError, OSError):  # outside the project, or a loop of links
            continue
    return frozenset(inside)


def _repository_folder(project: Project, search_root: Path | None) -> str:
    """The project folder relative to the repository's top folder (or to ``search_root``
    outside git); "" when it is the top."""
    base = project.head.work_tree or search_root
    if base is None:
        return ""
    try:
        relative = project.root.relative_to(base.resolve()).as_posix()
    except ValueError:  # the project is not below it (a symbolic link, another repository)
        return ""
    return "" if relative == "." else relative


def prepare(
    contract: Contract, checks: Mapping[str, Check], selection: Selection
) -> dict[str, PreparedCheck]:
    _check_selected_ids(checks, selection)
    refuse_empty_selection(selection)
    prepared: dict[str, PreparedCheck] = {}
    for check_id, check in checks.items():
        settings = contract.settings(check_id)
        # Options are built for every check, selected or not: a mistake in the contract is
        # reported the first time anyone runs dsdone, not when someone selects that check.
        try:
            options = check.make_options(settings.options)
        except OptionError as exc:
            at: tuple[str, ...] = ("checks", check_id) + ((exc.key,) if exc.key else ())
            raise DsdoneError(
                str(exc),
                at=contract.location_of(*at),
                hint=f"`dsdone explain {check_id}` lists its options",
            ) from None
        selected = selection.select is not None and check_id in selection.select
        chosen = selected if selection.select is not None else settings.enabled
        if chosen and check_id not in selection.ignore:
            advisory = None if selected else _advisory(check, contract)
            prepared[check_id] = PreparedCheck(check, settings, options, advisory)
    if not prepared:
        raise _nothing_to_run(contract, selection)
    return prepared


def _check_selected_ids(checks: Mapping[str, Check], selection: Selection) -> None:
    """Every id --select and --ignore name that no check has, all of them at once."""
    problems = [
        Problem(f"{option}: unknown check '{check_id}'{_did_you_mean(check_id, checks)}")
        for option, ids in (("--select", selection.select or ()), ("--ignore", selection.ignore))
        for check_id in sorted(ids)
        if check_id not in checks
    ]
    if problems:
        raise DsdoneError.of(problems, hint="`dsdone list` shows every check")


def refuse_empty_selection(selection: Selection) -> None:
    """--select naming no check, or only checks that --ignore names too: nothing would run in
    any project, which is a mistake in the command, not a project that is ready."""
    if selection.select is None or not selection.select <= selection.ignore:
        return
    why = (
        "every check --select names is also named by --ignore"
        if selection.select
        else "--select names no check (was it given an empty value?)"
    )
    raise DsdoneError(f"no check ran: {why}", hint=_NOTHING_TO_RUN_HINT)


_NOTHING_TO_RUN_HINT = (
    "name the checks to run with --select, or drop --ignore or `enabled: false`; "
    "`dsdone list` shows every check"
)


def _nothing_to_run(contract: Contract, selection: Selection) -> DsdoneError:
    """No check would run in this project. A report of no checks would say "ready" about
    nothing, so it is an error that says why."""
    refuse_empty_selection(selection)
    if selection.ignore:
        return DsdoneError(
            "no check ran: every check the contract enables is named by --ignore",
            hint=_NOTHING_TO_RUN_HINT,
        )
    return DsdoneError(
        "no check ran: the contract disables every check",
        at=contract.location_of("checks"),
        hint=_NOTHING_TO_RUN_HINT,
    )


def _advisory(check: Check, contract: Contract) -> str | None:
    """Why a built-in check newer than the release the contract was written for must not block:
    upgrading dsdone never turns a green gate red without notice. Named with --select, or once
    the contract raises ``written_for``, it blocks like any other."""
    if not check.builtin or release(check.since) <= release(contract.written_for):
        return None
    return (
        f"new in dsdone {check.since}, not blocking: the contract is written for "
        f'{contract.written_for}; set `written_for: "{check.since}"` to opt in'
    )


def _check_ids_in_contract(contract: Contract, checks: Mapping[str, Check]) -> None:
    places: list[tuple[tuple[str | int, ...], str]] = [
        (("checks", check_id), check_id) for check_id in contract.checks
    ]
    places += [(("waivers", w.index, "check"), w.check) for w in contract.waivers]
    problems = [
        Problem(
            f"unknown check '{check_id}' in {at[0]}{_did_you_mean(check_id, checks)}",
            contract.location_of(*at),
        )
        for at, check_id in places
        if check_id not in checks
    ]
    if problems:
        raise DsdoneError.of(
            problems,
            hint="`dsdone list` shows every check; a plugin's checks need the plugin installed",
        )


def _did_you_mean(check_id: str, checks: Mapping[str, Check]) -> str:
    """The id meant, if one is close: ids are compared ignoring case (``Personal-Paths``), then
    by similarity."""
    by_lower = {known.lower(): known for known in checks}
    close = difflib.get_close_matches(check_id.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean '{by_lower[close[0]]}'?)" if close else ""
