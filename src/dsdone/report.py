"""The report model: plain, immutable data that every renderer reads the same way."""

from __future__ import annotations

import enum
import posixpath
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
    WAIVED = "waived"  # it failed, but a waiver in the contract accepts every finding, for now


class Area(str, enum.Enum):
    """The four areas of Google's ML Test Score rubric (Breck et al., 2017)."""

    DATA = "data"
    MODEL = "model"
    INFRASTRUCTURE = "infrastructure"
    MONITORING = "monitoring"


@dataclass(frozen=True)
class Waived:
    """The waiver in the contract that accepts a finding for now."""

    reason: str
    until: str | None  # ISO date: the last day the waiver holds; None: no expiry
    line: int | None  # where the waiver is in the contract


@dataclass(frozen=True)
class Place:
    """Where one more finding of a group is, in the same file (and cell) as the first."""

    line: int | None
    column: int | None

    def __str__(self) -> str:
        if self.line is None:
            return "?"
        return f"{self.line}:{self.column}" if self.column is not None else str(self.line)


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
    # For a finding about a change since another revision (``dsdone check --base``): which
    # change, as an entry of the contract and a path in its schema
    # (``scores#/properties/score/type``), for a waiver's ``change:`` to name.
    change: str | None = None
    # Set after the check ran, never by the check: a waiver that accepts this finding, and
    # whether the --baseline report already had it. Either way it does not block the gate.
    waived: Waived | None = None
    known: bool = False
    # Set by ``dsdone.grouping`` for what a format shows, never by a check: how many findings
    # this entry stands for (a flood of them in one file is shown as one), and where
    # the next few of them are. 1 and () for a finding shown on its own.
    count: int = 1
    also_at: tuple[Place, ...] = ()

    @property
    def is_new(self) -> bool:
        """Whether this finding counts against the gate: neither waived nor in the baseline."""
        return self.waived is None and not self.known

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

    def cell_location(self) -> str:
        """``cell 3, line 2`` for a finding in a notebook cell, ``cell 3`` for one in a cell's
        output, or an empty string outside notebooks."""
        if self.cell is None:
            return ""
        return f"cell {self.cell}" + (f", line {self.cell_line}" if self.cell_line else "")

    def count_text(self) -> str:
        """``400 like this in this file, also at 32:5, 33:5, …`` for an entry that stands for a
        group of findings; an empty string for one finding."""
        if self.count == 1:
            return ""
        text = f"{self.count} like this in this file"
        if self.also_at:
            more = self.count - 1 > len(self.also_at)
            text += ", also at " + ", ".join(map(str, self.also_at)) + (", …" if more else "")
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path or "", self.line or 0, self.column or 0, self.message)


# The fields of a Finding that a check sets; the others are set after the run (waivers, the
# baseline, grouping).
CHECK_FIELDS = ("message", "path", "line", "column", "cell", "cell_line", "hint", "change")


def malformed(finding: Finding) -> str | None:
    """What is wrong with a finding built by hand (a plugin's, one read back from a cache), so
    that a mistake is said and not a crash of the report; None when nothing is."""
    if not isinstance(finding.message, str) or not finding.message:
        return f"message must be a non-empty string, not {finding.message!r:.40}"
    for name in ("path", "hint", "change"):
        value = getattr(finding, name)
        if value is not None and not isinstance(value, str):
            return f"{name} must be a string or None, not {value!r:.40}"
    for name in ("line", "column", "cell", "cell_line"):
        value = getattr(finding, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            return f"{name} must be a whole number or None, not {value!r:.40}"
    return None


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
    description: str = ""  # why the check matters (its docstring), for SARIF rules
    fix: str = ""  # how to fix what it finds, in one sentence
    help_uri: str | None = None  # where the check is documented; None: unknown (plugins)
    # Why this result cannot block, when it cannot: a built-in check newer than the release
    # the contract was written for reports without blocking until the contract opts in.
    advisory: str | None = None
    # How many entries each format lists at most (a flood counts as one); the findings past
    # it are counted, not listed. None: all of them. From the contract's ``max_findings``.
    max_findings: int | None = None
    # The traceback of a check that raised: for `--debug`, never in a report.
    traceback: str | None = field(default=None, compare=False, repr=False)
    # What the check printed while it ran (it should not), kept out of the report's formats
    # and shown on standard error by the CLI; "" for a check that printed nothing.
    printed: str = ""

    @property
    def new_findings(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.is_new)

    def blocks(self, fail_on: Severity) -> bool:
        """Whether this result makes the project not ready at the given bar.

        A failure blocks through its new findings only: those a waiver accepts, or that the
        baseline already had, do not (a failure without findings always blocks).
        """
        if self.advisory is not None:
            return False
        if self.status is Status.ERROR:
            return True
        if self.status is not Status.FAIL or self.severity < fail_on:
            return False
        return not self.findings or bool(self.new_findings)


@dataclass(frozen=True)
class Dataset:
    """An input or an output of the model, as its contract declares it."""

    name: str | None
    format: str | None
    source: str | None = None  # where an input is read from
    consumers: tuple[str, ...] | None = None  # who uses an output; None: not declared


@dataclass(frozen=True)
class ProjectInfo:
    """What the contract says the project is: who owns it, who uses it, what it reads and
    writes, when it is retrained (what a catalogue of models lists)."""

    name: str
    owner: str
    description: str | None = None
    consumers: tuple[str, ...] = ()
    inputs: tuple[Dataset, ...] = ()
    outputs: tuple[Dataset, ...] = ()
    retrain_schedule: str | None = None


@dataclass(frozen=True)
class RepositoryInfo:
    """The git repository a project was checked in, as a catalogue of many repositories tells
    them apart."""

    name: str  # "acme/models", from the remote's URL; else the name of the work tree's folder
    url: str | None = None  # remote.origin.url, without credentials; None: no network remote


@dataclass(frozen=True)
class AreaScore:
    """One area of the readiness score (computed by ``dsdone.score``)."""

    area: Area
    held: int  # applicable checks that hold
    applicable: int
    points: int = 0  # the severity weights of the applicable checks that hold
    possible: int = 0  # the severity weights of the applicable checks
    not_holding: tuple[str, ...] = ()  # the ids of the applicable checks that do not hold

    @property
    def value(self) -> int | None:
        """0-100, rounded down; None when no check of this area applied ("not measured")."""
        if self.possible == 0:
            return None
        return 100 * self.points // self.possible


@dataclass(frozen=True)
class Score:
    areas: tuple[AreaScore, ...]  # one per area, in the rubric's order
    overall: int | None = None  # None: no area was measured
    formula: int = 0  # which formula computed it: --min-score thresholds depend on it

    @property
    def weakest(self) -> tuple[AreaScore, ...]:
        """The measured areas with the lowest score, if it is below 100: what holds the overall
        score down most (none when every check that counts holds)."""
        values = [area.value for area in self.areas if area.value is not None]
        lowest = min(values, default=100)
        return tuple(area for area in self.areas if area.value == lowest and lowest < 100)


@dataclass(frozen=True)
class RunRecord:
    """One command that ``--run`` ran: what, with which interpreter, and how it ended."""

    kind: str  # "tests", "retrain" or "verify"
    name: str  # what it ran for: "tests", "smoke", or the verification script's name
    command: tuple[str, ...]
    interpreter: str  # the Python it ran with, and why that one ("... (the project's .venv/)")
    exit_code: int | None  # None: it timed out or could not start
    duration_s: float
    timed_out: bool = False
    output_tail: str = ""  # the end of what it printed, secrets masked
    outcome: str = ""  # "12 passed, 1 failed, 0 errors, 2 skipped", "could not start: ...", ...

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


@dataclass(frozen=True, kw_only=True)
class Report:
    """Everything one ``dsdone check`` found, in a deterministic order (by check id)."""

    dsdone_version: str
    project: ProjectInfo
    contract: str  # path of the contract, relative to the project root
    root: (
        str  # the project folder as given, for people; renderers that must be reproducible omit it
    )
    commit: str | None
    fail_on: Severity
    results: tuple[CheckResult, ...] = field(default_factory=tuple)
    score: Score  # of the results, by ``dsdone.score``
    # The project folder relative to the repository root (git's top folder; outside git, the
    # folder `--all` searched), "" at the root. Formats read by code hosts (SARIF, GitHub
    # annotations) locate findings with it, since they resolve paths from the repository root.
    folder: str = ""
    min_score: int | None = None  # --min-score: below it the project is not ready
    baseline: bool = False  # whether findings were compared with a --baseline report
    runs: tuple[RunRecord, ...] = ()  # what --run ran, in the order it ran
    repository: RepositoryInfo | None = None  # None: not in git
    commit_date: str | None = None  # the committer date of ``commit``, ISO 8601

    @property
    def blocking(self) -> tuple[CheckResult, ...]:
        return tuple(result for result in self.results if result.blocks(self.fail_on))

    @property
    def below_min_score(self) -> bool:
        """Whether --min-score was given and the score is under it (an unmeasured score is 0)."""
        if self.min_score is None:
            return False
        overall = self.score.overall
        return (overall if overall is not None else 0) < self.min_score

    @property
    def ready(self) -> bool:
        return not self.blocking and not self.below_min_score

    def repo_path(self, path: str) -> str:
        """``path`` (relative to the project) relative to the repository root instead; a
        file above the project (``../../.github/workflows/ci.yml``, CI configuration that
        ci-gate reads at the repository's top) as the repository names it."""
        if not self.folder:
            return path
        joined = f"{self.folder}/{path}"
        return posixpath.normpath(joined) if "../" in path else joined

    def counts(self) -> dict[str, int]:
        """How many checks ended in each status, every status present, in a fixed order."""
        counts = {status.value: 0 for status in Status}
        for result in self.results:
            counts[result.status.value] += 1
        return counts

    def finding_count(self) -> int:
        return sum(len(result.findings) for result in self.results)
