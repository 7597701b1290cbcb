"""The project under check: a ``Repository`` seen with its contract, as every check gets it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dsdone.contract import Contract
from dsdone.git.prefetch import Prefetch
from dsdone.globs import compile_globs
from dsdone.report import Finding, Severity
from dsdone.repository import OutsideProject, PathStatus, Repository

__all__ = ["OutsideProject", "PathStatus", "Project", "compile_globs"]


class Project(Repository):
    """The project folder (where ``dsdone.yaml`` is), its contract, its files and its git state."""

    def __init__(
        self,
        root: Path | Repository,
        contract: Contract,
        prefetch: Prefetch | None = None,
        *,
        base: str | None = None,
        severities: Mapping[str, Severity] | None = None,
        report_files: frozenset[str] = frozenset(),
        blocking: frozenset[str] = frozenset(),
        cache_folder: Path | None = None,
    ) -> None:
        if isinstance(root, Repository):
            # The repository seen with a contract: the facts it computed and the git commands
            # it started are shared, not started again.
            vars(self).update(vars(root))
        else:
            super().__init__(root, early=prefetch)
        self.contract = contract
        # The git revision the contract and its schemas are compared with (``--base``).
        self.base = base
        # The default severity of every check of this run, by id: what a contract that does
        # not set one gets.
        self.severities: Mapping[str, Severity] = severities or {}
        # The reports this run reads or writes (--baseline, --write-baseline, --output) that
        # are in the project, relative to its root: checks that would find copies of their own
        # findings in them (personal-paths) leave them out.
        self.report_files = report_files
        # The checks of this run whose failures can block (run, and not advisory for the
        # contract's `written_for`): a check may leave to one of them what it would report
        # twice (tracked-config leaves the secrets the secrets check finds).
        self.blocking = blocking
        self.cache_folder = cache_folder

    # -- the contract ------------------------------------------------------------------------

    @property
    def contract_path(self) -> str:
        """The contract's path relative to the project root."""
        return self.contract.path.relative_to(self.root).as_posix()

    def contract_finding(self, message: str, *at: str | int, hint: str | None = None) -> Finding:
        """A finding located at the value ``at`` (a path of keys and indexes) in the contract."""
        return Finding(message, path=self.contract_path, line=self.contract.line_of(*at), hint=hint)
