"""Regular expressions written in a project's schemas, matched with a deadline.

A schema's ``pattern`` comes from the repository being checked, and Python's ``re`` can take
exponential time on a pattern such as ``^(a|aa)+$``: it holds the interpreter the whole while,
so no thread timeout could stop it and dsdone would hang. The ``regex`` module accepts the same
syntax and stops a match at a deadline; a pattern that reaches it (or does not compile) is
remembered and reported as not checked, never as a failure of the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Long enough for any reasonable pattern on a sample's value, short enough that a schema full
# of hostile patterns costs seconds: each pattern can reach it only once.
DEADLINE_SECONDS = 0.25


@dataclass(frozen=True)
class Unchecked:
    pattern: str
    reason: str  # "it does not compile: ...", "matching it took longer than 0.25 s ..."


@dataclass
class SafePatterns:
    """Matches patterns with a deadline; what could not be matched is kept in ``unchecked``."""

    deadline: float = DEADLINE_SECONDS
    _compiled: dict[str, Any] = field(default_factory=dict)
    _unchecked: dict[str, str] = field(default_factory=dict)

    def search(self, pattern: str, text: str) -> bool | None:
        """Whether ``pattern`` matches somewhere in ``text`` (JSON Schema's ``pattern``);
        ``None`` when that cannot be known safely."""
        return self._match(pattern, text, whole=False)

    def fullmatch(self, pattern: str, text: str) -> bool | None:
        """Whether ``pattern`` matches all of ``text`` (Table Schema's ``pattern``)."""
        return self._match(pattern, text, whole=True)

    def unchecked(self) -> Iterator[Unchecked]:
        for pattern, reason in sorted(self._unchecked.items()):
            yield Unchecked(pattern, reason)

    def _match(self, pattern: str, text: str, *, whole: bool) -> bool | None:
        if pattern in self._unchecked:
            return None
        compiled = self._compile(pattern)
        if compiled is None:
            return None
        try:
            method = compiled.fullmatch if whole else compiled.search
            return method(text, timeout=self.deadline) is not None
        except TimeoutError:
            self._unchecked[pattern] = (
                f"matching it took longer than {self.deadline:g} s (it backtracks: a nested "
                "repetition such as (a+)+ or (a|aa)+)"
            )
            return None

    def _compile(self, pattern: str) -> Any:
        if pattern not in self._compiled:
            import regex  # about 17 ms: only when a schema has a pattern

            try:
                self._compiled[pattern] = regex.compile(pattern)
            except (regex.error, RecursionError, OverflowError) as exc:
                self._unchecked[pattern] = f"it does not compile: {exc}"
                self._compiled[pattern] = None
        return self._compiled[pattern]
