"""Reading a file of the project safely and cheaply, by its path on disk.

Safely: a file is opened without blocking and read only if it is a regular file, so that a
named pipe (``mkfifo sample.csv``) or a device that a contract names cannot block dsdone
forever. Cheaply: one ``fstat`` sizes one ``os.read``, with no buffer object and no ``Path``,
which is what reading thousands of files costs.

Standard library only: the test-collection worker (``dsdone.analysis.pytest_collect``) reads
with it too, in a process that imports nothing else of dsdone.
"""

from __future__ import annotations

import errno
import os
import stat

# How much of one file dsdone holds in memory at once, whatever reads it: a text file bigger
# than this is data (a CSV dump, a minified bundle), not code or config. Scans that go through
# a larger file read its first MAX_TEXT_BYTES and say so. The same 10 MB as the large-file
# limit of version-control and the default scan cap of personal-paths.
MAX_TEXT_BYTES = 10 * 1024 * 1024
# Parsing Python holds about 250 bytes of syntax tree for each byte of source: a module over a
# megabyte is generated data, not code to look into, and parsing it would take gigabytes.
MAX_PYTHON_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024
_MB = 1024 * 1024


# git's own rule (FIRST_FEW_BYTES in its xdiff-interface.c): a NUL byte in the first 8,000 bytes
# means binary. The same number, so that git grep -I and dsdone agree on every file.
BINARY_PROBE_BYTES = 8000


def open_regular(path: str, shown: str | None = None) -> tuple[int, int]:
    """A file descriptor of the regular file at ``path``, opened for reading, and its size;
    ``OSError`` (naming ``shown``) if it is not a regular file."""
    # O_BINARY: on Windows, without it the C runtime would turn CRLF into LF.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", shown or path)
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def read_regular(path: str, limit: int | None = None, shown: str | None = None) -> bytes:
    """The bytes of the regular file at ``path``, or its first ``limit`` bytes."""
    fd, size = open_regular(path, shown)
    try:
        wanted = size if limit is None else min(size, limit)
        # Sized from fstat, so that a small file costs one read and no large buffer. One byte
        # more finds a file that grew since: it is then read on, to its end or its limit.
        request = wanted + 1
        chunk = os.read(fd, request)
        chunks, total = [chunk], len(chunk)
        while chunk and (len(chunk) == request or total < wanted):
            if limit is not None and total >= limit:
                break
            request = _CHUNK if limit is None else limit - total
            chunk = os.read(fd, request)
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return data if limit is None else data[:limit]


def read_text_source(path: str, shown: str | None = None) -> bytes:
    """The bytes of a text file; ``OSError`` also for a file larger than ``MAX_TEXT_BYTES``,
    which is data, not text to scan."""
    return _read_at_most(path, MAX_TEXT_BYTES, "too large to read as text", shown)


def read_python_source(path: str, shown: str | None = None) -> bytes:
    """The bytes of a Python file to parse; ``OSError`` also for one larger than
    ``MAX_PYTHON_BYTES``."""
    return _read_at_most(path, MAX_PYTHON_BYTES, "too large to parse as Python", shown)


def too_large(limit: int, what: str, shown: str) -> OSError:
    """The error for a file over ``limit`` bytes: "larger than 10 MB, too large to ..."."""
    return OSError(errno.EFBIG, f"larger than {_size(limit)}, {what}", shown)


def _read_at_most(path: str, limit: int, what: str, shown: str | None) -> bytes:
    # One byte more than the limit, rather than trusting the size fstat gives: the file may grow.
    raw = read_regular(path, limit + 1, shown)
    if len(raw) > limit:
        raise too_large(limit, what, shown or path)
    return raw


def _size(limit: int) -> str:
    return f"{limit / _MB:g} MB" if limit >= _MB else f"{limit / 1024:g} KB"
