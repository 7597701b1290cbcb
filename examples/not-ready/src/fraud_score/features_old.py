"""Features for the fraud model (the version before the notebook code moved here)."""

from __future__ import annotations


def build_features(transaction: dict[str, float]) -> list[float]:
    amount = transaction["amount"]
    return [amount, float(amount > 1000)]
