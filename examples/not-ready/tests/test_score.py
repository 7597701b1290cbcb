from fraud_score.features import make_features
from fraud_score.score import score


def test_large_risky_transactions_score_higher() -> None:
    small = score(make_features({"amount": 20.0, "merchant_risk": 0.0}))
    large = score(make_features({"amount": 5000.0, "merchant_risk": 1.0}))
    assert small < 0.5 < large
