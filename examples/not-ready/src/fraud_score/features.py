"""Features for the fraud model.

`build_features` was renamed to `make_features` when the notebook code moved here; the
contract still names the old function.
"""

from __future__ import annotations


def make_features(transaction: dict[str, float]) -> list[float]:
    amount = transaction["amount"]
    return [amount, float(amount > 1000), transaction.get("merchant_risk", 0.0)]
