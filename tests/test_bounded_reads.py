"""No file a repository holds makes dsdone read it whole into memory, or wait on it forever.

Every read of a file is bounded (``MAX_TEXT_BYTES``, 10 MB; Python is parsed up to 1 MB), and a
file read only in part is named in the report. Memory is measured as the peak resident size of
the real console script, in a process of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, git

from dsdone.memo import BoundedCache

MB = 1024 * 1024
LIVENESS = 120
PERSONAL_LINE = b"DATA = '/home/ana/churn/data.csv'\n"

PEAK_RSS = """\
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr,
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def check_with_peak_memory(root: Path, *args: str) -> tuple[dict[str, Any], float]:
    """The JSON report of ``dsdone check ROOT ARGS`` and its peak resident memory in MB."""
    command = [sys.executable, "-m", "dsdone", "check", str(root), "--format", "json", *args]
    completed = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *command],
        capture_output=True,
        text=True,
        timeout=LIVENESS,
        check=True,
    )
    result = json.loads(completed.stdout)
    assert result["code"] in (0, 1), result["err"]
    report: dict[str, Any] = json.loads(result["out"])
    return report, result["peak_kb"] / 1024


def result_of(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    [found] = [r for r in report["results"] if r["check"] == check_id]
    return found


def write_large_text(path: Path, size: int) -> None:
    """A text file (no NUL in its first 8,000 bytes) of ``size`` bytes that starts with a
    personal path; the rest is a hole the file system does not store."""
    with path.open("wb") as stream:
        stream.write(PERSONAL_LINE + b"x" * 8192 + b"\n")
        stream.truncate(size)


def test_a_large_untracked_file_is_searched_in_part_and_named(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": "print(1)\n"})
    write_large_text(root / "dump.txt", 512 * MB)  # untracked: dsdone searches it itself

    report, peak = check_with_peak_memory(root, "--select", "personal-paths")

    result = result_of(report, "personal-paths")
    assert [(f["path"], f["line"]) for f in result["findings"]] == [("dump.txt", 1)]
    assert "only the first 10 MB of 1 read: dump.txt" in result["summary"]
    assert peak < 200, f"{peak:.0f} MB"


def test_a_tracked_line_of_a_hundred_megabytes_is_searched_in_part(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": "print(1)\n"})
    with (root / "vocab.txt").open("wb") as stream:  # one line: git grep prints it whole
        stream.write(b"/home/ana/" + b"x" * (128 * MB) + b"\n")
    git(root, "add", "vocab.txt")
    git(root, "commit", "-q", "-m", "a long line")

    report, peak = check_with_peak_memory(root, "--select", "personal-paths")

    result = result_of(report, "personal-paths")
    assert [(f["path"], f["line"]) for f in result["findings"]] == [("vocab.txt", 1)]
    assert "only the first 10 MB of 1 read: vocab.txt" in result["summary"]
    assert peak < 200, f"{peak:.0f} MB"


def test_max_file_mb_cannot_raise_a_read_past_the_global_bound(make_repo: MakeRepo) -> None:
    contract = MINIMAL_CONTRACT + "checks:\n  personal-paths:\n    max_file_mb: 100000\n"
    root = make_repo({"train.py": "print(1)\n"}, contract=contract)
    write_large_text(root / "dump.txt", 512 * MB)

    report, peak = check_with_peak_memory(root, "--select", "personal-paths")

    summary = result_of(report, "personal-paths")["summary"]
    assert "only the first 10 MB of 1 read: dump.txt" in summary
    assert peak < 200, f"{peak:.0f} MB"


def test_a_test_file_too_large_to_parse_is_a_finding_at_the_file(make_repo: MakeRepo) -> None:
    tests = "".join(f"def test_{i}():\n    assert {i} == {i}\n" for i in range(60_000))
    root = make_repo({"src/demo/__init__.py": "", "tests/test_big.py": tests})

    report, _ = check_with_peak_memory(root, "--select", "unit-tests")

    findings = result_of(report, "unit-tests")["findings"]
    assert any(
        f["path"] == "tests/test_big.py" and "too large to parse as Python" in f["message"]
        for f in findings
    ), findings


def test_a_sample_of_a_million_records_is_validated_in_part_and_said_so(
    make_repo: MakeRepo,
) -> None:
    contract = MINIMAL_CONTRACT + (
        "outputs:\n  - name: scores\n    format: jsonl\n"
        "    schema: s.json\n    sample: sample.jsonl\n"
    )
    root = make_repo({"s.json": '{"type": "object"}', "sample.jsonl": '{"a":1}\n' * 1_000_000},
                     contract=contract)  # fmt: skip

    report, peak = check_with_peak_memory(root, "--select", "output-schema")

    result = result_of(report, "output-schema")
    assert "only the first 10,000 records of sample.jsonl validated" in result["summary"]
    assert peak < 200, f"{peak:.0f} MB"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_gitignore_that_is_a_named_pipe_is_not_waited_on(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": PERSONAL_LINE.decode()}, git_init=False)
    os.mkfifo(root / ".gitignore")

    report, _ = check_with_peak_memory(root, "--select", "personal-paths")

    assert [f["path"] for f in result_of(report, "personal-paths")["findings"]] == ["train.py"]


def test_a_bounded_cache_keeps_what_fits_its_budget() -> None:
    cache: BoundedCache[str, bytes] = BoundedCache(budget=10)
    computed: list[str] = []

    def value(key: str, size: int) -> bytes:
        def compute() -> tuple[bytes, int]:
            computed.append(key)
            return key.encode() * size, size

        return cache.get(key, compute)

    value("a", 4), value("b", 4), value("a", 4)  # "a" is kept, and now the most recent
    value("c", 4)  # over budget: "b", the least recently used, goes
    value("a", 4), value("b", 4)
    value("huge", 11)  # larger than the whole budget: returned, never kept
    value("huge", 11)
    assert computed == ["a", "b", "c", "b", "huge", "huge"]
