"""Benchmark `dsdone check --all` on a monorepo against one `dsdone check` of the same files
(issue 22).

    python tests/benchmarks/bench_all.py [--files 20000] [--projects 100] [--rounds 9]
                                         [--scale] [--keep DIR]

Builds two git repositories holding the same files: a monorepo of ``--projects`` model projects
under ``projects/``, each with its own dsdone.yaml (Python modules, tests, notebooks with
outputs, YAML configs, some with a planted personal path), and the same tree with one contract
at its top instead, whose tests are every project's tests. Then it times, alternating in the
same run:

- ``dsdone check --all --format json`` in the monorepo;
- ``dsdone check --format json`` of the single project;

and prints the medians, their ratio, the peak memory of each, and verifies that both reports
found the same personal paths. ``--scale`` keeps the files and varies the number of projects
(10, 50, 100, 200) to show that time and memory hardly grow with them.

Target: ``--all`` within 1.5x of the single check; peak memory flat as projects grow.
Exit status: 1 if the two reports disagree on the planted paths, else 0 (a missed time target
is printed, not an exit status: timings depend on the machine).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench_check import (
    DSDONE,
    alternate,
    config_text,
    median_ms,
    module_text,
    notebook_text,
    peak_memory_mb,
    quiet_git_env,
    report_line,
    timed,
)

MB = 1024 * 1024


def contract(name: str, test_paths: Sequence[str]) -> str:
    """A contract as a team writes one: who owns the model, what it reads and writes, how it is
    retrained and tested."""
    paths = "".join(f"    - {path}\n" for path in test_paths)
    return f"""\
version: 1
project:
  name: {name}
  owner: {name}@example.com
  description: Synthetic project {name} of the dsdone monorepo benchmark.
  consumers: [growth-team]
inputs:
  - name: events
    source: s3://lake/events/{name}/
    format: parquet
outputs:
  - name: scores
    format: json
retrain:
  entrypoint: python -m {name}.train --config configs/config_0.yaml
  schedule: "@weekly"
tests:
  paths:
{paths}  min_tests: 1
"""


# At the top of either repository: CI that gates every project, owners, pre-commit hooks.
TOP_FILES = {
    ".github/workflows/ci.yml": """\
name: ci
on:
  pull_request:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install -r requirements.txt
      - run: pytest projects
  dsdone:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install dsdone && dsdone check --all --format github
""",
    "CODEOWNERS": "* @ml-platform\n/projects/ @data-science\n",
    ".pre-commit-config.yaml": """\
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.6.0
    hooks:
      - id: ruff
""",
    "requirements.txt": "pandas==2.2.2\nscikit-learn==1.5.1\npytest==8.3.2\n",
}


def test_text(module: str, index: int) -> str:
    return (
        f"from {module} import SEED\n\n\n"
        f"def test_module_{index}_has_its_seed():\n"
        f"    assert SEED == {index}\n"
    )


def project_files(rng: random.Random, number: int, total: int) -> dict[str, str]:
    """About ``total`` files of one model project, relative to its folder: modules (75 %),
    tests (15 %), YAML configs (7.5 %), notebooks with outputs (1.5 %); one project in four
    leaves a personal path in a config."""
    package = f"model_{number:03d}"
    files: dict[str, str] = {f"src/{package}/__init__.py": ""}
    modules, tests = total * 75 // 100, total * 15 // 100
    notebooks, configs = max(total * 15 // 1000, 1), total * 75 // 1000
    subpackages = max(1, modules // 30)
    for sub in range(subpackages):
        files[f"src/{package}/sub_{sub}/__init__.py"] = ""
    for index in range(modules):
        files[f"src/{package}/sub_{index % subpackages}/module_{index}.py"] = module_text(
            rng, index
        )
    for index in range(tests):
        module = f"{package}.sub_{index % subpackages}.module_{index}"
        files[f"tests/test_module_{index}.py"] = test_text(module, index)
    for index in range(configs):
        files[f"configs/config_{index}.yaml"] = config_text(index)
    for index in range(notebooks):
        files[f"notebooks/eda_{index:02d}.ipynb"] = notebook_text(rng, index, None, None)
    if number % 4 == 0:
        files["configs/config_0.yaml"] += f"output_dir: /Users/ana/experiments/{package}\n"
    return files


def generate(root: Path, total: int, projects: int, monorepo: bool, seed: int = 22) -> None:
    """The repository of ``projects`` projects of about ``total`` files in all: a contract in
    each project (``monorepo``), or one at the top whose tests are every project's (the test
    files under ``projects/``)."""
    rng = random.Random(seed)
    files: dict[str, str] = {".gitignore": "data/\n", **TOP_FILES}
    folders = [f"projects/p_{number:03d}" for number in range(projects)]
    for number, folder in enumerate(folders):
        for relative, text in project_files(rng, number, total // projects).items():
            files[f"{folder}/{relative}"] = text
        if monorepo:
            files[f"{folder}/dsdone.yaml"] = contract(f"p_{number:03d}", ["tests"])
    if not monorepo:  # the same test files: every test_*.py under projects/
        files["dsdone.yaml"] = contract("all", ["projects"])
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (root / "data").mkdir()
    with (root / "data" / "raw_events.csv").open("w") as stream:  # ignored: never read
        line = "user_id,/home/ana/raw,2026-01-01,0.5\n"
        stream.write(line * (40 * MB // len(line)))
    env = quiet_git_env()
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)


def personal_paths(report: dict[str, object]) -> set[str]:
    """The personal paths a report found, as paths from the repository's top."""
    found: set[str] = set()
    projects = report.get("projects", [report])
    assert isinstance(projects, list)
    for project in projects:
        folder = project["folder"]
        for result in project["results"]:
            if result["check"] == "personal-paths":
                for finding in result["findings"]:
                    path = f"{folder}/{finding['path']}" if folder else finding["path"]
                    found.add(f"{path}:{finding['line']}")
    return found


def build(base: Path, total: int, projects: int) -> tuple[Path, Path]:
    started = time.perf_counter()
    monorepo, single = base / f"monorepo-{projects}", base / f"single-{projects}"
    for root, is_monorepo in ((monorepo, True), (single, False)):
        root.mkdir(parents=True)
        generate(root, total, projects, is_monorepo)
    print(
        f"generated {projects} projects ({_count(monorepo)} tracked files) twice "
        f"in {time.perf_counter() - started:.1f} s at {base}"
    )
    return monorepo, single


def _count(root: Path) -> int:
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True)
    return listing.stdout.count(b"\0")


def compare(monorepo: Path, single: Path, rounds: int) -> tuple[float, float, float, float, bool]:
    """Medians of --all and of the single check, their peak memory, and whether they found the
    same personal paths."""
    every = [DSDONE, "check", "--all", "--format", "json"]
    one = [DSDONE, "check", "--format", "json"]
    timed(every, monorepo)  # warm the page cache for both
    timed(one, single)
    times: dict[str, list[float]] = {"all": [], "one": []}
    for _ in range(rounds):  # alternate, so that machine noise hits both alike
        times["all"] += alternate({"all": every}, monorepo, 1)["all"]
        times["one"] += alternate({"one": one}, single, 1)["one"]
    memory_all, memory_one = peak_memory_mb(every, monorepo), peak_memory_mb(one, single)
    _, all_report = timed(every, monorepo)
    _, one_report = timed(one, single)
    same = personal_paths(json.loads(all_report.stdout)) == personal_paths(
        json.loads(one_report.stdout)
    )
    return median_ms(times["all"]), median_ms(times["one"]), memory_all, memory_one, same


def benchmark(total: int, projects: int, rounds: int, keep: Path | None) -> int:
    with tempfile.TemporaryDirectory(prefix="dsdone-bench-all-") as temporary:
        monorepo, single = build(keep or Path(temporary), total, projects)
        all_ms, one_ms, memory_all, memory_one, same = compare(monorepo, single, rounds)
        print(f"\nmedians over {rounds} alternating rounds")
        print(f"  dsdone check --all --format json ({projects} projects)  {all_ms:8.0f} ms")
        print(f"  dsdone check --format json (one project)        {one_ms:8.0f} ms")
        print(f"  peak memory: --all {memory_all:.0f} MB, one check {memory_one:.0f} MB")
        print("targets")
        print(report_line("--all / one check of the same files", all_ms / one_ms, 1.5))
        print(f"same personal paths found: {'yes' if same else 'NO'}")
        return 0 if same else 1


def scale(
    total: int, rounds: int, keep: Path | None, counts: Sequence[int] = (10, 50, 100, 200)
) -> int:
    print(f"{'projects':>8} {'--all ms':>9} {'one ms':>7} {'ratio':>6} {'MB':>5} {'one MB':>7}")
    failed = 0
    for projects in counts:
        with tempfile.TemporaryDirectory(prefix="dsdone-bench-all-") as temporary:
            monorepo, single = build(keep or Path(temporary), total, projects)
            all_ms, one_ms, memory_all, memory_one, same = compare(monorepo, single, rounds)
            failed |= not same
            print(
                f"{projects:>8} {all_ms:>9.0f} {one_ms:>7.0f} {all_ms / one_ms:>6.2f} "
                f"{memory_all:>5.0f} {memory_one:>7.0f}"
            )
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=20000, help="about how many files")
    parser.add_argument("--projects", type=int, default=100, help="how many projects")
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds of each command")
    parser.add_argument("--scale", action="store_true", help="10, 50, 100 and 200 projects")
    parser.add_argument("--keep", type=Path, help="build the repositories in DIR and keep them")
    options = parser.parse_args(argv)
    if not Path(DSDONE).exists():
        raise SystemExit(f"the dsdone console script is not at {DSDONE}: install dsdone first")
    if options.scale:
        return scale(options.files, options.rounds, options.keep)
    return benchmark(options.files, options.projects, options.rounds, options.keep)


if __name__ == "__main__":
    sys.exit(main())
