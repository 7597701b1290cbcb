"""What a Python file does when it is run as a script (``python file.py``, ``python -m mod``),
read from its syntax tree: nothing is imported or run.

A file that only defines functions and classes (a ZenML ``@step``, a recipe's ``estimator_fn``,
a library module) exits at once when run: naming it as the command that retrains the model
is a claim that does not hold. A file that runs something has an ``if __name__ ==
"__main__":`` block or statements at its top level that call code (a notebook exported as a
script, ``main()`` at the end, ``fire.Fire(...)``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

# Decorators and calls that make a function a command-line entry point.
_CLI_DECORATORS = ("command", "main", "group", "flow", "callback")  # click, typer, hydra, prefect
_CLI_CALLS = ("ArgumentParser", "Fire", "Typer", "HfArgumentParser")
# Frameworks that serve a model (an API, a UI): a main.py importing one serves, it does not train.
_SERVING = frozenset(
    {"fastapi", "flask", "uvicorn", "gunicorn", "starlette", "gradio", "streamlit", "django",
     "bentoml", "litserve", "aiohttp", "tornado", "sanic", "dash"}
)  # fmt: skip


# Libraries a script that trains a model imports (by their top-level module).
# Schedulers whose workflow files are read by the scheduler, not run: an Airflow DAG file.
_SCHEDULERS = frozenset({"airflow"})
_LEARNING = frozenset(
    {"torch", "tensorflow", "keras", "sklearn", "lightning", "pytorch_lightning", "xgboost",
     "lightgbm", "catboost", "transformers", "jax", "flax", "statsmodels", "prophet", "mlflow",
     "wandb", "zenml", "kedro", "metaflow", "ray", "dvclive", "optuna", "accelerate", "timm",
     "ultralytics", "fastai", "spacy", "gensim", "sentence_transformers", "peft", "trl"}
)  # fmt: skip


@dataclass(frozen=True)
class ScriptFacts:
    """What running a file would do, as far as its syntax says."""

    acts: bool  # running it does something beyond defining names
    main_guard: bool  # it has an ``if __name__ == "__main__":`` block
    cli: bool  # it parses a command line (argparse, click, typer, fire, hydra)
    metaflow_flow: bool  # a Metaflow FlowSpec: it is run as ``python flow.py run``
    serves: bool  # it imports a web or UI framework (FastAPI, Flask, Streamlit, ...)
    trains: bool = False  # it imports a learning library or calls fit*/train* (not a renderer)
    # It defines a workflow for a scheduler (an Airflow DAG): the scheduler runs its tasks;
    # running the file itself only defines them.
    scheduled: bool = False
    # The positional arguments its argparse parser requires (``parser.add_argument("mode")``),
    # and "COMMAND" for a required sub-command: run without them, it exits with a usage error.
    required_arguments: tuple[str, ...] = ()


def script_facts(tree: ast.Module) -> ScriptFacts:
    """What running the module of ``tree`` as a script does."""
    defined = {
        node.name
        for node in _top_level(tree.body)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    guard = any(_is_main_guard(node) for node in tree.body)
    acts = guard or any(_acts(node, defined) for node in _top_level(tree.body))
    return ScriptFacts(
        acts=acts,
        main_guard=guard,
        cli=_parses_command_line(tree),
        metaflow_flow=any(_is_flow_spec(node) for node in tree.body),
        serves=bool(_imported(tree) & _SERVING),
        trains=bool(_imported(tree) & _LEARNING) or _calls_training(tree),
        scheduled=bool(_imported(tree) & _SCHEDULERS),
        required_arguments=tuple(_required_arguments(tree)),
    )


def _required_arguments(tree: ast.Module) -> Iterator[str]:
    """The positional arguments an argparse parser of the module requires: added by
    ``add_argument`` (or a name bound to it, ``arg = parser.add_argument``) on a parser made
    by ``ArgumentParser(...)`` itself (not a sub-command's, needed only when it is chosen),
    unless ``nargs`` makes them optional; and a sub-command, when ``add_subparsers`` says it
    is required."""
    parsers: set[str] = set()
    adders: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if not isinstance(target, ast.Name):
                continue
            if isinstance(value, ast.Call) and _name_of(value.func) == "ArgumentParser":
                parsers.add(target.id)
            elif _is_parser_method(value, parsers, "add_argument"):
                adders.add(target.id)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        adds = _is_parser_method(func, parsers, "add_argument") or (
            isinstance(func, ast.Name) and func.id in adders
        )
        if adds and node.args:
            first = node.args[0]
            if (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and not first.value.startswith("-")
                and _keyword(node, "nargs") not in ("?", "*", "...")
                and _keyword(node, "required") is not False
            ):
                yield first.value
        elif _is_parser_method(func, parsers, "add_subparsers") and _keyword(node, "required"):
            yield "COMMAND"


def _is_parser_method(node: ast.expr, parsers: set[str], method: str) -> bool:
    """Whether ``node`` is ``PARSER.method`` for one of the ``parsers`` (names of variables)."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == method
        and isinstance(node.value, ast.Name)
        and node.value.id in parsers
    )


def _keyword(call: ast.Call, name: str) -> object:
    """The literal value of the keyword argument ``name`` of ``call``; None when absent or not
    a literal (``argparse.REMAINDER`` is said as ``...``)."""
    for keyword in call.keywords:
        if keyword.arg == name:
            if isinstance(keyword.value, ast.Constant):
                return keyword.value.value
            if isinstance(keyword.value, ast.Attribute) and keyword.value.attr == "REMAINDER":
                return "..."
    return None


def _calls_training(tree: ast.Module) -> bool:
    """A call of something named ``fit*``, ``train*`` or ``training*`` (``model.fit(...)``,
    ``train(cfg)``, ``training_pipeline()``): what a script that trains runs."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name_of(node.func).rpartition(".")[2].lower()
            if name.startswith(("fit", "train")):
                return True
    return False


def _imported(tree: ast.Module) -> set[str]:
    """The top-level names of the modules ``tree`` imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.partition(".")[0])
    return names


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run at import, looking into ``if``/``try`` blocks (a guarded
    import, a version test) but not into the ``if TYPE_CHECKING:`` ones, which never run."""
    for node in body:
        if isinstance(node, ast.If):
            if "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if _is_main_guard(node):
                yield node
                continue
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _top_level(block)
            for handler in node.handlers:
                yield from _top_level(handler.body)
        else:
            yield node


def _is_main_guard(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "__name__" in ast.unparse(node.test)


def _acts(node: ast.stmt, defined: set[str]) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.Pass, ast.Global, ast.Nonlocal)):
        return False
    if isinstance(node, ast.Expr):
        # A docstring or a bare constant does nothing; a call (main(), exec(...)) does.
        return any(isinstance(child, ast.Call) for child in ast.walk(node.value))
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        # `logger = get_logger(__name__)` or `app = typer.Typer()` only prepares; a value
        # computed by this file's own code (`model = train(load())`) is the work itself.
        value = node.value
        return value is not None and any(
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Name)
            and child.func.id in defined
            for child in ast.walk(value)
        )
    # Loops, with-blocks, a raise, a match, an assert, a delete at the top: the file runs code.
    return True


def _parses_command_line(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name_of(node.func)
            if name in _CLI_CALLS:
                return True
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if _name_of(target) in _CLI_DECORATORS and isinstance(target, ast.Attribute):
                    return True
    return False


def _name_of(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _is_flow_spec(node: ast.stmt) -> bool:
    return isinstance(node, ast.ClassDef) and any(
        _name_of(base) == "FlowSpec" for base in node.bases
    )
