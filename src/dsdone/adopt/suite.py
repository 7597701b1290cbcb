"""Where the tests are, as pytest finds them, and how many real ones there are.

Found by ``find_test_paths``, the one reading of pytest's configuration and collection rules
that the unit-tests check uses too: the ``testpaths`` of the pytest configuration when it has
them; otherwise every ``tests/`` or ``test/`` folder, and test modules that sit elsewhere
(``test_all.py`` at the root). Never a test inside a templated folder: it is not a test until
the template is rendered. Counted as the unit-tests check counts (placeholders do not count),
so that ``min_tests`` is what ``check`` reaches.
"""

from __future__ import annotations

from dsdone.adopt.inference import Inference, count
from dsdone.analysis.templates import is_templated_path
from dsdone.analysis.test_suite import find_test_paths, read_test_suite
from dsdone.repository import Repository


def infer_tests(repository: Repository, files: list[str], found: Inference) -> None:
    del files  # the test paths come from the repository's own index, as check reads it
    paths, origin = find_test_paths(repository)
    paths = [path for path in paths if not is_templated_path(path)]
    found.test_paths = paths
    if not paths:
        found.todo.append("no tests found: write some under tests/")
        return
    suite = read_test_suite(repository, paths)
    found.test_count = suite.count
    found.placeholder_tests = len(suite.placeholders)
    placeholders = (
        f" ({count(found.placeholder_tests, 'placeholder test')} not counted)"
        if found.placeholder_tests
        else ""
    )
    where = f" ({origin})" if origin else ""
    line = f"{count(suite.count, 'test')} in {', '.join(paths)}{where}{placeholders}"
    (found.found if suite.count else found.todo).append(
        line if suite.count else f"{line}: write real tests, then declare them"
    )
