"""The layers of dsdone, kept by a test: dependencies point down, and each boundary the README's
architecture section names holds. Read from the source with ``ast``: nothing is imported."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = {"dsdone": ROOT / "src" / "dsdone", "dsdone.checks": ROOT / "checks"}

# Lower layers never import higher ones. A module not listed here fails the test that every
# module has a layer: a new module must say where it stands.
LAYERS: dict[str, int] = {
    # the public shapes and the leaves
    "dsdone": 0,
    "dsdone.errors": 0,
    "dsdone.release": 0,
    "dsdone.report": 0,
    "dsdone.grouping": 0,  # what formats list of the findings: report data in, report data out
    "dsdone.safe_read": 0,
    "dsdone.pysource": 0,
    "dsdone.globs": 0,
    "dsdone.discovery": 1,
    "dsdone.memo": 0,
    "dsdone.result_cache": 0,
    "dsdone.isolation": 0,
    "dsdone.writing": 1,
    "dsdone.search_literals": 2,
    "dsdone.api": 1,
    "dsdone.score": 1,
    "dsdone.yamlsource": 1,
    "dsdone.parsed": 1,
    # git: the only code that runs git
    "dsdone.git": 1,
    "dsdone.git.command": 1,
    "dsdone.git.anchors": 1,
    "dsdone.git.state": 2,
    "dsdone.git.sizes": 2,
    "dsdone.git.grep": 2,
    "dsdone.git.revision": 2,
    "dsdone.git.origin": 2,
    "dsdone.git.grep_cache": 3,  # what the search found, by blob: needs the file index
    "dsdone.git.prefetch": 3,
    "dsdone.git.running": 3,
    "dsdone.git.init": 3,
    "dsdone.git.worktree": 2,
    "dsdone.git.blobs": 2,
    # the repository model and the contract
    "dsdone.fileindex": 3,
    "dsdone.contract": 3,
    "dsdone.repository": 4,
    "dsdone.project": 5,
    # static readers shared by checks and adoption
    "dsdone.analysis": 5,
    "dsdone.analysis.personal_paths": 1,
    "dsdone.analysis.ini": 0,
    "dsdone.analysis.sample_validation": 1,
    "dsdone.analysis.pytest_collect": 1,
    "dsdone.analysis.cron": 1,
    "dsdone.analysis.samples": 1,
    "dsdone.analysis.table_schema": 1,
    "dsdone.analysis.code_refs": 5,
    "dsdone.analysis.workflow_tools": 5,
    "dsdone.analysis.pytest_config": 5,
    "dsdone.analysis.python_modules": 5,
    "dsdone.analysis.pytest_items": 5,
    "dsdone.analysis.test_suite": 5,
    "dsdone.analysis.shell": 1,
    "dsdone.analysis.container_accounts": 1,
    "dsdone.analysis.contacts": 1,
    "dsdone.analysis.secret_literals": 0,
    "dsdone.analysis.vendored": 0,
    "dsdone.analysis.secrets": 1,
    "dsdone.analysis.notebooks": 1,
    "dsdone.analysis.monitoring_tools": 1,
    "dsdone.analysis.ci": 1,
    "dsdone.analysis.schema_refs": 1,
    "dsdone.analysis.schema_diff": 1,
    "dsdone.analysis.requirements": 5,
    "dsdone.analysis.templates": 1,
    "dsdone.analysis.scripts": 1,
    "dsdone.analysis.kedro": 5,
    "dsdone.analysis.mlproject": 5,
    "dsdone.analysis.retrain_command": 5,
    "dsdone.analysis.command_arguments": 5,
    "dsdone.analysis.readme_commands": 5,
    "dsdone.analysis.install_commands": 5,
    "dsdone.analysis.setup_files": 5,
    "dsdone.analysis.run_recorders": 1,
    # the checks
    "dsdone.checks": 6,
    # one run, end to end
    "dsdone.registry": 7,
    "dsdone.runner": 7,
    "dsdone.waivers": 7,
    "dsdone.baseline": 7,
    "dsdone.engine": 8,
    "dsdone.monorepo": 8,
    "dsdone.unchecked": 8,
    "dsdone.scaffold": 8,
    "dsdone.editor_schema": 8,
    "dsdone.adopt": 8,
    "dsdone.testing": 8,
    "dsdone.runs": 8,
    "dsdone.render": 9,
    "dsdone.catalog": 9,
    "dsdone.render.escape": 0,  # text in, text out: used by the report's readers too
    "dsdone.cli": 10,
    "dsdone.__main__": 10,
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # what it imports (a module, or a name in one)
    line: int
    top_level: bool  # at module level (not inside a function)
    type_only: bool  # inside `if TYPE_CHECKING:`


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in SOURCE.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


def imports(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST, top_level: bool, type_only: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                yield from visit(child, top_level, True)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from visit(child, False, type_only)
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(module, alias.name, child.lineno, top_level, type_only)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    yield Import(module, f"{base}.{alias.name}", child.lineno, top_level, type_only)
            else:
                yield from visit(child, top_level, type_only)

    yield from visit(tree, True, False)


def all_imports() -> list[Import]:
    return [found for module, path in modules().items() for found in imports(module, path)]


def layer_of(module: str) -> int | None:
    """The layer of ``module`` or of the closest package that has one."""
    parts = module.split(".")
    while parts:
        name = ".".join(parts)
        if name in LAYERS:
            return LAYERS[name]
        parts.pop()
    return None


def internal(target: str, known: dict[str, Path]) -> str | None:
    """The dsdone module ``target`` names (``dsdone.report.Finding`` is ``dsdone.report``)."""
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def test_every_module_has_a_layer() -> None:
    missing = [module for module in modules() if layer_of(module) is None]
    assert missing == [], "add these modules to LAYERS, at the layer where they stand"


def test_dependencies_point_down() -> None:
    known = modules()
    upward = []
    for found in all_imports():
        target = internal(found.target, known)
        if target is None or found.type_only or target == found.module:
            continue
        if found.module.startswith("dsdone.cli") or target == "dsdone":
            continue  # the command line may use anything; the package root re-exports lazily
        mine, theirs = layer_of(found.module), layer_of(target)
        assert mine is not None and theirs is not None
        if theirs > mine:
            upward.append(f"{found.module}:{found.line} imports {target}")
    assert upward == []


@pytest.mark.parametrize("library", ["typer", "rich", "click", "dsdone.cli"])
def test_the_engine_and_the_checks_never_import_the_command_line(library: str) -> None:
    # Only the command line knows typer; only the terminal renderer knows rich.
    allowed = ("dsdone.cli", "dsdone.__main__") + (
        ("dsdone.render.terminal",) if library == "rich" else ()
    )
    offenders = [
        f"{found.module}:{found.line}"
        for found in all_imports()
        if (found.target == library or found.target.startswith(library + "."))
        and not found.module.startswith(allowed)
    ]
    assert offenders == []


_RUNS_GIT = re.compile(r"""(?:Popen|run|call|check_output)\(\s*\[\s*["']git["']""")


def test_only_the_git_package_starts_git() -> None:
    # GitPython and git commands (a call whose first argument list starts with "git") live in
    # dsdone.git and nowhere else.
    offenders = []
    for module, path in modules().items():
        if module.startswith("dsdone.git"):
            continue
        source = path.read_text(encoding="utf-8")
        for found in imports(module, path):
            if found.target == "git" or found.target.startswith("git."):
                offenders.append(f"{module}:{found.line} imports GitPython")
        for match in re.finditer(
            r"""(?:Popen|run|call|check_output)\(\s*\[\s*["']git["']""", source
        ):
            line = source.count("\n", 0, match.start()) + 1
            offenders.append(f"{module}:{line} runs git")
    assert offenders == []


def test_analysis_reads_through_the_repository_and_knows_no_check_or_contract() -> None:
    forbidden = ("dsdone.checks", "dsdone.project", "dsdone.contract", "dsdone.engine")
    offenders = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in all_imports()
        if found.module.startswith("dsdone.analysis") and found.target.startswith(forbidden)
    ]
    assert offenders == []


def test_no_import_cycles_at_module_level() -> None:
    known = modules()
    graph: dict[str, set[str]] = {module: set() for module in known}
    for found in all_imports():
        target = internal(found.target, known)
        if target and target != found.module and found.top_level and not found.type_only:
            graph[found.module].add(target)

    cycles: list[list[str]] = []

    def walk(module: str, trail: list[str], done: set[str]) -> None:
        if module in trail:
            cycles.append([*trail[trail.index(module) :], module])
            return
        if module in done:
            return
        for target in sorted(graph[module]):
            walk(target, [*trail, module], done)
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        walk(module, [], done)
    # A package's __init__ importing its own submodule is not a cycle of layers.
    real = [c for c in cycles if not all(m.startswith(c[0] + ".") or m == c[0] for m in c)]
    assert real == []
