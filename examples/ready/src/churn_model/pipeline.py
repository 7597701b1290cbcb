"""The input pipeline: read the training table and turn its rows into examples.

This is the code the contract's `inputs[].pipeline` points at (`churn_model.pipeline:load`).
It fails loudly on a missing column or a bad value, with the file and line, because a model
silently trained on a broken table is worse than no model.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class InputError(ValueError):
    """The input table does not have the columns or values the model needs."""


@dataclass(frozen=True)
class Example:
    id: str
    features: tuple[float, ...]
    label: int


def load(
    path: str | Path, features: Sequence[str], target: str, id_column: str = "id"
) -> list[Example]:
    """Read a CSV file with an id column, numeric feature columns and a 0/1 target column."""
    with open(path, newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        columns = reader.fieldnames or []
        missing = [name for name in (id_column, *features, target) if name not in columns]
        if missing:
            raise InputError(f"{path}: missing columns: {', '.join(missing)}")
        examples = []
        for line, row in enumerate(reader, start=2):
            try:
                values = tuple(float(row[name]) for name in features)
            except (TypeError, ValueError):
                raise InputError(f"{path}:{line}: a feature is not a number: {row}") from None
            label = (row[target] or "").strip()
            if label not in ("0", "1"):
                raise InputError(f"{path}:{line}: {target} must be 0 or 1, not {label!r}")
            examples.append(Example(id=row[id_column], features=values, label=int(label)))
    if not examples:
        raise InputError(f"{path}: the table has no rows")
    return examples
