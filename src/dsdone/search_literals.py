"""What the built-in checks search every file for, known without importing them.

The command line starts one ``git grep`` for these before it imports typer or the checks, so this
module is light on purpose; a test keeps it equal to the literals the checks declare with
``@check(grep=...)``.
"""

from __future__ import annotations

from dsdone.analysis.personal_paths import NEEDLES as PERSONAL_PATH_NEEDLES
from dsdone.analysis.run_recorders import LITERALS as RUN_RECORDER_LITERALS
from dsdone.analysis.secret_literals import LITERALS as SECRET_LITERALS

BUILTIN_GREP_LITERALS = frozenset(
    (
        *PERSONAL_PATH_NEEDLES,  # personal-paths: the prefixes of home folders
        *SECRET_LITERALS,  # secrets: what every credential format the detector knows holds
        b"print(",  # logging: calls of print in package code
        b"mlflow",  # model-tracking: the tracking tools configured in code
        b"wandb",
        *RUN_RECORDER_LITERALS,  # model-tracking: dvclive, Lightning, ray, ZenML, TensorBoard
    )
)
