"""Fraud scoring: features and the scoring function."""
