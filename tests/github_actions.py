"""GitHub Actions, as far as the tests need them: expressions, and a composite action's steps.

``evaluate`` reads the expressions dsdone's workflows and action use (contexts, string
literals, ``==``, ``!=``, ``&&``, ``||``, ``!``, parentheses) as GitHub documents them:
strings compare without regard to case, ``&&`` and ``||`` give one of their operands, and a
missing property is null. ``run_action`` runs a composite action's ``shell: bash`` steps in
order as the runner does (``bash --noprofile --norc -eo pipefail``, one ``GITHUB_OUTPUT`` and
``GITHUB_STEP_SUMMARY`` file per step, ``GITHUB_ENV`` carried to the next steps) and records the
``uses:`` steps it would start, with their evaluated ``with:``, without starting them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_TOKEN = re.compile(
    r"\s*(?:(?P<op>\|\||&&|==|!=|!|\(|\))|'(?P<string>(?:[^']|'')*)'|(?P<name>[A-Za-z_][\w.-]*))"
)
_EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """The value of one expression (the text inside ``${{ }}``, or an ``if:``)."""
    tokens: list[tuple[str, str]] = []
    position = 0
    expression = expression.strip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        assert match is not None and match.end() > position, f"cannot read {expression!r}"
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    parser = _Parser(tokens, context)
    value = parser.either()
    assert parser.done(), f"cannot read {expression!r}"
    return value


def substitute(text: str, context: dict[str, Any]) -> str:
    """``text`` with each ``${{ expression }}`` replaced by its value, as a string."""
    return _EXPRESSION.sub(lambda match: _string(evaluate(match.group(1), context)), text)


def condition(text: str | bool | None, context: dict[str, Any]) -> bool:
    """Whether an ``if:`` holds; with or without ``${{ }}`` around it, as GitHub allows."""
    if text is None:
        return True
    if isinstance(text, bool):
        return text
    match = _EXPRESSION.fullmatch(text.strip())
    return _truthy(evaluate(match.group(1) if match else text, context))


def _string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", 0)


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return _truthy(left) == _truthy(right)
    return _string(left).casefold() == _string(right).casefold()


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], context: dict[str, Any]) -> None:
        self.tokens, self.context, self.at = tokens, context, 0

    def done(self) -> bool:
        return self.at == len(self.tokens)

    def _take(self, op: str) -> bool:
        if not self.done() and self.tokens[self.at] == ("op", op):
            self.at += 1
            return True
        return False

    def either(self) -> Any:
        value = self.both()
        while self._take("||"):
            other = self.both()
            value = value if _truthy(value) else other
        return value

    def both(self) -> Any:
        value = self.compared()
        while self._take("&&"):
            other = self.compared()
            value = other if _truthy(value) else value
        return value

    def compared(self) -> Any:
        value = self.unary()
        if self._take("=="):
            return _equal(value, self.unary())
        if self._take("!="):
            return not _equal(value, self.unary())
        return value

    def unary(self) -> Any:
        if self._take("!"):
            return not _truthy(self.unary())
        if self._take("("):
            value = self.either()
            assert self._take(")"), "unclosed parenthesis"
            return value
        kind, text = self.tokens[self.at]
        self.at += 1
        if kind == "string":
            return text.replace("''", "'")
        assert kind == "name", f"unexpected {text!r}"
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        value: Any = self.context
        for part in text.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value


# -- a composite action ---------------------------------------------------------------------


@dataclass
class StepRun:
    name: str
    id: str | None
    uses: str | None = None
    with_: dict[str, str] = field(default_factory=dict)
    skipped: bool = False  # its `if:` did not hold
    code: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]  # the action's outputs

    @property
    def code(self) -> int:
        """The exit code of the step that failed (the runner stops there), or 0."""
        return next((step.code for step in self.steps if step.code), 0)

    @property
    def summary(self) -> str:
        return "".join(step.summary for step in self.steps)

    @property
    def stdout(self) -> str:
        return "".join(step.stdout for step in self.steps)

    def step(self, name: str) -> StepRun:
        return next(step for step in self.steps if name in (step.id, step.name))


def read_outputs(text: str) -> dict[str, str]:
    """``name=value`` lines and ``name<<DELIMITER`` blocks, as the runner reads them."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            outputs[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(
    action_file: Path,
    work: Path,
    inputs: dict[str, str],
    env: dict[str, str],
    github: dict[str, Any] | None = None,
) -> ActionRun:
    """Run the composite action in ``action_file`` as a step of a job would, with ``inputs``
    (defaults filled in as GitHub does) and the job's environment ``env``; stop at the first
    step that fails, as the runner does."""
    bash = shutil.which("bash")
    assert bash is not None, "bash is not installed"
    action = yaml.safe_load(action_file.read_text(encoding="utf-8"))
    declared = action.get("inputs", {})
    unknown = set(inputs) - set(declared)
    assert not unknown, f"the action has no inputs {sorted(unknown)}"
    given = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    given.update(inputs)
    context: dict[str, Any] = {
        "inputs": given,
        "steps": {},
        "github": {"action_path": str(action_file.parent), **(github or {})},
        "env": env,
    }
    job_env = dict(env)
    runs: list[StepRun] = []
    for number, step in enumerate(action["runs"]["steps"]):
        run = StepRun(name=step.get("name", f"step {number}"), id=step.get("id"))
        runs.append(run)
        if not condition(step.get("if"), context):
            run.skipped = True
            continue
        if "uses" in step:
            run.uses = step["uses"]
            run.with_ = {k: substitute(str(v), context) for k, v in step.get("with", {}).items()}
            continue
        assert step.get("shell") == "bash", f"{run.name}: not a bash step"
        files = {
            name: work / f"{number}-{name.lower()}"
            for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH")
        }
        for path in files.values():
            path.write_text("", encoding="utf-8")
        step_env = {
            **job_env,
            **{name: str(path) for name, path in files.items()},
            "GITHUB_ACTION_PATH": str(action_file.parent),
            **{k: substitute(str(v), context) for k, v in step.get("env", {}).items()},
        }
        script = work / f"{number}-script.sh"
        script.write_text(step["run"], encoding="utf-8")
        completed = subprocess.run(
            [bash, "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            env=step_env,
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        run.code, run.stdout, run.stderr = completed.returncode, completed.stdout, completed.stderr
        run.outputs = read_outputs(files["GITHUB_OUTPUT"].read_text(encoding="utf-8"))
        run.summary = files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")
        job_env.update(read_outputs(files["GITHUB_ENV"].read_text(encoding="utf-8")))
        if run.id:
            context["steps"][run.id] = {"outputs": run.outputs}
        if run.code:
            break
    outputs = {
        name: substitute(str(spec.get("value", "")), context)
        for name, spec in action.get("outputs", {}).items()
    }
    return ActionRun(runs, outputs)
