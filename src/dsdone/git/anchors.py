"""The Perl regular expression git grep searches with: each literal anchored at a rare character.

PCRE's search skips to the next position whose character can start a match (its "start
bitmap") and there tries the top-level alternatives one after the other. A plain alternation
of the built-in literals starts at a lowercase letter almost everywhere (``print(``,
``mlflow``, ``ecret``...), so the engine stops at most characters of every file, and most of
its time goes there. Here each literal is matched from one of its rarer characters instead:
``print(`` as ``\\((?<=print\\()``, the ``(`` consumed and the rest checked behind it; the
literals that share an anchor share a branch. The engine then stops only at the few kinds of
character the anchors are, and tries one branch there.

Which characters are rare comes from ``BYTE_PERCENT``, measured once on Python's standard
library and 29 public ML repositories (code, notebooks, configs, documentation); the anchors
are chosen to make the stops (the anchors' frequencies) and the work at each (the literals
behind an anchor) small together. On the 20,000-file benchmark and three real repositories
with many notebooks (one git thread, minimum of 3): 581 -> 335 ms, 210 -> 108 ms, 234 -> 143
ms, 806 -> 455 ms, the lines found the same.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable

# Percent of the bytes of source, notebooks and text files that each printable ASCII
# character makes up; a character missing here (control characters, non-ASCII) is rarer.
BYTE_PERCENT: dict[str, float] = {
    " ": 20.03, "e": 5.30, "t": 4.11, "a": 3.33, "s": 3.10, "r": 3.08, "n": 3.08, "o": 3.04,
    "i": 3.01, "l": 2.16, "\n": 2.08, "0": 2.02, "d": 1.87, '"': 1.77, "c": 1.77, ",": 1.66,
    "p": 1.66, ".": 1.66, "m": 1.47, "u": 1.45, "f": 1.33, "_": 1.18, "h": 1.18, "1": 1.15,
    "g": 1.06, "2": 0.94, "y": 0.79, "5": 0.77, ":": 0.76, "b": 0.76, "3": 0.73, "4": 0.65,
    "7": 0.65, "v": 0.65, "A": 0.64, "w": 0.61, "9": 0.59, "6": 0.59, "8": 0.57, "x": 0.57,
    "k": 0.57, "-": 0.56, "/": 0.54, ")": 0.53, "(": 0.53, "E": 0.52, "=": 0.52, "T": 0.51,
    "I": 0.48, "S": 0.43, "L": 0.43, "N": 0.43, "R": 0.43, "C": 0.41, "\\": 0.39, "D": 0.39,
    "P": 0.38, "O": 0.38, "M": 0.36, "j": 0.35, "F": 0.34, "z": 0.34, "B": 0.33, "H": 0.31,
    "U": 0.31, "q": 0.31, "G": 0.30, "'": 0.30, "V": 0.29, "W": 0.29, "+": 0.29, "Y": 0.27,
    "K": 0.27, "Q": 0.27, "X": 0.27, "Z": 0.26, "#": 0.26, "J": 0.25, "[": 0.23, "]": 0.20,
    ">": 0.18, "{": 0.16, "}": 0.16, "`": 0.12, "<": 0.12, "*": 0.08, ";": 0.07, "|": 0.04,
    "@": 0.03, "%": 0.03, "!": 0.02, "?": 0.01, "&": 0.01, "$": 0.01, "^": 0.01, "~": 0.005,
}  # fmt: skip
_RARE = 0.005
# What one more literal behind an anchor costs at each of its stops, relative to the stop
# itself (a lookbehind of a few bytes against the engine's re-entry). Measured: 0.2 beat 0
# and 1 on every repository above, by 3 to 20 %.
_LITERAL_COST = 0.2
# The characters special to Perl regular expressions (and to extended ones); escaped with a
# backslash, each means itself.
SPECIAL = frozenset(".[]()*+?{}|^$\\/-#")


def escaped(literal: str) -> str:
    """``literal`` as a regular expression (extended or Perl) that matches exactly it."""
    return "".join("\\" + char if char in SPECIAL else char for char in literal)


def anchored_pattern(literals: Iterable[str]) -> str:
    """A Perl regular expression (also valid for Python's ``re``) that matches a line where it
    holds any of ``literals`` (ASCII, at least one, none empty). A literal that holds another
    one is left out: the other finds its lines already."""
    return _pattern(frozenset(literals))


@functools.lru_cache(maxsize=8)
def _pattern(literals: frozenset[str]) -> str:
    words = sorted(literals)
    kept = [word for word in words if not any(other != word and other in word for other in words)]
    anchors = _choose_anchors(kept)
    behind: dict[str, list[str]] = {}
    for word in kept:
        at = word.index(anchors[word])
        head, tail = word[: at + 1], word[at + 1 :]
        check = (f"(?<={escaped(head)})" if at else "") + escaped(tail)
        behind.setdefault(anchors[word], []).append(check)
    branches = []
    # The most frequent anchor first: its stops, the most numerous, then try one branch only.
    for anchor in sorted(behind, key=lambda char: (-_percent(char), char)):
        checks = sorted(set(behind[anchor]))
        rest = checks[0] if len(checks) == 1 else "(?:" + "|".join(checks) + ")"
        branches.append(escaped(anchor) + rest)
    return "|".join(branches)


def _percent(char: str) -> float:
    return BYTE_PERCENT.get(char, _RARE)


def _choose_anchors(words: list[str]) -> dict[str, str]:
    """One character of each word, chosen so that the anchors' frequencies, each weighed by
    the words it carries, add up to little. Each word starts at its rarest character; then
    words move to an anchor they share with others while that lowers the total (a local
    search over a few dozen words: well under a millisecond)."""
    anchors = {word: min(word, key=lambda char: (_percent(char), char)) for word in words}
    carried = Counter(anchors.values())

    def change(word: str, to: str) -> float:
        at = anchors[word]
        if to == at:
            return 0.0
        leaving = _percent(at) * (1 + _LITERAL_COST if carried[at] == 1 else _LITERAL_COST)
        joining = _percent(to) * (_LITERAL_COST if carried[to] else 1 + _LITERAL_COST)
        return joining - leaving

    improved = True
    while improved:
        improved = False
        for word in words:
            best = min(sorted(set(word)), key=lambda char: change(word, char))
            if change(word, best) < -1e-9:
                carried[anchors[word]] -= 1
                carried[best] += 1
                anchors[word] = best
                improved = True
    return anchors
