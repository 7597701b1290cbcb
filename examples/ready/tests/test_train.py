from __future__ import annotations

import json
from pathlib import Path

import yaml

from churn_model.train import main

ROOT = Path(__file__).resolve().parent.parent


def test_training_writes_a_model_and_predictions_in_the_published_schema(
    train_csv: Path, tmp_path: Path
) -> None:
    config = yaml.safe_load((ROOT / "configs" / "train.yaml").read_text("utf-8"))
    config["data"]["train"] = str(train_csv)
    config["artifacts"] = {
        name: str(tmp_path / "models" / f"{name}.json") for name in config["artifacts"]
    }
    config_path = tmp_path / "train.yaml"
    config_path.write_text(yaml.safe_dump(config), "utf-8")

    assert main(["--config", str(config_path)]) == 0

    metrics = json.loads((tmp_path / "models" / "metrics.json").read_text("utf-8"))
    assert metrics["train_accuracy"] == 1.0
    schema = json.loads((ROOT / "schemas" / "predictions.schema.json").read_text("utf-8"))
    records = json.loads((tmp_path / "models" / "predictions.json").read_text("utf-8"))
    assert len(records) == 8
    for record in records:
        assert set(record) == set(schema["required"])
        assert 0 <= record["score"] <= 1
        assert record["label"] in (0, 1)


def test_training_reports_a_missing_data_file(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "configs" / "train.yaml").read_text("utf-8"))
    config["data"]["train"] = str(tmp_path / "nowhere.csv")
    config_path = tmp_path / "train.yaml"
    config_path.write_text(yaml.safe_dump(config), "utf-8")
    assert main(["--config", str(config_path)]) == 1


def test_the_sample_output_matches_the_schema() -> None:
    schema = json.loads((ROOT / "schemas" / "predictions.schema.json").read_text("utf-8"))
    sample = json.loads((ROOT / "schemas" / "predictions.sample.json").read_text("utf-8"))
    for record in sample:
        assert set(record) == set(schema["required"])
