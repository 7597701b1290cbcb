from __future__ import annotations

from pathlib import Path

import pytest

from churn_model.pipeline import InputError, load

FEATURES = ["tenure_months", "monthly_spend", "support_calls"]


def test_load_reads_every_row_with_numeric_features(train_csv: Path) -> None:
    examples = load(train_csv, FEATURES, "label")
    assert len(examples) == 8
    assert examples[0].id == "a"
    assert examples[0].features == (2.0, 80.0, 6.0)
    assert examples[0].label == 1


def test_load_names_the_missing_column(train_csv: Path) -> None:
    with pytest.raises(InputError, match="missing columns: region"):
        load(train_csv, [*FEATURES, "region"], "label")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("z,abc,1,1,0", "not a number"),
        ("z,1,1,1,yes", "must be 0 or 1"),
    ],
)
def test_load_names_the_line_of_a_bad_value(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,tenure_months,monthly_spend,support_calls,label\n" + row + "\n", "utf-8")
    with pytest.raises(InputError, match=f"bad.csv:2: .*{message}"):
        load(path, FEATURES, "label")
