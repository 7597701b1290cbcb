"""A monorepo's root adopts nothing from inside one of its subprojects.

A repository whose folders are projects of their own (a course of modules, a collection of
workshops, plugins side by side) has no single input, config or training command: what one
subproject reads is not what the repository does. A subproject is a folder below the root with
packaging or a pipeline of its own (``pyproject.toml``, ``setup.py``, ``requirements.txt``,
``MLproject``, ``dvc.yaml``, ``Pipfile``, ``environment.yml``, a Kedro ``conf/base``); such a
file in a folder that builds or deploys an image (``deployment/requirements.txt``, the
image's) makes the folder above it the subproject. The root is a monorepo when two or more
top-level folders hold one. There, inputs, config globs and the
retrain command that lie inside a subproject are left out, and a TODO names the subprojects
(each can be adopted on its own: ``dsdone init --existing`` in its folder). Tests are kept:
counting every subproject's tests is what the root's test suite is.
"""

from __future__ import annotations

from dsdone.adopt.inference import Inference
from dsdone.adopt.places import is_aside
from dsdone.analysis.container_accounts import DEPLOYMENT_FOLDERS

# Files that make the folder holding them a project of its own.
_MARKERS = frozenset(
    {"pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "MLproject", "dvc.yaml",
     "Pipfile", "environment.yml", "environment.yaml", "conda.yaml"}
)  # fmt: skip
MAX_DEPTH = 3  # folders below the root where a subproject's marker is looked for
SHOWN = 5


def subprojects(files: list[str]) -> list[str]:
    """The outermost folders below the root that are projects of their own, sorted."""
    found: set[str] = set()
    for path in files:
        folder, _, name = path.rpartition("/")
        if not folder or folder.count("/") >= MAX_DEPTH or is_aside(path):
            continue
        if name in _MARKERS or (folder.endswith("conf/base") and name.endswith((".yml", ".yaml"))):
            folder = folder.removesuffix("/conf/base").removesuffix("conf/base")
            parent, _, last = folder.rpartition("/")
            found.add(parent if last in DEPLOYMENT_FOLDERS else folder)
    found.discard("")
    return sorted(f for f in found if not any(f.startswith(other + "/") for other in found))


def monorepo_subprojects(files: list[str]) -> list[str]:
    """The subprojects, when the root is a monorepo of them (two or more top-level folders
    hold one); else none."""
    projects = subprojects(files)
    if len({project.partition("/")[0] for project in projects}) < 2:
        return []
    return projects


def outside(files: list[str], projects: list[str]) -> list[str]:
    """The files that lie in no subproject: the root's own."""
    return [path for path in files if not any(path.startswith(p + "/") for p in projects)]


def confine_retrain(projects: list[str], found: Inference) -> None:
    """A retrain command picked from inside one subproject is listed as a candidate instead,
    and a TODO names the subprojects."""
    if not projects:
        return
    retrain = found.retrain
    if retrain is not None and any(retrain.origin.startswith(p + "/") for p in projects):
        found.retrain_candidates.insert(0, retrain.command)  # listed, for the user to pick
        found.retrain = None
    shown = ", ".join(f"{p}/" for p in projects[:SHOWN])
    more = f" and {len(projects) - SHOWN} more" if len(projects) > SHOWN else ""
    found.todo.append(
        f"this repository holds {len(projects)} subprojects ({shown}{more}): no input, config "
        "or retrain command is adopted from inside one of them; run `dsdone init --existing` in "
        "a subproject's folder to adopt it, or declare here what the repository as a whole "
        "reads and runs"
    )
