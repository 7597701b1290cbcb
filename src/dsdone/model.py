"""The report model: plain, immutable data that every renderer reads the same way."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    """How much a failing check matters; ordered so that ``ERROR > WARNING > INFO``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Status(str, enum.Enum):
    """The outcome of one check."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"  # not applicable here; the summary says why
    ERROR = "error"  # the check itself crashed or misbehaved; the summary says how


class Area(str, enum.Enum):
    """The four areas of Google's ML Test Score rubric (Breck et al., 2017)."""

    DATA = "data"
    MODEL = "model"
    INFRASTRUCTURE = "infrastructure"
    MONITORING = "monitoring"


@dataclass(frozen=True)
class Finding:
    """One thing that is wrong, where it is, and how to fix it.

    ``path`` is relative to the project root with forward slashes. ``line`` and ``column`` are
    1-based and count in the file as stored on disk, also for a notebook, where ``cell``
    (0-based index of the cell) and ``cell_line`` (1-based line in the cell's source) say where
    in the notebook it is.
    """

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    cell: int | None = None
    cell_line: int | None = None
    hint: str | None = None

    def location(self) -> str:
        """``path:line:column`` as far as it is known, or an empty string."""
        if self.path is None:
            return ""
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path or "", self.line or 0, self.column or 0, self.message)


@dataclass(frozen=True)
class CheckResult:
    """What one check concluded about the project."""

    check: str
    title: str
    severity: Severity
    area: Area
    status: Status
    summary: str
    findings: tuple[Finding, ...] = ()
    duration_ms: float = 0.0
    source: str = "built-in"

    def blocks(self, fail_on: Severity) -> bool:
        """Whether this result makes the project not ready at the given bar."""
        if self.status is Status.ERROR:
            return True
        return self.status is Status.FAIL and self.severity >= fail_on


@dataclass(frozen=True)
class ProjectInfo:
    name: str
    owner: str
    description: str | None = None
    consumers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """Everything one ``dsdone check`` found, in a deterministic order (by check id)."""

    dsdone_version: str
    project: ProjectInfo
    contract: str  # path of the contract, relative to the project root
    root: str  # the project folder as given, for people; renderers that must be reproducible omit it
    commit: str | None
    fail_on: Severity
    results: tuple[CheckResult, ...] = field(default_factory=tuple)

    @property
    def ready(self) -> bool:
        return not any(result.blocks(self.fail_on) for result in self.results)

    def counts(self) -> dict[str, int]:
        """How many checks ended in each status, every status present, in a fixed order."""
        counts = {status.value: 0 for status in Status}
        for result in self.results:
            counts[result.status.value] += 1
        return counts

    def finding_count(self) -> int:
        return sum(len(result.findings) for result in self.results)
