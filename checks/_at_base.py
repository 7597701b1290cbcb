"""The contract at the revision ``dsdone check --base REF`` names, and how the schemas of its
inputs and outputs changed since: shared by breaking-changes and contract-changes.

Everything at REF is read from git's objects (``Project.at_revision``): no checkout, nothing
written. Paths at REF are the project's paths, joined with the project's folder in the
repository, and a schema's ``$ref``s are resolved within REF's tree only.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from dsdone.analysis.schema_diff import Change, Direction, Place, Schema, compare
from dsdone.analysis.schema_refs import Refused, tree_path, tree_resolver, tree_uri
from dsdone.api import CheckError, Skip
from dsdone.contract import MAX_CONTRACT_BYTES, Contract, Input, Output, contract_from_text
from dsdone.errors import DsdoneError, GitError
from dsdone.parsed import Parsed, as_phrase
from dsdone.project import OutsideProject, Project
from dsdone.repository import RevisionFiles

Entry = Input | Output
SECTIONS = (("outputs", Direction.OUTPUT), ("inputs", Direction.INPUT))


@dataclass(frozen=True)
class Base:
    """The revision compared with, and the contract as it was there."""

    files: RevisionFiles
    contract: Contract

    @property
    def name(self) -> str:
        return self.files.name


def open_base(project: Project) -> Base:
    """The contract at ``--base``. ``Skip`` without ``--base`` or when the contract is new since;
    ``CheckError`` naming what to fetch when the revision cannot be read."""
    if project.base is None:
        raise Skip(
            "no --base revision to compare with (in CI, the pull request's base: "
            "--base origin/main)"
        )
    try:
        files = project.at_revision(project.base)
    except GitError as exc:
        raise CheckError(f"--base {project.base}: {exc}") from None
    path = project.contract_path
    try:
        text = files.read_text(path, limit=MAX_CONTRACT_BYTES)
    except (GitError, OutsideProject) as exc:
        raise CheckError(f"--base {files.name}: {exc}") from None
    except UnicodeDecodeError:
        raise CheckError(f"{path} at {files.name} is not UTF-8 text") from None
    if text is None:
        raise Skip(f"{path} is new since {files.name}: no earlier promise to compare with")
    try:
        contract = contract_from_text(text, project.contract.path)
    except DsdoneError as exc:
        raise CheckError(f"the contract at {files.name} is not valid: {exc.message}") from None
    return Base(files, contract)


def entries_by_name(entries: tuple[Entry, ...] | None) -> dict[str, Entry]:
    """The named inputs or outputs, by name (the first of a repeated name)."""
    found: dict[str, Entry] = {}
    for entry in entries or ():
        if entry.name and entry.name not in found:
            found[entry.name] = entry
    return found


def major(version: int | str | None) -> int:
    """The major version of an input's or output's schema; none declared is version 1."""
    if version is None:
        return 1
    if isinstance(version, int):
        return version
    digits = str(version).split(".")[0].split("-")[0].split("+")[0]
    return int(digits) if digits.isdigit() else 1


@dataclass(frozen=True)
class EntryChanges:
    """How one input's or output's schema changed since the base revision."""

    section: str  # "outputs" or "inputs"
    direction: Direction
    name: str
    old: Entry
    new: Entry | None  # None: no longer in the contract
    changes: tuple[Change, ...] = ()
    schema_removed: bool = False  # it had a schema at the base, and has none now
    skipped: str | None = None  # why its schemas were not compared

    @property
    def label(self) -> str:
        return f"{self.section.removesuffix('s')} '{self.name}'"

    @property
    def bumped(self) -> str | None:
        """``1 → 2`` when the contract raised the schema's major version."""
        if self.new is None or major(self.new.version) <= major(self.old.version):
            return None
        return f"{self.old.version or 1} → {self.new.version}"


def schema_changes(project: Project, base: Base) -> Iterator[EntryChanges]:
    """Each input and output of the base contract, matched by name, with the changes of its
    schema. A ``CheckError`` when a schema at the base is not a valid JSON Schema."""
    for section, direction in SECTIONS:
        now = entries_by_name(getattr(project.contract, section))
        for name, old in entries_by_name(getattr(base.contract, section)).items():
            new = now.get(name)
            if new is None:
                yield EntryChanges(section, direction, name, old, None)
                continue
            if old.schema is None:
                yield EntryChanges(section, direction, name, old, new, skipped="no schema before")
                continue
            if new.schema is None:
                yield EntryChanges(section, direction, name, old, new, schema_removed=True)
                continue
            before = _schema_at_base(base, section, old)
            if before is None:
                skipped = f"its schema is new since {base.name}"
                yield EntryChanges(section, direction, name, old, new, skipped=skipped)
                continue
            after = _schema_now(project, section, new)
            if after is None:
                skipped = "its schema cannot be read now (output-schema says why)"
                yield EntryChanges(section, direction, name, old, new, skipped=skipped)
                continue
            changes = tuple(compare(before, after))
            yield EntryChanges(section, direction, name, old, new, changes)


def _schema_at_base(base: Base, section: str, entry: Entry) -> Schema | None:
    """The entry's schema at the base, its ``$ref``s read from there; None if its file did not
    exist there. ``CheckError`` if it was not a valid JSON Schema."""
    where = f"at {base.name}"

    def read(path: str) -> Any:
        return _document(base.files.parsed(path), where)

    try:
        return _schema(entry, section, base.contract.path.name, read, where)
    except Refused as exc:
        raise CheckError(
            f"{section}[{entry.index}] ({entry.name}): the schema {where} cannot be compared: {exc}"
        ) from None


def _schema_now(project: Project, section: str, entry: Entry) -> Schema | None:
    def read(path: str) -> Any:
        if not project.is_indexed(path):
            return None
        return _document(project.parsed(path), "")

    try:
        return _schema(entry, section, project.contract_path, read, "")
    except Refused:
        return None


def _document(parsed: Parsed | None, where: str) -> Any:
    """The data of a parsed file; ``Refused`` with its problem if it does not parse."""
    if parsed is None:
        return None
    if parsed.problem is not None:
        location = parsed.problem.location
        words = [parsed.path, where, as_phrase(parsed.problem.message).removeprefix(": ")]
        if location is not None and location.line is not None:
            words.append(f"(line {location.line})")
        raise Refused(" ".join(word for word in words if word))
    return parsed.data


def _schema(
    entry: Entry, section: str, contract: str, read: Callable[[str], Any], where: str
) -> Schema | None:
    """The entry's schema (a file or inline) with a resolver of its ``$ref``s that reads through
    ``read``; None if its file does not exist. ``Refused`` when it is not a valid schema."""
    if isinstance(entry.schema, str):
        path = posixpath.normpath(entry.schema.strip().replace("\\", "/"))
        contents = read(path)
        if contents is None:
            return None
        uri = tree_uri(path)
    else:
        path, contents = contract, dict(entry.schema or {})
        uri = tree_uri(contract, f"{section}/{entry.index}/schema")
    _valid(contents, path, where)
    return Schema(contents, tree_resolver(contents, uri, read), Place(uri))


def _valid(schema: Any, path: str, where: str) -> None:
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    if not isinstance(schema, (dict, bool)):
        raise Refused(f"{path} {where} is not a JSON Schema (a {type(schema).__name__})")
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        place = "/".join(str(p) for p in exc.absolute_path)
        raise Refused(
            f"{path} {where} is not a valid JSON Schema: {exc.message}"
            + (f" (at {place})" if place else "")
        ) from None


def locate(project: Project, place: Place) -> tuple[str | None, int | None]:
    """The file (relative to the project) and line of a place in the new schema."""
    found = tree_path(place.uri)
    if found is None:
        return None, None
    path, part = found
    if part is not None:  # a schema written inline in the contract
        at = tuple(int(key) if key.isdigit() else key for key in part.split("/"))
        return path, project.contract.line_of(*at, *place.parts)
    if path == project.contract_path:
        return path, project.contract.line_of(*place.parts)
    parsed = project.parsed(path) if project.is_indexed(path) else None
    return path, parsed.line_of(*place.parts) if parsed is not None else None
