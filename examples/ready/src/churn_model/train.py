"""The retrain entrypoint: `python -m churn_model.train --config configs/train.yaml`.

Everything that changes a training run lives in the config file, not in this code, so that a
run can be repeated from the repository alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from churn_model.model import LogisticRegression, accuracy
from churn_model.pipeline import Example, load

REQUIRED_KEYS = ("data", "features", "target", "training", "artifacts")


class ConfigError(ValueError):
    """The training config is missing something the run needs."""


def load_config(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as stream:
        config = yaml.safe_load(stream)
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: the config must be a mapping of keys")
    missing = [key for key in REQUIRED_KEYS if key not in config]
    if missing:
        raise ConfigError(f"{path}: missing keys: {', '.join(missing)}")
    return config


def predictions(model: LogisticRegression, examples: Sequence[Example]) -> list[dict[str, Any]]:
    """One record per example, in the shape of schemas/predictions.schema.json."""
    records = []
    for example in examples:
        score = model.predict_proba(example.features)
        records.append({"id": example.id, "score": round(score, 6), "label": int(score >= 0.5)})
    return records


def train(config: dict[str, Any], output_dir: str | Path | None = None) -> dict[str, float]:
    """Load the data, fit the model, write the model and its predictions; return the metrics.

    With ``output_dir``, the artifacts are written there instead of where the config says."""
    examples = load(config["data"]["train"], config["features"], config["target"])
    rows = [example.features for example in examples]
    labels = [example.label for example in examples]
    model = LogisticRegression.fit(
        rows,
        labels,
        learning_rate=float(config["training"]["learning_rate"]),
        epochs=int(config["training"]["epochs"]),
    )
    metrics = {"train_accuracy": accuracy(model, rows, labels), "rows": float(len(rows))}
    artifacts = dict(config["artifacts"])
    if output_dir is not None:
        artifacts = {key: Path(output_dir) / Path(path).name for key, path in artifacts.items()}
    _write_json(artifacts["model"], model.to_dict())
    _write_json(artifacts["predictions"], predictions(model, examples))
    _write_json(artifacts["metrics"], metrics)
    return metrics


def _write_json(path: str | Path, data: Any) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m churn_model.train", description="Train the model from scratch."
    )
    parser.add_argument("--config", required=True, help="the training config (YAML)")
    parser.add_argument("--output-dir", help="write the artifacts here instead (a smoke run)")
    args = parser.parse_args(argv)
    try:
        metrics = train(load_config(args.config), args.output_dir)
    except (OSError, ValueError) as exc:
        print(f"train: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(metrics, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
