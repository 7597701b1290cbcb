"""``dsdone catalog``: one page for every model, built from contracts and JSON reports.

A team lead asks which models there are, who owns them, what they read and write, and whether
they are ready; the answers are in each project's contract and report, spread over a monorepo
or over the CI artefacts of many repositories. The catalogue merges them, and nothing more:
the repositories' CI runners check them, dsdone reads what they wrote.

- ``read``: reports from JSON files (validated against the report's JSON Schema) or from a
  check run now, each problem a note rather than an end;
- ``rows``: one row per model, the newest report of each project winning;
- ``markdown``, ``data`` (JSON) and ``html`` (one self-contained page, rendered with Jinja2
  from ``page/``): the formats.
"""
