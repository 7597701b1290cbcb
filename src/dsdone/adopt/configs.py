"""The configuration a reader sees at once, declared as globs that stay true.

Found: folders named ``conf``, ``confs``, ``config``, ``configs`` (a Hydra tree, Kedro's
``conf/`` without ``conf/local``, ``src/configs``), ``recipes`` (a training recipe per model,
as Hugging Face's alignment-handbook keeps them) and hyperparameter folders (``hyps``,
``hparams``) anywhere but in tests, docs, examples and templates; hyperparameter files
(``params.yaml``, ``hparams.json``, ``hyperparams.toml``) and root-level ``*config*.yaml``; an
MLflow recipe with its profiles. A config folder becomes one glob per extension
(``configs/**/*.yaml``): a file added later is declared already. A folder that holds only
Python files (nanoGPT's ``config/train_gpt2.py``) is declared too.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from dsdone.adopt.inference import Inference, count, literal_path
from dsdone.adopt.places import is_aside
from dsdone.analysis.templates import is_templated_path
from dsdone.repository import Repository

SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".ini", ".cfg")
FOLDER_NAMES = frozenset(
    {"conf", "confs", "config", "configs", "recipes", "hyps", "hparams", "hyperparams"}
)
_PARAMETER_WORDS = ("params", "hparams", "hyperparams", "hyperparameters", "parameters")
# Tools' own configuration at the root: not what changes a training run.
_TOOL_CONFIGS = (
    "tsconfig", "jsconfig", "pyrightconfig", "babel.config", "jest.config", "commitlint",
    "eslint", "prettier", "biome", "vite.config", "webpack.config", "codecov", "readthedocs",
)  # fmt: skip


def infer_configs(repository: Repository, files: list[str], found: Inference) -> None:
    wanted: list[str] = []
    folders: set[str] = set()
    if "recipe.yaml" in files:
        folders.add("profiles")  # an MLflow recipe's profiles: configuration by environment
    packages = {path.rpartition("/")[0] for path in files if path.endswith("/__init__.py")}
    for path in files:
        folder = _config_folder(path)
        if folder is not None:
            if path.endswith(SUFFIXES) or _python_config(path, folder, packages):
                wanted.append(path)
                folders.add(folder)
        elif _is_loose_config(path) or _is_recipe(path):
            wanted.append(path)
    unread = {
        folder for folder in folders if folder != "profiles" and not _is_read(repository, folder)
    }
    if unread:
        wanted = [path for path in wanted if _config_folder(path) not in unread]
        folders -= unread
        shown = ", ".join(f"{folder}/" for folder in sorted(unread)[:3])
        found.todo.append(
            f"{shown}: named like config, but no code or tool of the repository reads it, so it "
            "is not declared as training config; add it under config.files if a run reads it"
        )
    wanted = [path for path in wanted if not _is_template_file(repository, path, found)]
    # Entries are globs: a name with a glob's special characters would mean another pattern.
    literal = [path for path in wanted if literal_path(path)]
    if len(literal) < len(wanted):
        found.leave_out("config file", len(wanted) - len(literal))
    wanted = literal
    folders = {folder for folder in folders if literal_path(folder)}
    found.config_files = _globs(wanted, folders, files)
    if found.config_files:
        entries = found.config_files
        shown = ", ".join(entries[:3]) + (
            f" and {len(entries) - 3} more" if len(entries) > 3 else ""
        )
        found.found.append(f"{count(len(wanted), 'config file')}: {shown}")
    else:
        found.todo.append(
            "no config files found (configs/, conf/, recipes/, params.yaml, a *config*.yaml at "
            "the top): declare the files that change a training run under config.files"
        )


# Files whose text says which config a run reads: code, scripts and the tools that start runs
# (not docker-compose or a dashboard's provisioning, which read config of their own).
_READERS = (".py", ".sh", ".ipynb", "Makefile", "makefile", "justfile", "dvc.yaml", "MLproject",
            "pyproject.toml", "setup.cfg", "README.md")  # fmt: skip


def _is_read(repository: Repository, folder: str) -> bool:
    """Whether code or a tool outside ``folder`` names it: ``config_path="../configs"``
    (Hydra), ``python train.py config/train_gpt2.py`` (a README command), ``-c configs/x.yaml``
    (a Makefile), or it is Kedro's ``conf/`` (read by the framework, with ``conf/base``)."""
    name = folder.rpartition("/")[2]
    if name == "conf" and any(p.startswith(f"{folder}/base/") for p in repository.files):
        return True
    found = repository.grep([name.encode()])
    if found is None:
        return True  # git cannot search here: keep the folder rather than guess
    forms = (f"{name}/", f'{name}"', f"{name}'")
    for hit in found:
        if hit.path.startswith(folder + "/") or not hit.path.endswith(_READERS):
            continue
        if hit.path.endswith("README.md") and "/" in hit.path:
            continue  # only the root README documents how the repository runs
        for _, raw in hit.lines:
            line = raw.decode("utf-8", "replace")
            if any(form in line for form in forms):
                return True
    return False


def _config_folder(path: str) -> str | None:
    """The outermost config folder ``path`` lies in (``src/configs``), if any, when it is a
    place a reader would look (not tests, docs, examples, templates, ``conf/local``)."""
    parts = path.split("/")[:-1]
    for index, part in enumerate(parts):
        if part.lower() in FOLDER_NAMES:
            if is_aside(path) or is_templated_path(path):
                return None
            rest = parts[index + 1 :]
            if part == "conf" and rest[:1] == ["local"]:
                return None  # Kedro's local environment: credentials, never committed config
            return "/".join(parts[: index + 1])
    return None


def _python_config(path: str, folder: str, packages: set[str]) -> bool:
    """A Python file in a config folder that is not a package: configuration written as
    Python (``config/train_gpt2.py``, passed as ``python train.py config/train_gpt2.py``)."""
    if not path.endswith(".py") or path.rpartition("/")[0] != folder:
        return False
    return folder not in packages


def _is_loose_config(path: str) -> bool:
    """Root-level ``*config*.yaml`` and hyperparameter files anywhere sensible."""
    pure = PurePosixPath(path)
    name = pure.name.lower()
    if pure.suffix.lower() not in SUFFIXES or name.startswith(".") or is_aside(path):
        return False
    if is_templated_path(path):
        return False
    stem = name.rsplit(".", 1)[0]
    if stem.startswith("_"):
        return False  # _config.yml: a static site's (Jekyll), not the model's
    if any(stem.startswith(word) or stem.endswith(word) for word in _PARAMETER_WORDS):
        return True  # params.yaml (DVC), hparams.json, model_hyperparameters.toml
    if "/" in path or "config" not in stem:
        return False
    return not stem.startswith(_TOOL_CONFIGS)


def _is_recipe(path: str) -> bool:
    """An MLflow recipe: recipe.yaml and its profiles/*.yaml."""
    return path == "recipe.yaml" or (path.startswith("profiles/") and path.endswith(".yaml"))


def _is_template_file(repository: Repository, path: str, found: Inference) -> bool:
    """A config that does not parse because it is a Jinja template (MLflow recipes render
    recipe.yaml from its profiles): not declared, since no parser can read it as it is."""
    if not path.endswith((".yaml", ".yml", ".json", ".toml")):
        return False
    parsed = repository.parsed(path)
    if parsed.problem is None:
        return False
    try:
        text = repository.read_text(path)
    except (OSError, ValueError):
        return False
    if "{{" in text or "{%" in text:
        found.todo.append(f"{path} is a template (Jinja), so it is not declared as config")
        return True
    return False


def _globs(wanted: list[str], folders: Iterable[str], files: list[str]) -> list[str]:
    """``wanted`` as the fewest entries that stay true: each config folder (or its subfolders,
    when some files in it are not wanted) as ``FOLDER/**/*.EXT``, other files as they are."""
    wanted_set = set(wanted)
    entries: list[str] = []
    covered: set[str] = set()
    for folder in sorted(folders):
        for entry, paths in _cover(folder, wanted_set, files):
            entries.append(entry)
            covered.update(paths)
    entries += [path for path in wanted if path not in covered]
    return sorted(dict.fromkeys(entries), key=lambda e: (e.count("/"), e))


def _cover(folder: str, wanted: set[str], files: list[str]) -> list[tuple[str, list[str]]]:
    prefix = folder + "/"
    inside = [path for path in files if path.startswith(prefix)]
    result: list[tuple[str, list[str]]] = []
    for suffix in sorted({PurePosixPath(path).suffix for path in inside if path in wanted}):
        of_kind = [path for path in inside if path.endswith(suffix)]
        if all(path in wanted for path in of_kind):
            result.append((f"{folder}/**/*{suffix}", of_kind))
            continue
        # Some files of this kind are not config (conf/local/, a template): cover the parts.
        direct = [p for p in of_kind if "/" not in p[len(prefix) :] and p in wanted]
        result += [(path, [path]) for path in direct]
        children = {p[len(prefix) :].partition("/")[0] for p in of_kind if "/" in p[len(prefix) :]}
        for child in sorted(children):
            sub = f"{prefix}{child}"
            result += [entry for entry in _cover(sub, wanted, files) if entry[0].endswith(suffix)]
    return result
