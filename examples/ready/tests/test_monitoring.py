from __future__ import annotations

from pathlib import Path

import pytest

from churn_model.monitoring import (
    ExpectationError,
    check_expectations,
    score_drift,
    verify_sample,
)


def test_the_committed_sample_meets_the_expectations() -> None:
    verify_sample()


def test_a_value_outside_its_range_is_caught(tmp_path: Path) -> None:
    table = tmp_path / "train.csv"
    table.write_text(
        "id,tenure_months,monthly_spend,support_calls,label\n"
        "a,2,80.0,6,1\n"
        "b,40,-30.0,0,0\n",
        "utf-8",
    )

    with pytest.raises(ExpectationError, match="monthly_spend=-30.0"):
        check_expectations(table)


def test_a_table_with_one_class_is_caught(train_csv: Path, tmp_path: Path) -> None:
    rows = train_csv.read_text("utf-8").splitlines()
    table = tmp_path / "ones.csv"
    table.write_text("\n".join(row for row in rows if not row.endswith(",0")) + "\n", "utf-8")

    with pytest.raises(ExpectationError, match="both classes"):
        check_expectations(table)


def test_score_drift_is_the_distance_between_mean_scores() -> None:
    assert score_drift([0.2, 0.4], [0.2, 0.4]) == 0.0
    assert round(score_drift([0.2, 0.4], [0.5, 0.7]), 6) == 0.3


def test_score_drift_needs_both_samples() -> None:
    with pytest.raises(ValueError, match="both"):
        score_drift([], [0.5])
