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

# A text file bigger than this is data (a CSV dump, a minified bundle), not code or config:
# reading it whole into memory, and caching up to 256 of them, would exhaust the machine.
# The same 10 MB as the large-file limit of version-control and the scan cap of personal-paths.
MAX_TEXT_BYTES = 10 * 1024 * 1024
_CHUNK = 1024 * 1024


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
    raw = read_regular(path, MAX_TEXT_BYTES + 1, shown)
    if len(raw) > MAX_TEXT_BYTES:
        raise OSError(
            errno.EFBIG,
            f"larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB, too large to read as text",
            shown or path,
        )
    return raw
