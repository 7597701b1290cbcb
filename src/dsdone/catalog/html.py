"""The catalogue as one self-contained HTML page, for a team lead who opens a CI artefact.

Rendered with Jinja2 from ``page/``, with autoescaping on: every value from a contract or a
report (a model named ``<script>``, an owner with quotes) is escaped wherever it lands, and the
data the page's script sorts and filters is written with ``|tojson``, which escapes ``<``, ``>``
and ``&`` so that no ``</script>`` inside it can end the script. The style sheet and the script
are dsdone's own files, inlined: nothing is fetched, and the page works from a file, offline.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from dsdone.catalog.data import catalog_data
from dsdone.catalog.markdown import summary
from dsdone.catalog.rows import AREAS, Catalog, band
from dsdone.render import escape

_AREA_LABELS = {
    "data": "Data",
    "model": "Model",
    "infrastructure": "Infra",
    "monitoring": "Monitoring",
}
# The table's columns: the sort key of each (None: not sortable) and its heading.
_COLUMNS = [
    ("name", "Model"),
    ("score", "Readiness"),
    *((area, _AREA_LABELS[area]) for area in AREAS),
    ("failing", "Failing checks"),
    (None, "Reads → writes"),
    ("where", "Checked"),
]
_SORT_KEYS = [
    ("name", "name"),
    ("owner", "owner"),
    ("ready", "readiness"),
    ("score", "readiness score"),
    *((area, f"{area} score") for area in AREAS),
    ("failing", "failing checks"),
    ("schedule", "retrain schedule"),
    ("where", "repository and folder"),
    ("checked", "commit date"),
]


def render_catalog_html(catalog: Catalog) -> str:
    template = _environment().get_template("catalog.html.jinja")
    # The page may be printed to a CI job's log (``-o -``): a name or path from a repository
    # must not read there as a GitHub workflow command (``escape.neutralize_html``).
    return escape.neutralize_html(
        template.render(
            catalog=catalog,
            data=catalog_data(catalog),
            summary=summary(catalog),
            areas=AREAS,
            area_labels=_AREA_LABELS,
            columns=_COLUMNS,
            sort_keys=_SORT_KEYS,
            band=band,
            style=Markup(_page_file("catalog.css")),  # dsdone's own files: trusted, not escaped
            script=Markup(_page_file("catalog.js")),
        )
    )


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("dsdone.catalog", "page"),
        autoescape=True,  # off by default in Jinja2: every value must be escaped here
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # |tojson's JSON, before Jinja makes it safe in HTML: "##[" spelled "#\u0023[", which a
    # script reads back as the same string (HTML's references are not decoded in a script).
    environment.policies["json.dumps_function"] = _json_dumps
    return environment


def _json_dumps(value: Any, **options: Any) -> str:
    return escape.neutralize_json(json.dumps(value, **options))


def _page_file(name: str) -> str:
    return resources.files("dsdone.catalog").joinpath("page", name).read_text("utf-8")
