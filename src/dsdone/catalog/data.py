"""The catalogue as JSON, for other tools: ``catalog_version`` 1, every row and every note.

The HTML page carries the same data for its script, which sorts and filters the table.
"""

from __future__ import annotations

from typing import Any

from dsdone import __version__
from dsdone.catalog.rows import Catalog, Row
from dsdone.render.json import dump

CATALOG_VERSION = 1


def catalog_data(catalog: Catalog) -> dict[str, Any]:
    rows = catalog.rows
    return {
        "dsdone": __version__,
        "catalog_version": CATALOG_VERSION,
        "summary": {
            "models": len(rows),
            "ready": sum(row.ready for row in rows),
            "not_ready": sum(not row.ready for row in rows),
            "unchecked": sum(not row.checked for row in rows),
            "repositories": catalog.repositories,
            "reports": catalog.reports,
        },
        "models": [row_data(row) for row in rows],
        "notes": list(catalog.notes),
    }


def row_data(row: Row) -> dict[str, Any]:
    return {
        "name": row.name,
        "description": row.description,
        "owner": row.owner,
        "consumers": list(row.consumers),
        "inputs": [
            {"name": item.name, "format": item.format, "source": item.source} for item in row.inputs
        ],
        "outputs": [
            {
                "name": item.name,
                "format": item.format,
                "consumers": None if item.consumers is None else list(item.consumers),
            }
            for item in row.outputs
        ],
        "retrain_schedule": row.schedule,
        "ready": row.ready,
        "checked": row.checked,
        "score": {"overall": row.overall, "areas": dict(row.areas)},
        "failing": [
            {"check": f.check, "title": f.title, "status": f.status, "blocks": f.blocks}
            for f in row.failing
        ],
        "repository": None if row.repository is None else {"name": row.repository, "url": row.url},
        "folder": row.folder,
        "commit": row.commit,
        "commit_date": row.commit_date,
        "dsdone": row.dsdone,
        "source": row.source,
        "marks": list(row.marks),
    }


def render_catalog_json(catalog: Catalog) -> str:
    # As the JSON report is written: valid UTF-8, and no ``##[`` a CI log would obey.
    return dump(catalog_data(catalog))
