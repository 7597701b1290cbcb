"""Which repository a project is in, as a catalogue of many repositories names it, and when its
commit was made.

Read without running anything the repository could choose: the remote's URL comes from the
repository's own configuration file (``git config --local --no-includes``: no other file is
included), the date from the commit object itself (``git cat-file``: no signature is checked, no
pager or hook runs). A URL can carry a secret (a CI runner clones from
``https://gitlab-ci-token:TOKEN@gitlab.com/...``): a report shows it without user name, password,
query or fragment, and a remote that is a folder of this machine not at all.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from dsdone.git.command import GitRun

ORIGIN = ("config", "--local", "--no-includes", "--get", "remote.origin.url")
HEAD_COMMIT = ("cat-file", "commit", "HEAD")

# user@host:path, the short form of an SSH URL (git@github.com:acme/models.git).
_SCP_LIKE = re.compile(r"(?:[^@/:\s]+@)?([^@/:\s]{2,}):(?!//)(\S+)")
_COMMITTER = re.compile(rb"^committer .* (\d+) ([+-])(\d\d)(\d\d)$", re.MULTILINE)


def read_origin(run: GitRun) -> str | None:
    """The URL of ``remote.origin`` as a report may show it (``public_url``); None when there
    is no such remote or git cannot tell."""
    try:
        completed = run.output()
    except (OSError, subprocess.TimeoutExpired):
        return None
    finally:
        run.kill()
    if completed.returncode != 0:
        return None
    return public_url(completed.stdout.decode("utf-8", "replace").strip())


def public_url(url: str) -> str | None:
    """``url`` without what must not reach a report: the user name and password of an
    ``https://`` URL, its query and fragment; None for a local path or ``file://`` URL (a
    person's folder, not a repository others know) and for a URL with control characters."""
    if not url or any(ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        return None
    if "://" in url:
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        host = parts.netloc.rpartition("@")[2]
        if parts.scheme == "file" or not host:
            return None
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    return url if _SCP_LIKE.fullmatch(url) else None


def repository_name(url: str | None, work_tree: Path) -> str:
    """The repository's name: the path of its URL without ``.git`` (``acme/models``), else
    the name of its work tree's folder."""
    if url is not None:
        path = urlsplit(url).path if "://" in url else url.partition(":")[2]
        name = path.strip("/").removesuffix(".git").strip("/")
        if name:
            return name
    return work_tree.name


def read_commit_date(run: GitRun) -> str | None:
    """The committer date of HEAD (``run``: ``git HEAD_COMMIT``) in ISO 8601 with its UTC
    offset, as ``git log --format=%cI`` prints it; None before the first commit."""
    try:
        completed = run.output()
    except (OSError, subprocess.TimeoutExpired):
        return None
    finally:
        run.kill()
    header = completed.stdout.partition(b"\n\n")[0]
    found = _COMMITTER.search(header) if completed.returncode == 0 else None
    if found is None:
        return None
    seconds, sign, hours, minutes = found.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if sign == b"-" else 1)
    try:
        when = datetime.fromtimestamp(int(seconds), timezone(offset))
    except (OverflowError, OSError, ValueError):  # a date no calendar has
        return None
    return when.isoformat()
