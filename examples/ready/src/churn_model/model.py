"""A logistic regression in plain Python: small, dependency-free, and good enough as a baseline.

Replace it with your real model; keep `fit`, `predict_proba` and the JSON round trip so that
the training entrypoint and the tests keep working.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LogisticRegression:
    weights: tuple[float, ...]
    bias: float
    means: tuple[float, ...]  # features are standardised, so one learning rate suits them all
    scales: tuple[float, ...]

    @classmethod
    def fit(
        cls,
        rows: Sequence[Sequence[float]],
        labels: Sequence[int],
        learning_rate: float = 0.5,
        epochs: int = 300,
    ) -> LogisticRegression:
        """Batch gradient descent on the log loss."""
        if not rows or len(rows) != len(labels):
            raise ValueError("fit needs as many labels as rows, and at least one row")
        width = len(rows[0])
        means = tuple(sum(row[j] for row in rows) / len(rows) for j in range(width))
        scales = tuple(
            math.sqrt(sum((row[j] - means[j]) ** 2 for row in rows) / len(rows)) or 1.0
            for j in range(width)
        )
        scaled = [_standardise(row, means, scales) for row in rows]
        weights = [0.0] * width
        bias = 0.0
        for _ in range(epochs):
            gradient = [0.0] * width
            bias_gradient = 0.0
            for row, label in zip(scaled, labels, strict=True):
                error = _sigmoid(_dot(weights, row) + bias) - label
                for j in range(width):
                    gradient[j] += error * row[j]
                bias_gradient += error
            weights = [
                w - learning_rate * g / len(rows) for w, g in zip(weights, gradient, strict=True)
            ]
            bias -= learning_rate * bias_gradient / len(rows)
        return cls(tuple(weights), bias, means, scales)

    def predict_proba(self, row: Sequence[float]) -> float:
        """The probability that the label is 1."""
        return _sigmoid(_dot(self.weights, _standardise(row, self.means, self.scales)) + self.bias)

    def predict(self, row: Sequence[float], threshold: float = 0.5) -> int:
        return int(self.predict_proba(row) >= threshold)

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": list(self.weights),
            "bias": self.bias,
            "means": list(self.means),
            "scales": list(self.scales),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogisticRegression:
        return cls(
            tuple(data["weights"]), data["bias"], tuple(data["means"]), tuple(data["scales"])
        )


def accuracy(
    model: LogisticRegression, rows: Sequence[Sequence[float]], labels: Sequence[int]
) -> float:
    hits = sum(model.predict(row) == label for row, label in zip(rows, labels, strict=True))
    return hits / len(rows)


def _standardise(
    row: Sequence[float], means: Sequence[float], scales: Sequence[float]
) -> list[float]:
    return [(x - m) / s for x, m, s in zip(row, means, scales, strict=True)]


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)  # the mirrored form does not overflow for large negative z
    return e / (1.0 + e)
