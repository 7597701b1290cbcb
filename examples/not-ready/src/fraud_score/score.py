"""Turn features into a score with the weights fitted in the notebook."""

from __future__ import annotations

import math

WEIGHTS = [0.0008, 1.4, 2.1]
BIAS = -4.0


def score(features: list[float]) -> float:
    z = sum(w * x for w, x in zip(WEIGHTS, features)) + BIAS
    print(f"z={z:.3f}")  # left over from debugging in the notebook
    return 1.0 / (1.0 + math.exp(-z))
