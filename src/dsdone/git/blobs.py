"""What the last commit holds for some files: their content in HEAD, read in one git call."""

from __future__ import annotations

from collections.abc import Iterable

from dsdone.git.session import GitSession


def head_contents(git: GitSession, paths: Iterable[str]) -> dict[str, bytes]:
    """The content HEAD holds for each of ``paths`` (relative to the folder of the work tree
    ``git`` runs in); a path HEAD does not have is left out, and so is every path when the
    repository has no commit. One ``git cat-file --batch`` for all of them. Raises ``OSError``
    or ``subprocess.TimeoutExpired`` when git cannot be run."""
    usable = sorted({path for path in paths if "\n" not in path})
    if not usable:
        return {}
    # HEAD:./path is relative to the current folder, the project's.
    request = "".join(f"HEAD:./{path}\n" for path in usable).encode("utf-8", "surrogateescape")
    run = git.run(("cat-file", "--batch"), stdin=request)
    try:
        completed = run.output()
    finally:
        run.kill()
    if completed.returncode != 0:
        return {}
    contents: dict[str, bytes] = {}
    output, offset = completed.stdout, 0
    for path in usable:
        end = output.find(b"\n", offset)
        if end < 0:
            break
        header = output[offset:end].split()
        offset = end + 1
        # "<object> blob <size>", or "<request> missing" for a file HEAD does not have
        if len(header) == 3 and header[1] == b"blob" and header[2].isdigit():
            size = int(header[2])
            contents[path] = output[offset : offset + size]
            offset += size + 1  # the content, then a line break
    return contents
