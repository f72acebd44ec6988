"""Logistic regression on UCI Adult: seeded split, metrics.json, one MLflow run, one registered version."""

import hashlib
import json
import os
import sys
from pathlib import Path

import mlflow
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
CATEGORICAL = ["workclass", "education", "marital_status", "occupation", "relationship", "race", "sex", "native_country"]


def main() -> int:
    seed = int(os.environ.get("SEED", "42"))
    out = Path(os.environ.get("OUTPUT_DIR", "models/latest"))
    out.mkdir(parents=True, exist_ok=True)
    data = Path("data/adult.csv.gz")
    sha = hashlib.sha256(data.read_bytes()).hexdigest()
    frame = pd.read_csv(data)
    frame[CATEGORICAL] = frame[CATEGORICAL].fillna("missing")
    y = (frame["income"] == ">50K").astype(int)
    x = frame[NUMERIC + CATEGORICAL]
    x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=0.15, stratify=y, random_state=seed)
    x_train, x_val, y_train, y_val = train_test_split(x_rest, y_rest, test_size=0.15 / 0.85, stratify=y_rest, random_state=seed)
    model = Pipeline(
        [
            ("prep", ColumnTransformer([("num", StandardScaler(), NUMERIC), ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)])),
            ("clf", LogisticRegression(max_iter=1000, random_state=seed)),
        ]
    )
    model.fit(x_train, y_train)
    scores = model.predict_proba(x_test)[:, 1]
    predicted = (scores >= 0.4).astype(int)
    metrics = {
        "precision": float(precision_score(y_test, predicted)),
        "recall": float(recall_score(y_test, predicted)),
        "f1": float(f1_score(y_test, predicted)),
        "roc_auc": float(roc_auc_score(y_test, scores)),
    }
    (out / "metrics.json").write_text(
        json.dumps(
            {
                **metrics,
                "seed": seed,
                "rows": {"train": len(x_train), "validation": len(x_val), "test": len(x_test)},
                "dataset_sha256": sha,
                "model": "LogisticRegression",
            }
        )
    )
    mlflow.set_experiment(os.environ.get("MLFLOW_EXPERIMENT_NAME", "capstone"))
    with mlflow.start_run() as run:
        mlflow.log_params({"seed": seed, "model": "LogisticRegression", "threshold": 0.4})
        mlflow.log_metrics(metrics)
        mlflow.sklearn.log_model(model, name="model", registered_model_name=os.environ.get("MODEL_NAME", "adult-income"))
    print(json.dumps({"run_id": run.info.run_id, **metrics}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
