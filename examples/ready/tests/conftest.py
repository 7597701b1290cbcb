from __future__ import annotations

from pathlib import Path

import pytest

HEADER = "id,tenure_months,monthly_spend,support_calls,label\n"
# Customers with short tenure and many support calls leave (label 1): separable on purpose,
# so that a working model must get every row right.
ROWS = [
    ("a", 2, 80.0, 6, 1),
    ("b", 3, 75.0, 5, 1),
    ("c", 1, 90.0, 7, 1),
    ("d", 4, 60.0, 4, 1),
    ("e", 40, 30.0, 0, 0),
    ("f", 36, 35.0, 1, 0),
    ("g", 48, 25.0, 0, 0),
    ("h", 30, 40.0, 1, 0),
]


@pytest.fixture
def train_csv(tmp_path: Path) -> Path:
    path = tmp_path / "train.csv"
    path.write_text(HEADER + "".join(",".join(map(str, row)) + "\n" for row in ROWS), "utf-8")
    return path
