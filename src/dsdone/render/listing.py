"""``dsdone list``: every available check, as a table for people or as JSON for tools.

The table is one line per check, its columns as wide as their widest cell and the title last,
never wrapped and never padded: ``dsdone list | grep model`` finds whole rows at any width.
The JSON (as ``ruff rule --all --output-format json``) is a list in id order with what
``dsdone explain`` says of each check. Plugins name and describe their checks: every string is
escaped for the terminal, or made valid for JSON (``escape``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dsdone.api import Check
from dsdone.render import escape

_COLUMNS = ("id", "severity", "area", "source", "title")


def list_text(checks: Mapping[str, Check]) -> str:
    rows = [_COLUMNS] + [
        tuple(
            escape.line(value)
            for value in (item.id, item.severity.value, item.area.value, item.source, item.title)
        )
        for item in checks.values()
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_COLUMNS) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in rows
    ]
    return escape.neutralize_terminal("".join(line.rstrip() + "\n" for line in lines))


def list_json(checks: Mapping[str, Check]) -> str:
    entries = [_entry(item) for item in checks.values()]
    return escape.neutralize_json(
        json.dumps(escape.valid_data(entries), indent=2, ensure_ascii=False) + "\n"
    )


def _entry(item: Check) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "severity": item.severity.value,
        "area": item.area.value,
        "since": item.since,
        "source": item.source,
        "ml_test_score": list(item.ml_test_score),
        "fix": item.fix,
        "description": item.description,
        "url": item.url,
        "options": [
            {
                "name": info.name,
                "type": info.type,
                "default": _json_value(info.default),
                "help": info.help,
            }
            for info in item.option_info()
        ],
    }


def _json_value(value: Any) -> Any:
    """An option's default as JSON has it: a tuple as a list; anything JSON cannot write (a
    plugin's own type) as its ``repr``."""
    if isinstance(value, tuple):
        return [_json_value(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    return repr(value)
