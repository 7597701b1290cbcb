"""Benchmark `dsdone check` on a synthetic data-science repository (issue 10).

    python tests/benchmarks/bench_check.py [--files 20000] [--rounds 11] [--scale] [--keep DIR]
    python tests/benchmarks/bench_check.py --shapes [--rounds 3]

Builds, in a temporary folder, a git repository shaped like a large data-science monorepo:
Python modules in nested packages (75 % of the files), tests (15 %), notebooks with outputs
(1.5 %, about 30 cells each), YAML configs (7.5 %), a few tracked binary model files of several
MB, an ignored data folder with a file of tens of MB, near-misses that the literal pre-filter
lets through (URLs, ``$HOME``, ``/home/jovyan``), a known set of planted personal paths, one or
more planted cases for each check that reads every file (secrets, logging, environment,
copy-versioning, notebook-hygiene), and a valid dsdone.yaml. Then it times, alternating in the
same run:

- the full ``dsdone check --format json`` (every check, the installed console script, as a
  second run: with what the first kept in dsdone's cache) against ``git grep -I -n -E`` for
  the same path prefixes over the same tree, and, for the record, the same check with
  ``--no-cache`` (what a first run does);
- ``dsdone --version`` against a bare ``python -c pass``;

and prints the medians, their ratios and the peak memory of ``dsdone check``, and verifies from
the JSON report that personal-paths found exactly the planted paths and every other check found
each of its planted cases (they may find more: the synthetic notebooks, for one, are not
stripped). ``--scale`` repeats the check at 5k, 10k and 20k files to show time growing linearly
and memory staying flat. ``--shapes`` times single files of shapes that once took quadratic
time (a 50,000-key JSON config, a minified config full of secrets, one very long line, a
notebook cell with tens of thousands of output lines) at n and 2n, and prints the ratio: about
2 when linear.

Targets: full check <= 3.5x git grep (round 2, every check included); --version <= 4x bare
interpreter; peak memory < 200 MB.
Exit status: 1 if a planted case was missed or personal-paths reported something else, else 0
(a missed time target is printed, not an exit status: timings depend on the machine).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PYTHON = sys.executable
DSDONE = str(Path(sys.executable).with_name("dsdone"))
GREP_PATTERN = r"/Users/|/home/|[Uu]sers\\|/content/drive/"
MB = 1024 * 1024
ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
AWS_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

CONTRACT = """\
version: 1
project:
  name: bench
  owner: bench@example.com
  description: Synthetic repository for the dsdone benchmark.
tests:
  paths: [tests]
  min_tests: 1
"""


# The check whose findings must be exactly the planted ones: the benchmark's pattern for git
# grep is the one this check's pre-filter starts from.
EXACT_CHECK = "personal-paths"


@dataclass
class Planted:
    """Cases written on purpose: for each check, the (file, line) pairs it must report; line 0
    where a finding is about a whole file. personal-paths must report these and no more."""

    expected: dict[str, set[tuple[str, int]]] = field(default_factory=dict)

    def add(self, relative: str, content: str, needle: str, check: str = EXACT_CHECK) -> None:
        line = content[: content.index(needle)].count("\n") + 1
        self.expected.setdefault(check, set()).add((relative, line))

    def add_file(self, relative: str, check: str) -> None:
        self.expected.setdefault(check, set()).add((relative, 0))

    def __len__(self) -> int:
        return sum(len(cases) for cases in self.expected.values())


# -- the synthetic repository ----------------------------------------------------------------


def module_text(rng: random.Random, index: int) -> str:
    functions = []
    for number in range(rng.randint(4, 10)):
        functions.append(
            f"def transform_{index}_{number}(frame, columns=None):\n"
            f'    """Feature step {number}: scale and clip the columns of module {index}."""\n'
            "    columns = columns or list(frame.columns)\n"
            "    for column in columns:\n"
            "        frame[column] = (frame[column] - frame[column].mean()) / frame[column].std()\n"
            f"        frame[column] = frame[column].clip(-{number + 3}, {number + 3})\n"
            "    return frame\n"
        )
    near_miss = ""
    if index % 20 == 0:  # a hit for the pre-filter that is not a personal path
        near_miss = 'DOCS = "https://wiki.example.com/home/ml/features"  # see $HOME/.cache\n'
    return (
        f'"""Features, part {index}."""\n\nfrom __future__ import annotations\n\n'
        "import numpy as np\nimport pandas as pd\n\n"
        f"{near_miss}SEED = {index}\n\n\n" + "\n\n".join(functions)
    )


def test_text(index: int) -> str:
    return (
        f"from features.pkg_{index % 50} import module_{index}\n\n\n"
        f"def test_module_{index}_scales():\n"
        "    import pandas as pd\n\n"
        "    frame = pd.DataFrame({'a': [1.0, 2.0, 3.0]})\n"
        f"    assert module_{index}.SEED == {index}\n"
    )


def config_text(index: int) -> str:
    return (
        f"model:\n  name: churn_{index}\n  max_depth: {3 + index % 7}\n  learning_rate: 0.05\n"
        "data:\n  train: data/processed/train.parquet\n  test: data/processed/test.parquet\n"
        "  cache: /home/jovyan/cache\n"
        "features:\n" + "".join(f"  - feature_{i}\n" for i in range(20))
    )


def notebook_text(
    rng: random.Random,
    index: int,
    plant: str | None,
    plant_output: str | None,
    printed_secret: str | None = None,
) -> str:
    """A notebook laid out byte for byte as nbformat.write lays it out (sorted keys, one space
    of indent, each source line its own string), built as plain JSON: nbformat validates every
    node it makes, which would take longer than the benchmark itself."""
    image = base64.b64encode(rng.randbytes(30_000)).decode()
    cells: list[dict[str, object]] = []
    for number in range(30):
        cell_id = f"{index:04d}{number:04d}"
        if number % 5 == 0:
            source = f"## Step {number}\nExploring the churn data, part {index}."
            cells.append(
                {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": lines(source)}
            )
            continue
        source = (
            f"frame_{number} = frame.groupby('segment').agg({{'x': 'mean'}})\nframe_{number}.head()"
        )
        if plant is not None and number == 7:
            source = f"import pandas as pd\nframe = pd.read_csv({plant!r})\nframe.head()"
        text = f"step {number}: {rng.random():.4f}\n"
        if printed_secret is not None and number == 3:
            text += f"using token {printed_secret}\n"
        outputs: list[dict[str, object]] = [
            {"name": "stdout", "output_type": "stream", "text": lines(text)}
        ]
        if number in (9, 19):
            outputs.append(
                {
                    "data": {"image/png": image, "text/plain": ["<Figure>"]},
                    "metadata": {},
                    "output_type": "display_data",
                }
            )
        if plant_output is not None and number == 13:
            outputs.append(
                {
                    "ename": "FileNotFoundError",
                    "evalue": "no such file",
                    "output_type": "error",
                    "traceback": [f'  File "{plant_output}", line 4, in load'],
                }
            )
        cells.append(
            {
                "cell_type": "code",
                "execution_count": number,
                "id": cell_id,
                "metadata": {},
                "outputs": outputs,
                "source": lines(source),
            }
        )
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def module_path(index: int) -> str:
    return f"src/features/pkg_{index % 50}/sub_{index % 7}/module_{index}.py"


def generate(root: Path, total: int, seed: int = 10) -> Planted:
    """Write the repository for about ``total`` files into ``root`` and commit it."""
    rng = random.Random(seed)
    planted = Planted()
    files: dict[str, str | bytes] = {"dsdone.yaml": CONTRACT, ".gitignore": "data/\n"}
    modules, tests = total * 75 // 100, total * 15 // 100
    notebooks, configs = max(total * 15 // 1000, 10), total * 75 // 1000

    for index in range(modules):
        files[module_path(index)] = module_text(rng, index)
    for index in range(50):
        for sub in range(7):
            files[f"src/features/pkg_{index}/sub_{sub}/__init__.py"] = ""
        files[f"src/features/pkg_{index}/__init__.py"] = ""
    for index in range(tests):
        files[f"tests/unit/group_{index % 30}/test_module_{index}.py"] = test_text(index)
    for index in range(configs):
        files[f"configs/experiments/exp_{index % 40}/config_{index}.yaml"] = config_text(index)

    # Planted personal paths, each where a data scientist would leave one.
    windows = [
        "C:\\\\Users\\\\ana\\\\data\\\\train.csv",  # escaped backslashes, in source
        "C:/Users/ana/data/train.csv",
        "c:\\\\users\\\\bob\\\\models",
    ]
    for number, spelling in enumerate(windows):
        relative = module_path(number * 10 + 1)
        files[relative] = str(files[relative]) + f'\nLOCAL_COPY = "{spelling}"\n'
        planted.add(relative, str(files[relative]), spelling)
    relative = module_path(33)
    files[relative] = str(files[relative]) + "\nRAW = r'C:\\Users\\carl\\Desktop\\x.parquet'\n"
    planted.add(relative, str(files[relative]), "C:\\Users\\carl")
    for number in range(10):
        relative = f"configs/experiments/exp_{number}/config_{number}.yaml"
        needle = f"/Users/ana/experiments/run_{number}"
        files[relative] = str(files[relative]) + f"output_dir: {needle}\n"
        planted.add(relative, str(files[relative]), needle)
    files["environment.yml"] = (
        "name: churn\ndependencies:\n  - python=3.11\nprefix: /home/ana/miniconda3/envs/churn\n"
    )
    planted.add("environment.yml", str(files["environment.yml"]), "/home/ana/miniconda3")
    files["requirements.txt"] = (
        "pandas==2.2.2\nfeatlib @ file:///Users/ana/wheels/featlib-0.1.whl\nscikit-learn>=1.3\n"
    )
    planted.add("requirements.txt", str(files["requirements.txt"]), "file:///Users/ana")
    planted.add("requirements.txt", str(files["requirements.txt"]), "scikit-learn", "environment")
    files["scripts/sync.sh"] = "#!/bin/sh\nrsync -a /mnt/c/Users/ana/exports/ data/raw/\n"
    planted.add("scripts/sync.sh", str(files["scripts/sync.sh"]), "/mnt/c/Users/ana")

    plant_other_checks(rng, files, planted)

    github_token = "ghp_" + "".join(rng.choices(ALPHANUMERIC, k=36))
    for index in range(notebooks):
        plant = "/Users/ana/data/churn.csv" if index < 10 else None
        plant_output = "/home/bob/churn/load.py" if 10 <= index < 15 else None
        printed_secret = github_token if index == 20 else None
        relative = f"notebooks/eda_{index:03d}.ipynb"
        text = notebook_text(rng, index, plant, plant_output, printed_secret)
        files[relative] = text
        for planted_path in (plant, plant_output):
            if planted_path is not None:
                planted.add(relative, text, planted_path)
        if plant_output is not None:  # the traceback is a saved error output
            planted.add(relative, text, '"output_type": "error"', "notebook-hygiene")
        if printed_secret is not None:
            planted.add(relative, text, printed_secret, "secrets")

    for index in range(3):  # tracked binary model files of several MB
        files[f"models/model_{index}.pkl"] = b"\x80\x04\0" + rng.randbytes(4 * MB)

    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    (root / "data").mkdir()
    with (root / "data" / "raw_events.csv").open("w") as stream:  # ignored: never read
        line = "user_id,/home/ana/raw,2026-01-01,0.5\n"
        stream.write(line * (40 * MB // len(line)))

    env = quiet_git_env()
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return planted


def plant_other_checks(rng: random.Random, files: dict[str, str | bytes], planted: Planted) -> None:
    """One or more cases for each of the other checks that read every file, each where a data
    scientist would leave it: they must pay for themselves with the shared pre-filter."""
    relative = "configs/experiments/exp_3/config_3.yaml"
    key = "AKIA" + "".join(rng.choices(AWS_KEY_ALPHABET, k=16))
    files[relative] = str(files[relative]) + f"aws_access_key_id: {key}\n"
    planted.add(relative, str(files[relative]), key, "secrets")

    relative = module_path(44)
    url = "postgresql://etl:" + "".join(rng.choices(ALPHANUMERIC, k=14)) + "@db.internal/churn"
    files[relative] = str(files[relative]) + f'\nWAREHOUSE = "{url}"\n'
    planted.add(relative, str(files[relative]), url, "secrets")

    relative = module_path(55)
    files[relative] = str(files[relative]) + '\nprint("features loaded", SEED)\n'
    planted.add(relative, str(files[relative]), "print(", "logging")

    copy = module_path(4).replace("module_4.py", "module_4_old.py")
    files[copy] = files[module_path(4)]
    planted.add_file(copy, "copy-versioning")


def quiet_git_env() -> dict[str, str]:
    env = dict(os.environ)
    for role in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{role}_NAME"] = "Bench"
        env[f"GIT_{role}_EMAIL"] = "bench@example.com"
    return env


# -- measuring -------------------------------------------------------------------------------


def timed(command: Sequence[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - started, completed


def alternate(commands: dict[str, Sequence[str]], cwd: Path, rounds: int) -> dict[str, list[float]]:
    """Run the commands in turn, ``rounds`` times, so that machine noise hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            seconds, completed = timed(command, cwd)
            if completed.returncode not in (0, 1):
                raise SystemExit(
                    f"{name} failed ({completed.returncode}): {completed.stderr[-500:]!r}"
                )
            times[name].append(seconds)
    return times


def peak_memory_mb(command: Sequence[str], cwd: Path) -> float:
    """Peak resident memory of ``command`` and its children, measured in a fresh process so
    that no earlier child counts."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    completed = subprocess.run(
        [PYTHON, "-c", probe, *command], cwd=cwd, capture_output=True, text=True, check=True
    )
    return int(completed.stdout.strip()) / 1024  # ru_maxrss is in KB on Linux


Case = tuple[str, str, int]  # check, path, line (0: the whole file)


def verify(report: dict[str, object], planted: Planted) -> tuple[set[Case], set[Case]]:
    """The planted cases no check reported, and what personal-paths reported beyond its own."""
    results = report["results"]
    assert isinstance(results, list)
    missed: set[Case] = set()
    extra: set[Case] = set()
    for result in results:
        check = result["check"]
        found = {(f["path"], f.get("line") or 0) for f in result["findings"]}
        expected = planted.expected.get(check, set())
        missed |= {(check, *case) for case in expected - found}
        if check == EXACT_CHECK:
            extra |= {(check, *case) for case in found - expected}
    return missed, extra


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def report_line(label: str, value: float, target: float, unit: str = "x") -> str:
    verdict = "ok" if value <= target else "MISSED"
    return f"  {label:<44} {value:7.2f}{unit}   target <= {target:g}{unit}   {verdict}"


def benchmark(total: int, rounds: int, keep: Path | None) -> int:
    with tempfile.TemporaryDirectory(prefix="dsdone-bench-") as temporary:
        root = (keep or Path(temporary)) / f"repo-{total}"
        root.mkdir(parents=True)
        started = time.perf_counter()
        planted = generate(root, total)
        files = len(
            subprocess.run(
                ["git", "ls-files"], cwd=root, capture_output=True, check=True
            ).stdout.splitlines()
        )
        print(f"generated {files} tracked files in {time.perf_counter() - started:.1f} s at {root}")

        check = [DSDONE, "check", "--format", "json"]
        grep = ["git", "grep", "-I", "-n", "-E", "-e", GREP_PATTERN]
        timed(check, root)  # warm the page cache for both, and fill dsdone's cache
        timed(grep, root)
        # Without its cache (--no-cache), dsdone does what a first run does: every file is
        # searched and parsed again. Timed for the record; the target is the check as run.
        cold = [*check, "--no-cache"]
        times = alternate({"check": check, "grep": grep, "cold": cold}, root, rounds)
        start = alternate(
            {"version": [DSDONE, "--version"], "python": [PYTHON, "-c", "pass"]}, root, rounds * 2
        )
        memory = peak_memory_mb(check, root)
        _, completed = timed(check, root)
        report = json.loads(completed.stdout)
        missed, extra = verify(report, planted)

        check_ms, grep_ms = median_ms(times["check"]), median_ms(times["grep"])
        cold_ms = median_ms(times["cold"])
        version_ms, python_ms = median_ms(start["version"]), median_ms(start["python"])
        print(f"\nmedians over {rounds} alternating rounds")
        print(f"  dsdone check --format json   {check_ms:8.0f} ms")
        print(f"  git grep -I -n -E            {grep_ms:8.0f} ms")
        cold_ratio = cold_ms / grep_ms
        print(f"  dsdone check --no-cache      {cold_ms:8.0f} ms   ({cold_ratio:.2f}x git grep)")
        print(f"  dsdone --version             {version_ms:8.0f} ms")
        print(f"  python -c pass               {python_ms:8.0f} ms")
        print("per check (last run):")
        for result in sorted(report["results"], key=lambda r: -r["duration_ms"]):
            print(f"  {result['check']:<22} {result['duration_ms']:8.0f} ms  {result['status']}")
        print("targets")
        print(report_line("full check / git grep", check_ms / grep_ms, 3.5))
        print(report_line("--version / bare python", version_ms / python_ms, 4))
        print(report_line("peak memory of dsdone check", memory, 200, " MB"))
        counts = ", ".join(f"{name} {len(cases)}" for name, cases in planted.expected.items())
        print(f"planted cases: {len(planted)} ({counts}); missed {len(missed)}; ", end="")
        print(f"unexpected {len(extra)}")
        for name, path, line in sorted(missed):
            print(f"  MISSED {name}: {path}:{line}")
        for name, path, line in sorted(extra):
            print(f"  UNEXPECTED {name}: {path}:{line}")
        return 1 if missed or extra else 0


def scale(rounds: int, keep: Path | None, sizes: Sequence[int] = (5000, 10000, 20000)) -> int:
    print(f"{'files':>7} {'check ms':>9} {'ms / 1k files':>14} {'git grep ms':>12} {'peak MB':>8}")
    failed = 0
    for total in sizes:
        with tempfile.TemporaryDirectory(prefix="dsdone-bench-") as temporary:
            root = (keep or Path(temporary)) / f"repo-{total}"
            root.mkdir(parents=True)
            planted = generate(root, total)
            check = [DSDONE, "check", "--format", "json"]
            grep = ["git", "grep", "-I", "-n", "-E", "-e", GREP_PATTERN]
            timed(check, root)
            times = alternate({"check": check, "grep": grep}, root, rounds)
            memory = peak_memory_mb(check, root)
            _, completed = timed(check, root)
            missed, extra = verify(json.loads(completed.stdout), planted)
            failed |= bool(missed or extra)
            check_ms = median_ms(times["check"])
            print(
                f"{total:>7} {check_ms:>9.0f} {check_ms / total * 1000:>14.1f} "
                f"{median_ms(times['grep']):>12.0f} {memory:>8.0f}"
            )
    return 1 if failed else 0


# -- shapes: files that once took quadratic time, timed at two sizes -------------------------


@dataclass(frozen=True)
class Shape:
    """A file of one shape that a check reads, at a size ``n`` (``files(n)``), and the check."""

    name: str
    check: str
    contract: str
    files: Callable[[int], dict[str, str]]
    small: int


def _vocabulary(n: int) -> dict[str, str]:
    # A tokenizer's vocabulary: n keys, one a line, as Hugging Face writes vocab.json.
    body = ",\n".join(f'  "tok{i}": {i}' for i in range(n))
    return {"configs/vocab.json": "{\n" + body + "\n}\n"}


def _minified_secrets(n: int) -> dict[str, str]:
    # One line (a minified file) of n objects, each with a secret: every secret's line is found.
    items = ",".join(f'{{"name": "s{i}", "api_key": "k3y{i:08d}x"}}' for i in range(n))
    return {"configs/secrets.json": f'{{"services": [{items}]}}\n'}


def _long_line(n: int) -> dict[str, str]:
    # One line of n path-like words, a personal path among them: a minified bundle or a dump.
    words = " ".join(f"/opt/data/part_{i}/x" for i in range(n))
    return {"src/bundle.txt": f"{words} /home/ana/data.csv\n"}


def _notebook_output(n: int) -> dict[str, str]:
    # A cell whose saved output is a traceback printed in a loop: n lines under /home/.
    text = [f'  File "/home/ana/lib/module_{i}.py", line {i}, in load\n' for i in range(n)]
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "c0",
        "metadata": {},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": text}],
        "source": ["load_all()\n"],
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return {"notebooks/run.ipynb": json.dumps(notebook, sort_keys=True, indent=1) + "\n"}


_CONFIGS = CONTRACT + "config:\n  files: ['configs/*.json']\n"
SHAPES = (
    Shape(
        "JSON config, a key a line (vocab.json)", "tracked-config", _CONFIGS, _vocabulary, 50_000
    ),
    Shape("minified JSON config, secrets", "tracked-config", _CONFIGS, _minified_secrets, 20_000),
    Shape("one very long line", "personal-paths", CONTRACT, _long_line, 200_000),
    Shape("notebook cell, many output lines", "personal-paths", CONTRACT, _notebook_output, 20_000),
)


def shapes(rounds: int, keep: Path | None) -> int:
    """Each shape at n and 2n: the check's own time (from the JSON report) and the ratio, which
    is about 2 when the time grows linearly (and 4 when it grows quadratically)."""
    print(f"{'shape':<46} {'n':>8} {'check ms':>9} {'2n':>8} {'check ms':>9} {'ratio':>6}")
    for shape in SHAPES:
        measured = []
        for n in (shape.small, 2 * shape.small):
            with tempfile.TemporaryDirectory(prefix="dsdone-shape-") as temporary:
                root = (keep or Path(temporary)) / f"{shape.check}-{n}"
                root.mkdir(parents=True)
                write_repository(root, {"dsdone.yaml": shape.contract, **shape.files(n)})
                command = [DSDONE, "check", "--format", "json", "--select", shape.check]
                durations = []
                for _ in range(rounds):
                    _, completed = timed(command, root)
                    [result] = json.loads(completed.stdout)["results"]
                    durations.append(result["duration_ms"])
                measured.append(statistics.median(durations))
        ratio = measured[1] / max(measured[0], 0.001)
        print(
            f"{shape.name:<46} {shape.small:>8} {measured[0]:>9.0f} {2 * shape.small:>8} "
            f"{measured[1]:>9.0f} {ratio:>6.2f}"
        )
    return 0


def write_repository(root: Path, files: dict[str, str]) -> None:
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    env = quiet_git_env()
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "shape"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)


def compile_bytecode() -> None:
    """Compile dsdone's modules, as pip does at install and Python at the first run of an
    editable install. Where ``PYTHONDONTWRITEBYTECODE`` is set (some sandboxes and CI images
    set it), Python would otherwise compile about 130 modules again in every timed run: about
    0.12 s of CPU that no installed dsdone spends."""
    import compileall
    import importlib

    for package in ("dsdone", "dsdone.checks"):  # the checks are installed from checks/
        where = importlib.import_module(package).__file__
        if where is not None:
            compileall.compile_dir(Path(where).parent, quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--files", type=int, default=20000, help="about how many files (default 20000)"
    )
    parser.add_argument(
        "--rounds", type=int, default=11, help="timed rounds of each command (default 11)"
    )
    parser.add_argument("--scale", action="store_true", help="run at 5k, 10k and 20k files")
    parser.add_argument(
        "--shapes",
        action="store_true",
        help="time files of the shapes that were once quadratic, at two sizes each",
    )
    parser.add_argument("--keep", type=Path, help="build the repositories in DIR and keep them")
    options = parser.parse_args(argv)
    if not Path(DSDONE).exists():
        raise SystemExit(f"the dsdone console script is not at {DSDONE}: install dsdone first")
    compile_bytecode()
    if options.shapes:
        return shapes(options.rounds, options.keep)
    run: Callable[[], int] = (
        (lambda: scale(options.rounds, options.keep))
        if options.scale
        else (lambda: benchmark(options.files, options.rounds, options.keep))
    )
    return run()


if __name__ == "__main__":
    sys.exit(main())
