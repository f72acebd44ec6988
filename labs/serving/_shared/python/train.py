"""Trains the loan-default model and saves it for the service (given; you do not need to change it).

    python train.py            # writes model/model.joblib and model/model.json

The data and the model come from loan_data.py (the same ones the MLflow labs
use): six numeric features, a scaled logistic regression. Training is
deterministic, so every run writes the same model.
"""

import json
import sys
from pathlib import Path

import joblib

from loan_data import FEATURES, load_splits, train_model


def main(out_dir="model"):
    X_train, X_val, y_train, y_val = load_splits()
    model, metrics = train_model(X_train, y_train, X_val, y_val)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out / "model.joblib")
    (out / "model.json").write_text(json.dumps({"features": FEATURES, **metrics}, indent=2) + "\n")
    print(f"saved {out / 'model.joblib'} (val_accuracy {metrics['val_accuracy']:.3f})")


if __name__ == "__main__":
    main(*sys.argv[1:2])
