"""unit-tests: real tests counted statically, placeholders excluded, the project's code imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli, write_files

from dsdone.checks.unit_tests import unit_tests
from dsdone.report import CheckResult, Status
from dsdone.testing import run_check

PACKAGE = {"src/churn/__init__.py": "", "src/churn/features.py": "def build(x):\n    return x\n"}
REAL_TEST = """\
from churn.features import build


def test_build_returns_its_input():
    assert build(1) == 1
"""


def run(root: Path, **options: Any) -> CheckResult:
    return run_check(root, unit_tests, **options)


def messages(result: CheckResult) -> list[str]:
    return [finding.message for finding in result.findings]


def contract_with(tests_section: str) -> str:
    return MINIMAL_CONTRACT + tests_section


def test_real_test_importing_the_package_passes(make_repo: MakeRepo) -> None:
    root = make_repo({**PACKAGE, "tests/test_features.py": REAL_TEST})

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == "1 test in tests/"


@pytest.mark.parametrize(
    ("layout", "test_import"),
    [
        ({"src/churn/__init__.py": ""}, "import churn"),
        ({"src/churn/__init__.py": ""}, "from churn.features import build"),
        ({"src/churn/features.py": ""}, "import churn.features"),  # namespace package in src/
        ({"src/churn.py": ""}, "from churn import build"),
        ({"churn/__init__.py": ""}, "from churn import build"),  # flat layout
        ({"features.py": ""}, "import features as f"),  # a module at the root
    ],
    ids=["src-import", "src-from", "src-namespace", "src-module", "flat-package", "root-module"],
)
def test_project_code_is_recognised_in_every_layout(
    make_repo: MakeRepo, layout: dict[str, str], test_import: str
) -> None:
    test = f"{test_import}\n\n\ndef test_it():\n    assert 1 + 1 == 2\n"
    root = make_repo({**layout, "tests/test_it.py": test})

    assert run(root).status is Status.PASS


def test_import_inside_the_test_function_counts(make_repo: MakeRepo) -> None:
    test = "def test_lazy():\n    from churn.features import build\n    assert build(2) == 2\n"
    root = make_repo({**PACKAGE, "tests/test_lazy.py": test})

    assert run(root).status is Status.PASS


@pytest.mark.parametrize(
    "test_import",
    [
        "import pandas as pd",
        "from sklearn.linear_model import LogisticRegression",
        "from .helpers import make_frame",  # relative: the tests' own helpers
        "from tests.helpers import make_frame",  # the tests folder is not the project's code
        "import churned",  # a prefix of the package name is another package
    ],
)
def test_suite_that_imports_none_of_the_project_fails(
    make_repo: MakeRepo, test_import: str
) -> None:
    test = f"{test_import}\n\n\ndef test_pandas_works():\n    assert 1 + 1 == 2\n"
    root = make_repo(
        {**PACKAGE, "tests/__init__.py": "", "tests/helpers.py": "", "tests/test_x.py": test}
    )

    result = run(root)

    assert result.status is Status.FAIL
    assert messages(result) == ["no test imports the project's own code (churn)"]
    assert result.findings[0].path == "tests/test_x.py"
    assert "from churn import" in (result.findings[0].hint or "")


def test_project_without_code_of_its_own_is_told_to_make_a_package(make_repo: MakeRepo) -> None:
    test = "import pandas\n\n\ndef test_it():\n    assert pandas\n"
    root = make_repo({"notebooks/eda.ipynb": "{}", "tests/test_it.py": test, "setup.py": ""})

    result = run(root)

    assert messages(result) == [
        "no test imports the project's own code (the project has no package or module of its own)"
    ]
    assert "src/<name>/__init__.py" in (result.findings[0].hint or "")


@pytest.mark.parametrize(
    "body",
    [
        "pass",
        "...",
        '"""Check the model later."""',
        '"""Check the model later."""\n    pass',
        "assert True",
        "assert False",
        'assert True, "write me"',
    ],
    ids=[
        "pass",
        "ellipsis",
        "docstring",
        "docstring-pass",
        "assert-true",
        "assert-false",
        "assert-true-message",
    ],
)
def test_placeholder_tests_do_not_count(make_repo: MakeRepo, body: str) -> None:
    test = f"import churn\n\n\ndef test_model():\n    {body}\n"
    root = make_repo({**PACKAGE, "tests/test_model.py": test})

    result = run(root)

    assert result.status is Status.FAIL
    assert messages(result) == [
        "found 0 tests in tests/; the contract asks for at least 1 "
        "(placeholder tests do not count: 1 found)"
    ]
    assert result.findings[0].path == "dsdone.yaml"
    assert result.summary.endswith("placeholders not counted: tests/test_model.py:4")


@pytest.mark.parametrize(
    "body",
    [
        "assert churn.VERSION",
        "assert 1 + 1 == 2",
        "assert True\n    assert churn.build(1) == 1",
        "churn.build(1)",
        "pass\n    churn.build(1)",
    ],
)
def test_near_placeholder_bodies_are_real_tests(make_repo: MakeRepo, body: str) -> None:
    test = f"import churn\n\n\ndef test_model():\n    {body}\n"
    root = make_repo({**PACKAGE, "tests/test_model.py": test})

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == "1 test in tests/"


@pytest.mark.parametrize(
    ("path", "source", "count"),
    [
        ("tests/test_a.py", "def test_a():\n    assert churn\n", 1),
        ("tests/a_test.py", "def test_a():\n    assert churn\n", 1),
        ("tests/unit/deep/test_a.py", "def test_a():\n    assert churn\n", 1),
        ("tests/test_a.py", "async def test_a():\n    assert churn\n", 1),
        ("tests/test_a.py", "class TestModel:\n    def test_a(self):\n        assert churn\n", 1),
        (
            "tests/test_a.py",
            "import unittest\nclass ModelChecks(unittest.TestCase):\n"
            "    def test_a(self):\n        assert churn\n",
            1,
        ),
        (
            "tests/test_a.py",
            "class TestOuter:\n    class TestInner:\n        def test_a(self):\n"
            "            assert churn\n",
            1,
        ),
        ("tests/test_a.py", "def helper():\n    assert churn\n", 0),
        ("tests/test_a.py", "class Helper:\n    def test_a(self):\n        assert churn\n", 0),
        (
            "tests/test_a.py",
            "def test_outer():\n    def test_inner():\n        pass\n    assert churn\n",
            1,
        ),
        ("tests/test_a.py", "# def test_commented():\nx = 'def test_in_a_string'\n", 0),
        ("tests/helpers.py", "def test_a():\n    assert churn\n", 0),
        ("tests/testing_utils.py", "def test_a():\n    assert churn\n", 0),
        ("tests/test_a.txt", "def test_a():\n    assert churn\n", 0),
        ("src/churn/test_inline.py", "def test_a():\n    assert churn\n", 0),  # not under tests/
    ],
)
def test_what_counts_as_a_test(make_repo: MakeRepo, path: str, source: str, count: int) -> None:
    root = make_repo({**PACKAGE, path: "import churn\n" + source})

    result = run(root)

    assert result.summary.endswith(f"{count} test" + ("s" if count != 1 else "") + " in tests/")
    assert (result.status is Status.PASS) is (count >= 1)


def test_below_min_tests_fails_at_its_line_in_the_contract(make_repo: MakeRepo) -> None:
    contract = contract_with("tests:\n  paths: [tests]\n  min_tests: 3\n")
    two_tests = REAL_TEST + "\n\ndef test_again():\n    assert build(2) == 2\n"
    root = make_repo({**PACKAGE, "tests/test_features.py": two_tests}, contract=contract)

    result = run(root)

    assert messages(result) == ["found 2 tests in tests/; the contract asks for at least 3"]
    finding = result.findings[0]
    assert (finding.path, finding.line) == ("dsdone.yaml", 7)
    assert result.summary == "1 finding; 2 tests in tests/"


def test_min_tests_zero_passes_without_tests(make_repo: MakeRepo) -> None:
    root = make_repo(
        {**PACKAGE, "tests/.keep": ""}, contract=contract_with("tests:\n  min_tests: 0\n")
    )

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == "0 tests in tests/"


def test_no_tests_folder_fails_at_the_contract(make_repo: MakeRepo) -> None:
    root = make_repo(PACKAGE)

    result = run(root)

    assert sorted(messages(result)) == [
        "found 0 tests in tests/; the contract asks for at least 1",
        "tests.paths[0]: 'tests' does not exist",
    ]
    assert all(f.path == "dsdone.yaml" for f in result.findings)


def test_missing_test_path_is_located_at_its_line(make_repo: MakeRepo) -> None:
    contract = contract_with("tests:\n  paths:\n    - tests\n    - integration\n")
    root = make_repo({**PACKAGE, "tests/test_features.py": REAL_TEST}, contract=contract)

    result = run(root)

    assert messages(result) == ["tests.paths[1]: 'integration' does not exist"]
    assert result.findings[0].line == 8
    assert result.summary == "1 finding; 1 test: 1 in tests/, 0 in integration/"


def test_test_path_outside_the_project_is_a_finding(make_repo: MakeRepo) -> None:
    contract = contract_with("tests:\n  paths: [../elsewhere]\n")
    root = make_repo(PACKAGE, contract=contract)

    result = run(root)

    assert "tests.paths[0]: '../elsewhere' points outside the project folder" in messages(result)


def test_summary_says_where_tests_were_found(make_repo: MakeRepo) -> None:
    contract = contract_with("tests:\n  paths: [tests/unit, tests/integration/test_api.py]\n")
    root = make_repo(
        {
            **PACKAGE,
            "tests/unit/test_a.py": REAL_TEST,
            "tests/unit/test_b.py": REAL_TEST + "\n\ndef test_b():\n    assert build(0) == 0\n",
            "tests/integration/test_api.py": REAL_TEST,
            "tests/integration/test_other.py": REAL_TEST,  # not listed
        },
        contract=contract,
    )

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == "4 tests: 3 in tests/unit/, 1 in tests/integration/test_api.py"


def test_overlapping_test_paths_count_each_file_once(make_repo: MakeRepo) -> None:
    contract = contract_with("tests:\n  paths: [tests, tests/unit]\n")
    root = make_repo({**PACKAGE, "tests/unit/test_a.py": REAL_TEST}, contract=contract)

    assert run(root).summary == "1 test: 1 in tests/, 0 in tests/unit/"


def test_untracked_test_counts_but_ignored_test_does_not(make_repo: MakeRepo) -> None:
    root = make_repo({**PACKAGE, ".gitignore": "tests/scratch/\n", "tests/test_a.py": REAL_TEST})
    (root / "tests/test_new.py").write_text(REAL_TEST, encoding="utf-8")
    (root / "tests/scratch").mkdir()
    (root / "tests/scratch/test_local.py").write_text(REAL_TEST, encoding="utf-8")

    assert run(root).summary == "2 tests in tests/"


def test_test_file_that_does_not_parse_is_a_finding_at_its_line(make_repo: MakeRepo) -> None:
    broken = "import churn\n\n\ndef test_a(:\n    assert churn\n"
    root = make_repo({**PACKAGE, "tests/test_ok.py": REAL_TEST, "tests/test_broken.py": broken})

    result = run(root)

    assert result.status is Status.FAIL
    (finding,) = result.findings
    assert finding.message.startswith("does not parse: ")
    assert (finding.path, finding.line) == ("tests/test_broken.py", 4)
    assert result.summary == "1 finding; 1 test in tests/"


def test_test_file_that_is_not_utf8_is_a_finding(make_repo: MakeRepo) -> None:
    latin1 = "# caf\xe9\ndef test_a():\n    assert 1\n".encode("latin-1")
    root = make_repo({**PACKAGE, "tests/test_ok.py": REAL_TEST, "tests/test_latin.py": latin1})

    result = run(root)

    assert messages(result) == ["not valid UTF-8"]


def test_many_test_files_are_counted(make_repo: MakeRepo) -> None:
    files = {f"tests/test_{i}.py": REAL_TEST for i in range(200)}
    files.update({f"tests/helpers_{i}_data.py": "X = 1\n" for i in range(50)})
    root = make_repo({**PACKAGE, **files})

    assert run(root).summary == "200 tests in tests/"


def test_cli_reports_missing_tests_with_exit_code(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({**PACKAGE, "tests/test_model.py": "def test_model():\n    pass\n"})

    cli = run_cli("check", str(root), "--select", "unit-tests", "--format", "json")

    assert cli.exit_code == 1
    (result,) = json.loads(cli.stdout)["results"]
    assert result["status"] == "fail"
    assert result["findings"][0]["message"] == (
        "found 0 tests in tests/; the contract asks for at least 1 "
        "(placeholder tests do not count: 1 found)"
    )


def test_ignored_tests_folder_says_so(make_repo: MakeRepo) -> None:
    root = make_repo({**PACKAGE, ".gitignore": "tests/\n"})
    (root / "tests").mkdir()
    (root / "tests/test_a.py").write_text(REAL_TEST, encoding="utf-8")

    result = run(root)

    assert "tests.paths[0]: 'tests' is ignored by git, so a fresh clone does not have it" in (
        messages(result)
    )


@pytest.mark.parametrize(
    ("test_import", "status"),
    [("import churn", Status.PASS), ("from tests.helpers import frame", Status.FAIL)],
)
def test_tests_at_the_project_root(make_repo: MakeRepo, test_import: str, status: Status) -> None:
    test = f"{test_import}\n\n\ndef test_it():\n    assert 1 + 1 == 2\n"
    root = make_repo(
        {"churn.py": "", "tests/__init__.py": "", "tests/helpers.py": "", "test_it.py": test},
        contract=contract_with("tests:\n  paths: ['.']\n"),
    )

    result = run(root)

    assert result.status is status
    assert result.summary.endswith("1 test in ./")


# -- tests as pytest collects them across modules ----------------------------------------------

CHURN = {"churn/__init__.py": "def fit(x):\n    return x\n"}
UNITTEST_BASE = """\
import unittest

from churn import fit


class TestBase(unittest.TestCase):
    model = None

    def test_fit(self):
        self.assertEqual(fit(self.model), self.model)
"""


# Test suites that share their tests through base classes in other modules, as real projects
# write them; the count is what `pytest --collect-only` says (tests/test_pytest_oracle.py).
INHERITED = [
    (  # the subclass only sets an attribute: its tests are all inherited. pytest also
        # collects TestBase itself in test_model.py, where it is imported.
        {
            "tests/__init__.py": "",
            "tests/base.py": UNITTEST_BASE,
            "tests/test_model.py": "from tests.base import TestBase\n\n\n"
            "class TestModel(TestBase):\n    model = 1\n",
        },
        2,
    ),
    (
        {
            "tests/__init__.py": "",
            "tests/base.py": UNITTEST_BASE,
            "tests/test_model.py": "from .base import TestBase\n\n\n"
            "class TestModel(TestBase):\n    model = 1\n\n"
            "    def test_more(self):\n        assert self.model\n",
        },
        3,
    ),
    (  # a base of any name, two levels deep, imported under another name
        {
            "tests/__init__.py": "",
            "tests/base.py": UNITTEST_BASE.replace("TestBase", "ModelCase"),
            "tests/mixins.py": "from tests.base import ModelCase\n\n\n"
            "class RegressionCase(ModelCase):\n    def test_regression(self):\n"
            "        assert self.model is not None\n",
            "tests/test_model.py": "from tests import mixins as m\n\n\n"
            "class ModelChecks(m.RegressionCase):\n    model = 2\n",
        },
        2,
    ),
    (  # a plain (not unittest) base class: only the Test-named subclass is collected
        {
            "tests/__init__.py": "",
            "tests/base.py": "from churn import fit\n\n\nclass Checks:\n"
            "    def test_fit(self):\n        assert fit(1) == 1\n",
            "tests/test_model.py": "from tests.base import Checks\n\n\n"
            "class TestModel(Checks):\n    pass\n",
        },
        1,
    ),
    (  # __test__ = False on the base keeps the imported base from being collected
        {
            "tests/__init__.py": "",
            "tests/base.py": UNITTEST_BASE.replace("    model = None", "    __test__ = False"),
            "tests/test_model.py": "from tests.base import TestBase\n\n\n"
            "class TestModel(TestBase):\n    __test__ = True\n",
        },
        1,
    ),
    (  # a base with __init__: pytest warns and collects nothing of the subclass
        {
            "tests/__init__.py": "",
            "tests/base.py": "class Runner:\n    def __init__(self, model=None):\n"
            "        self.model = model\n",
            "tests/test_model.py": "import churn\nfrom tests.base import Runner\n\n\n"
            "class TestModel(Runner):\n    def test_fit(self):\n"
            "        assert churn.fit(1)\n\n\ndef test_plain():\n    assert churn.fit(1)\n",
        },
        1,
    ),
    (  # a star import brings the base's tests into the module
        {
            "tests/__init__.py": "",
            "tests/base.py": UNITTEST_BASE,
            "tests/test_model.py": "from tests.base import *\n",
        },
        1,
    ),
]
INHERITED_IDS = [
    "inherits-all",
    "relative-import",
    "two-levels-any-name",
    "plain-base",
    "test-flag",
    "base-with-init",
    "star-import",
]


@pytest.mark.parametrize(("files", "count"), INHERITED, ids=INHERITED_IDS)
def test_tests_inherited_from_other_modules_are_counted(
    make_repo: MakeRepo, files: dict[str, str], count: int
) -> None:
    root = make_repo({**CHURN, **files})

    result = run(root)

    assert result.summary == f"{count} test" + ("s" if count != 1 else "") + " in tests/"
    assert result.status is Status.PASS


# Module-level near-misses from real suites (metaflow's test/unit/test_s3_storage.py has a
# fixture named test_items): what the module's namespace holds after pytest imports it.
NAMESPACE = [
    (
        "import pytest\n\n\n@pytest.fixture\ndef test_items():\n    return [churn.fit(1)]\n\n\n"
        "def test_save(test_items):\n    assert test_items\n",
        1,
    ),
    (
        # counted as if the import succeeds (the environment the tests are meant for)
        "try:\n    import json\nexcept ImportError:\n    json = None\nelse:\n"
        "    def test_as_json():\n        assert churn.fit(json.dumps(1))\n\n\n"
        "def test_on_cpu():\n    assert churn.fit(1)\n",
        2,
    ),
    (
        "import sys\n\nif sys.platform == 'win32':\n    def test_paths():\n"
        "        assert churn.fit('C:')\nelse:\n    def test_paths():\n"
        "        assert churn.fit('/')\n",
        1,
    ),
    (
        "class TestModel:\n    def __init__(self):\n        self.model = churn.fit(1)\n\n"
        "    def test_fit(self):\n        assert self.model\n\n\n"
        "def test_plain():\n    assert churn.fit(1)\n",
        1,
    ),
]
NAMESPACE_IDS = [
    "fixture-named-test",
    "defined-in-try",
    "defined-in-if-else",
    "Test-class-with-init",
]


@pytest.mark.parametrize(("source", "count"), NAMESPACE, ids=NAMESPACE_IDS)
def test_a_module_counts_what_its_namespace_holds(
    make_repo: MakeRepo, source: str, count: int
) -> None:
    root = make_repo({**CHURN, "tests/test_model.py": "import churn\n" + source})

    assert run(root).summary == f"{count} test" + ("s" if count != 1 else "") + " in tests/"


# -- the project's own code, wherever it sits ---------------------------------------------------


@pytest.mark.parametrize(
    ("files", "test_import"),
    [
        # lightning-hydra-template: src/ is the package, configs/ a folder of YAML
        (
            {"src/__init__.py": "", "src/train.py": "def train(cfg):\n    return cfg\n"},
            "from src.train import train",
        ),
        # recipes-regression-template: steps/ has no __init__.py (a namespace package)
        (
            {"steps/transform.py": "def transformer_fn():\n    return 1\n"},
            "from steps.transform import transformer_fn",
        ),
        ({"steps/transform.py": ""}, "import steps"),
        # mlops-zoomcamp: the code next to the tests of a subproject
        ({"code/model.py": "", "code/tests/__init__.py": ""}, "import model"),
        # zenml-projects' deep_research: the subproject's own package
        ({"deep_research/utils/approval.py": ""}, "from utils.approval import ask"),
        # pytest's pythonpath
        (
            {"lib/churn/__init__.py": "", "pytest.ini": "[pytest]\npythonpath = lib\n"},
            "import churn",
        ),
        # tests next to the code, importing it relatively
        ({"code/churn/__init__.py": "", "code/churn/model.py": ""}, "from ..churn import model"),
    ],
    ids=[
        "src-is-the-package",
        "namespace-module",
        "namespace-package",
        "subproject-module",
        "subproject-package",
        "pytest-pythonpath",
        "relative-into-package",
    ],
)
def test_own_code_is_found_where_pytest_would_import_it(
    make_repo: MakeRepo, files: dict[str, str], test_import: str
) -> None:
    folder = (
        "code/tests" if "code/model.py" in files or "code/churn/__init__.py" in files else "tests"
    )
    if "deep_research/utils/approval.py" in files:
        folder = "deep_research/tests"
    test = f"{test_import}\n\n\ndef test_it():\n    assert 1 + 1 == 2\n"
    contract = contract_with(f"tests:\n  paths: [{folder}]\n")
    root = make_repo({**files, f"{folder}/test_it.py": test}, contract=contract)

    result = run(root)

    assert messages(result) == []
    assert result.status is Status.PASS


@pytest.mark.parametrize(
    ("helpers", "test_import"),
    [
        # a conftest.py that builds the model for the tests' fixtures
        (
            {
                "tests/conftest.py": "import pytest\nfrom churn import fit\n\n\n"
                "@pytest.fixture\ndef model():\n    return fit(1)\n"
            },
            "",
        ),
        # a conftest.py at the top of the project
        ({"conftest.py": "import churn\n"}, ""),
        # a helper module of the tests that imports the package
        (
            {"tests/__init__.py": "", "tests/helpers.py": "from churn import fit\n"},
            "from tests.helpers import fit",
        ),
        (
            {
                "tests/__init__.py": "",
                "tests/factories/__init__.py": "from .models import make\n",
                "tests/factories/models.py": "import churn\n\ndef make():\n    return churn\n",
            },
            "from .factories import make",
        ),
    ],
    ids=["conftest-fixture", "root-conftest", "helper-module", "helper-package"],
)
def test_own_code_reached_through_conftest_or_helpers_counts(
    make_repo: MakeRepo, helpers: dict[str, str], test_import: str
) -> None:
    test = f"{test_import}\n\n\ndef test_it(request):\n    assert request\n"
    root = make_repo({**PACKAGE, **helpers, "tests/test_it.py": test})

    assert run(root).status is Status.PASS


@pytest.mark.parametrize(
    ("files", "message", "hint"),
    [
        (  # lightning-hydra-template: configs/ holds YAML and an empty __init__.py
            {
                "configs/__init__.py": "",
                "configs/train.yaml": "lr: 0.1\n",
                "src/__init__.py": "",
                "src/train.py": "",
                "src/models/__init__.py": "",
                "tests/test_it.py": "import pandas\n\n\ndef test_it():\n    assert pandas\n",
            },
            "no test imports the project's own code (src)",
            "from src import ...",
        ),
        (  # a monorepo: the names of the test's own subproject, not a sibling's
            {
                "bank_subscription/pipelines/train.py": "",
                "deep_research/utils/approval.py": "",
                "deep_research/run.py": "",
                "deep_research/tests/test_it.py": "import pandas\n\n\ndef test_it():\n"
                "    assert pandas\n",
            },
            "no test imports the project's own code (run, utils)",
            "from run import ...",
        ),
    ],
    ids=["configs-folder", "monorepo-subproject"],
)
def test_the_names_suggested_are_importable_code_near_the_test(
    make_repo: MakeRepo, files: dict[str, str], message: str, hint: str
) -> None:
    paths = sorted({p.rsplit("/", 1)[0] for p in files if "/test_" in p})
    root = make_repo(files, contract=contract_with(f"tests:\n  paths: {paths}\n"))

    result = run(root)

    assert messages(result) == [message]
    assert hint in (result.findings[0].hint or "")


# -- pytest's own configuration ----------------------------------------------------------------

CHECK_TEST = "import churn\n\n\ndef test_a():\n    assert churn.fit(1)\n"
TWO_TESTS = CHECK_TEST + "\n\ndef test_b():\n    assert churn.fit(2)\n"


# tests/check_model.py holds 2 tests and tests/test_model.py 1: 1 means pytest's defaults, 2
# that python_files = check_*.py applies, 3 both patterns.
CONFIGURED = [
    ({"pytest.ini": "[pytest]\npython_files = check_*.py\n"}, 2),
    ({"pytest.ini": "[pytest]\npython_files =\n    check_*.py\n    test_*.py\n"}, 3),
    ({"pyproject.toml": '[tool.pytest.ini_options]\npython_files = "check_*.py"\n'}, 2),
    ({"pyproject.toml": '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n'}, 2),
    ({"pyproject.toml": '[tool.pytest]\npython_files = ["check_*.py", "test_*.py"]\n'}, 3),
    ({"tox.ini": "[pytest]\npython_files = check_*.py\n"}, 2),
    ({"setup.cfg": "[tool:pytest]\npython_files = check_*.py\n"}, 2),
    ({"pytest.toml": '[pytest]\npython_files = ["check_*.py"]\n'}, 2),
    # The first file found is the configuration, whole, even without a pytest section.
    (
        {
            "pytest.ini": "",
            "pyproject.toml": '[tool.pytest.ini_options]\npython_files = "check_*.py"\n',
        },
        1,
    ),
    (
        {
            "pytest.ini": "[flake8]\nmax-line-length = 99\n",
            "setup.cfg": "[tool:pytest]\npython_files = check_*.py\n",
        },
        1,
    ),
    # tox.ini and setup.cfg count only with their pytest section; pyproject.toml only with
    # its pytest table.
    (
        {
            "tox.ini": "[tox]\nenvlist = py311\n",
            "setup.cfg": "[tool:pytest]\npython_files = check_*.py\n",
        },
        2,
    ),
    (
        {
            "pyproject.toml": "[tool.black]\nline-length = 99\n",
            "tox.ini": "[pytest]\npython_files = check_*.py\n",
        },
        2,
    ),
    ({"setup.cfg": "[pytest]\npython_files = check_*.py\n"}, 1),  # pytest wants [tool:pytest]
    # pyproject.toml comes before tox.ini and setup.cfg
    (
        {
            "pyproject.toml": '[tool.pytest.ini_options]\naddopts = "-q"\n',
            "setup.cfg": "[tool:pytest]\npython_files = check_*.py\n",
        },
        1,
    ),
    ({"setup.cfg": "[tool:pytest]\npython_files = tests/check_*.py\n"}, 2),  # a path pattern
]
CONFIGURED_IDS = [
    "pytest.ini",
    "pytest.ini-lines",
    "pyproject-ini-string",
    "pyproject-ini-list",
    "pyproject-native",
    "tox.ini",
    "setup.cfg",
    "pytest.toml",
    "empty-pytest.ini-wins",
    "pytest.ini-without-section-wins",
    "tox.ini-without-section",
    "pyproject-without-table",
    "setup.cfg-pytest-section",
    "pyproject-first",
    "path-pattern",
]


@pytest.mark.parametrize(("config", "count"), CONFIGURED, ids=CONFIGURED_IDS)
def test_python_files_come_from_the_configuration_pytest_reads(
    make_repo: MakeRepo, config: dict[str, str], count: int
) -> None:
    files = {**CHURN, "tests/check_model.py": TWO_TESTS, "tests/test_model.py": CHECK_TEST}
    root = make_repo({**files, **config})

    assert run(root).summary == f"{count} test" + ("s" if count != 1 else "") + " in tests/"


@pytest.mark.parametrize(
    ("config", "source", "count"),
    [
        ("python_functions = should_*", "def should_fit():\n    assert churn\n", 1),
        (
            "python_functions = check",
            "def check_fit():\n    assert churn\n\ndef check_more():\n    assert churn\n\n"
            "def test_a():\n    assert 1\n",
            2,
        ),
        (
            "python_classes = *Suite",
            "class FitSuite:\n    def test_a(self):\n        assert churn\n\n"
            "    def test_c(self):\n        assert churn\n\n"
            "class TestFit:\n    def test_b(self):\n        assert churn\n",
            2,
        ),
        (
            "python_classes = Test Describe\npython_functions = test it_",
            "class DescribeFit:\n    def it_converges(self):\n        assert churn\n\n"
            "    def test_a(self):\n        assert churn\n",
            2,
        ),
    ],
    ids=["functions-glob", "functions-prefix", "classes-glob", "several-prefixes"],
)
def test_python_classes_and_functions_come_from_the_configuration(
    make_repo: MakeRepo, config: str, source: str, count: int
) -> None:
    root = make_repo(
        {
            **CHURN,
            "pytest.ini": f"[pytest]\n{config}\n",
            "tests/test_fit.py": "import churn\n" + source,
        }
    )

    assert run(root).summary == f"{count} test" + ("s" if count != 1 else "") + " in tests/"


def test_testpaths_are_the_default_test_paths(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            **CHURN,
            "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["unit", "integration/*"]\n',
            "unit/test_a.py": CHECK_TEST,
            "integration/api/test_b.py": CHECK_TEST,
            "integration/db/test_c.py": CHECK_TEST,
            "tests/test_ignored.py": CHECK_TEST,
        }
    )

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == (
        "3 tests: 1 in unit/, 1 in integration/api/, 1 in integration/db/ "
        "(testpaths in pyproject.toml)"
    )


def test_declared_test_paths_win_over_testpaths(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            **CHURN,
            "pytest.ini": "[pytest]\ntestpaths = unit\n",
            "unit/test_a.py": CHECK_TEST,
            "tests/test_b.py": CHECK_TEST,
        },
        contract=contract_with("tests:\n  paths: [tests]\n"),
    )

    assert run(root).summary == "1 test in tests/"


def test_testpaths_that_match_nothing_mean_the_whole_project(make_repo: MakeRepo) -> None:
    root = make_repo(
        {**CHURN, "pytest.ini": "[pytest]\ntestpaths = unit\n", "churn/test_model.py": CHECK_TEST}
    )

    result = run(root)

    assert result.summary == "1 test in ./ (the testpaths of pytest.ini match nothing)"


def test_a_configuration_above_the_project_applies_but_not_its_testpaths(
    make_repo: MakeRepo,
) -> None:
    # A monorepo: pytest started in sub/ finds the top's pyproject.toml; its rootdir is the
    # top, so its testpaths do not apply to sub/.
    root = make_repo(
        {
            "pyproject.toml": '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n'
            'testpaths = ["elsewhere"]\n',
            "sub/churn/__init__.py": "",
            "sub/tests/check_model.py": TWO_TESTS,
            "sub/tests/test_model.py": CHECK_TEST,
            "sub/dsdone.yaml": MINIMAL_CONTRACT,
        },
        contract=None,
    )

    assert run(root / "sub").summary == "2 tests in tests/"


def test_folders_pytest_does_not_enter_are_not_searched(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            **CHURN,
            "test_all.py": CHECK_TEST,
            "build/lib/test_copy.py": CHECK_TEST,
            ".tox/py311/test_env.py": CHECK_TEST,
            "env/pyvenv.cfg": "home = /usr/bin\n",
            "env/lib/test_site.py": CHECK_TEST,
            "tests/data/test_fixture.py": CHECK_TEST,
        },
        contract=contract_with("tests:\n  paths: ['.']\n"),
    )

    assert run(root).summary == "2 tests in ./"


def test_a_test_file_named_in_the_contract_is_collected_whatever_its_name(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {**CHURN, "checks.py": CHECK_TEST}, contract=contract_with("tests:\n  paths: [checks.py]\n")
    )

    assert run(root).summary == "1 test in checks.py"


# -- pytest itself agrees ----------------------------------------------------------------------

# pytest stops at this one ("[pytest] section in setup.cfg files is no longer supported").
_PYTEST_REFUSES = {"setup.cfg-pytest-section"}


def test_pytest_itself_collects_what_the_tables_say(tmp_path: Path) -> None:
    """The counts of the tables above are pytest's: `pytest --collect-only` (the installed
    pytest, one process per project, a few at a time) collects exactly as many tests."""
    cases: list[tuple[str, dict[str, str], int]] = [
        (f"inherited-{name}", {**CHURN, **files}, count)
        for name, (files, count) in zip(INHERITED_IDS, INHERITED, strict=True)
    ]
    cases += [
        (f"namespace-{name}", {**CHURN, "tests/test_model.py": "import churn\n" + source}, count)
        for name, (source, count) in zip(NAMESPACE_IDS, NAMESPACE, strict=True)
    ]
    cases += [
        (
            f"configured-{name}",
            {**CHURN, "tests/check_model.py": TWO_TESTS, "tests/test_model.py": CHECK_TEST, **cfg},
            count,
        )
        for name, (cfg, count) in zip(CONFIGURED_IDS, CONFIGURED, strict=True)
        if name not in _PYTEST_REFUSES
    ]
    environment = {
        **os.environ,
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    environment.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-o", "addopts="]
    command += ["-p", "no:cacheprovider"]
    collected: dict[str, str] = {}
    pending = list(cases)
    running: list[tuple[str, subprocess.Popen[str]]] = []
    while pending or running:
        while pending and len(running) < 4:
            name, files, _ = pending.pop()
            root = tmp_path / name
            write_files(root, files)
            process = subprocess.Popen(
                command, cwd=root, env=environment, stdout=subprocess.PIPE, text=True
            )
            running.append((name, process))
        name, process = running.pop(0)
        collected[name] = process.communicate()[0]
    for name, _, count in cases:
        found = [line for line in collected[name].splitlines() if "::" in line]
        assert len(found) == count, f"{name}: pytest collected\n{collected[name]}"


@pytest.mark.parametrize(
    "testpaths",
    ["**/" * 40 + "unit", "/".join(["*"] * 200), "[z-a]", "'unclosed"],
    ids=["many-globstars", "too-deep", "bad-range", "unclosed-quote"],
)
def test_a_hostile_testpaths_is_harmless(make_repo: MakeRepo, testpaths: str) -> None:
    deep = "/".join(["d"] * 30) + "/test_a.py"
    root = make_repo(
        {**CHURN, "pytest.ini": f"[pytest]\ntestpaths = {testpaths}\n", deep: CHECK_TEST}
    )

    result = run(root)

    assert result.status in (Status.PASS, Status.FAIL)
