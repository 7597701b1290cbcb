from __future__ import annotations

import pytest

from churn_model.model import LogisticRegression, accuracy


def test_fit_separates_separable_data() -> None:
    rows = [[0.0], [1.0], [2.0], [8.0], [9.0], [10.0]]
    labels = [0, 0, 0, 1, 1, 1]
    model = LogisticRegression.fit(rows, labels)
    assert accuracy(model, rows, labels) == 1.0
    assert model.predict_proba([10.0]) > 0.9
    assert model.predict_proba([0.0]) < 0.1


def test_model_survives_a_json_round_trip() -> None:
    model = LogisticRegression.fit([[0.0, 1.0], [1.0, 0.0]], [0, 1], epochs=10)
    again = LogisticRegression.from_dict(model.to_dict())
    assert again == model


def test_fit_refuses_mismatched_labels() -> None:
    with pytest.raises(ValueError, match="as many labels as rows"):
        LogisticRegression.fit([[0.0], [1.0]], [0])
