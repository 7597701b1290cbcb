"""Verification the scientists hand over with the model: `dsdone check --run verify` runs it.

`verify_sample` holds the committed sample to what the model expects of its inputs, so that a
change to the data's shape is caught before a retrain, not after a bad model ships.
`score_drift` is the drift metric the contract's `monitoring.metrics` declares: how far the
mean churn score in production has moved from the training data's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from churn_model.pipeline import load

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample.csv"
FEATURES = ("tenure_months", "monthly_spend", "support_calls")
# What the model was built for: values outside these ranges mean the data changed.
EXPECTED_RANGES = {
    "tenure_months": (0, 600),
    "monthly_spend": (0, 10_000),
    "support_calls": (0, 100),
}


class ExpectationError(AssertionError):
    """The data does not meet what the model expects of its inputs."""


def check_expectations(path: str | Path) -> int:
    """Every row of ``path`` in the expected ranges, both classes present; the number of rows."""
    examples = load(path, FEATURES, "label")
    for example in examples:
        for name, value in zip(FEATURES, example.features, strict=True):
            low, high = EXPECTED_RANGES[name]
            if not low <= value <= high:
                raise ExpectationError(
                    f"{path}: row {example.id}: {name}={value} is outside [{low}, {high}]"
                )
    labels = {example.label for example in examples}
    if labels != {0, 1}:
        raise ExpectationError(f"{path}: only label {labels} present; both classes are needed")
    return len(examples)


def score_drift(reference: Sequence[float], current: Sequence[float]) -> float:
    """How far the mean score of ``current`` has moved from ``reference``'s, in score units
    (0 to 1); the contract alerts above its threshold."""
    if not reference or not current:
        raise ValueError("both the reference and the current scores are needed")
    return abs(sum(current) / len(current) - sum(reference) / len(reference))


def verify_sample() -> None:
    """The verification `dsdone check --run verify` calls: it fails by raising."""
    check_expectations(SAMPLE)
