"""Derive, from the git on this machine, the configuration keys that make git run a program or
read a file, and compare them with what ``dsdone.git.keys`` reviewed.

    python tests/derive_git_keys.py [--all]      (--all: each key with the words that chose it)

The rule (``dsdone.git.keys`` says why and how the result was reviewed):

1. ``git help --config`` names every key this git knows.
2. Each key's description comes from this git's own manual page git-config(1) (the roff source
   ``man -w git-config`` finds: the text ``git help config`` shows); keys documented only in
   gitattributes(5) (``filter.<driver>.process``, ``.required``) come from that page.
3. A key is a candidate when its description says its value names a command, program, script,
   hook, helper, editor, pager, driver or executable that git runs (``RUN``), or a file or path
   git reads (``FILE``).

It lives with the tests, not in the package: it needs git's manual pages, which a user's
machine may not have, and its one use is ``test_git_security.py``'s check that a new git (a
CI image's) adds no key that nobody reviewed. Standard library only.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

NOUN = (
    r"(?:command(?![- ]line)|program|script|hook|helper|editor|pager|driver|executable"
    r"|daemon\s+command-line|tunnel|browser|viewer)s?"
)
RUN = re.compile(
    # "<determiner or qualifier> <noun>": "the specified command", "an external helper"
    r"\b(?:the|a|an|this|that|custom|specified|external|default|given|shell|alternate"
    r"|merge|diff|filter|proxy|HTTP|web|text|[\w-]*<\w+>)\s+" + NOUN + r"\b"
    # "<verb> ... command": "to execute", "the command to invoke"
    r"|\b(?:to|which|that|will)\s+(?:run|execute|invoke|spawn)\b"
    r"|\bcommand\s+(?:used|defined|that)\b"
    # the key itself is the program: "Command used to setup a tunnel"
    r"|^(?:Command|Specify\s+the\s+programs?)\b",
    re.IGNORECASE,
)
FILE = re.compile(
    r"\bpath(?:name)?\s+(?:to|of|for)\s+(?:the\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,3}"
    r"(?:file|directory|root|tool)\b"
    r"|\blocation\s+of\s+an?\s+(?:[\w-]+\s+){0,2}file\b"
    r"|\blooks\s+into\s+this\s+file\b"
    r"|\binclude\s+other\s+configuration\s+files\b",
    re.IGNORECASE,
)
_ROFF = (
    ("\\&", ""),
    ("\\-", "-"),
    ("\\*(Aq", "'"),
    ("\\(aq", "'"),
    ("\\(lq", '"'),
    ("\\(rq", '"'),
    ("\\e", "\\"),
    ("\\ ", " "),
)


def manual_page(page: str, section: str) -> str | None:
    """The roff source of one of git's manual pages, or None when it is not installed."""
    try:
        found = subprocess.run(
            ["man", "-w", page], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        found = ""
    path = (
        Path(found.splitlines()[0])
        if found
        else Path(f"/usr/share/man/man{section}/{page}.{section}.gz")
    )
    if not path.is_file():
        return None
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")


def plain(text: str) -> str:
    for escape, meaning in _ROFF:
        text = text.replace(escape, meaning)
    text = re.sub(r"\\f[BIRP]|\\f\(..|\\m\[[^]]*\]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def definitions(roff: str) -> dict[str, str]:
    """Each term of a ``.PP term / .RS 4 ... .RE`` list, with its text (terms that share a
    text each get it)."""
    lines = roff.splitlines()
    found: dict[str, str] = {}
    pending: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i] != ".PP":
            i += 1
            continue
        j = i + 1
        term: list[str] = []
        while (
            j < len(lines) and lines[j] not in (".RS 4", ".PP") and not lines[j].startswith(".SH")
        ):
            if not lines[j].startswith("."):
                term.append(lines[j])
            j += 1
        if term:
            pending.append(plain(" ".join(term)))
        if j < len(lines) and lines[j] == ".RS 4":
            depth, k, body = 1, j + 1, []
            while k < len(lines) and depth:
                if lines[k].startswith(".RS"):
                    depth += 1
                elif lines[k].startswith(".RE"):
                    depth -= 1
                elif not lines[k].startswith("."):
                    body.append(lines[k])
                k += 1
            for name in pending:
                found[name] = plain(" ".join(body))
            pending = []
            i = k
        else:
            i = j
    return found


def normal(key: str) -> str:
    """A key as the comparison spells it: lower case, every <placeholder> as <name>."""
    return re.sub(r"<[^>]*>", "<name>", key).lower()


def derive() -> dict[str, tuple[str, str]] | None:
    """The candidates, by key: ("run" or "file", the words that chose it); None without the
    manual pages."""
    config_page = manual_page("git-config", "1")
    attributes_page = manual_page("gitattributes", "5")
    if config_page is None or attributes_page is None:
        return None
    keys = subprocess.run(
        ["git", "help", "--config"], capture_output=True, text=True, timeout=30, check=True
    ).stdout.split()
    texts: dict[str, str] = {}
    for term, text in definitions(config_page).items():
        for name in re.split(r",\s*", term):
            if re.fullmatch(r"[A-Za-z0-9.<>_*:-]+", name.strip()):
                texts[normal(name.strip())] = text
    picked: dict[str, tuple[str, str]] = {}
    for key in (k for k in keys if "." in k):
        text = texts.get(normal(key), "")
        for kind, rule in (("run", RUN), ("file", FILE)):
            match = rule.search(text)
            if match:
                picked[key] = (kind, text[max(0, match.start() - 60) : match.end() + 60])
                break
    attributes = plain(attributes_page)
    known = {normal(key) for key in [*keys, *picked]}
    for match in re.finditer(
        r"\b(filter|diff|merge)\.<?[a-z]*>?\.(process|clean|smudge|textconv|command|driver)\b",
        attributes,
    ):
        key = f"{match.group(1)}.<driver>.{match.group(2)}"
        if normal(key) not in known:
            snippet = attributes[max(0, match.start() - 60) : match.end() + 60]
            picked[key] = ("run", f"gitattributes(5): {snippet}")
    return picked


def unreviewed(picked: dict[str, tuple[str, str]]) -> list[str]:
    """Candidates that ``dsdone.git.keys`` neither guards nor rejects."""
    from dsdone.git.keys import GUARDED_KEYS, REJECTED_CANDIDATES

    guarded = {normal(g.pattern) for g in GUARDED_KEYS}
    return sorted(key for key in picked if normal(key) not in guarded | REJECTED_CANDIDATES.keys())


def main() -> int:
    picked = derive()
    if picked is None:
        print("git's manual pages (git-config(1), gitattributes(5)) are not installed")
        return 2
    version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout
    print(f"# {version.strip()}: {len(picked)} candidates")
    for kind in ("run", "file"):
        print(f"\n## {kind}")
        for key, (found_kind, words) in sorted(picked.items(), key=lambda kv: kv[0].lower()):
            if found_kind == kind:
                print(key + (f"\n    ... {words} ..." if "--all" in sys.argv else ""))
    missing = unreviewed(picked)
    print("\n## not reviewed in dsdone.git.keys" + ("" if missing else ": none"))
    for key in missing:
        print(f"!! {key}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
