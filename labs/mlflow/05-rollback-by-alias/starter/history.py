"""Replay yesterday (given; run it once): a validated champion, then a hasty promotion.

Usage (after `source lab.env`, with your tracking server running):
    python3 history.py

1. Trains the model properly, registers it as version 1, validates it
   (validation_status=passed) and makes it the champion.
2. Trains a "quick fix" on a broken extract (a column shifted by one row),
   registers it as version 2 and moves the champion alias to it, with no
   validation at all.
"""

import os
import sys

import mlflow
from mlflow import MlflowClient

from loan_data import load_splits, train_model

MODEL_NAME = os.environ["MODEL_NAME"]


def train_and_register(run_name, X_train, y_train, X_val, y_val):
    with mlflow.start_run(run_name=run_name):
        model, final = train_model(X_train, y_train, X_val, y_val, alpha=0.001, epochs=6)
        mlflow.log_metrics(final)
        info = mlflow.sklearn.log_model(model, name="model", input_example=X_val.head(5), pip_requirements=["scikit-learn", "pandas"])
    return mlflow.register_model(info.model_uri, MODEL_NAME).version


def main():
    client = MlflowClient()
    mlflow.set_experiment(os.environ["MLFLOW_EXPERIMENT_NAME"])
    if client.search_model_versions(f"name = '{MODEL_NAME}'"):
        sys.exit(f"history: {MODEL_NAME} already has versions; run it only once (mlops-lab reset starts over)")
    X_train, X_val, y_train, y_val = load_splits()

    good = train_and_register("monthly-retrain", X_train, y_train, X_val, y_val)
    client.set_model_version_tag(MODEL_NAME, good, "validation_status", "passed")
    client.set_registered_model_alias(MODEL_NAME, "champion", good)
    print(f"history: version {good} validated and champion")

    # The broken extract: the label column slipped by one row against the features.
    shifted = y_train.shift(1).fillna(0).astype(int)
    hasty = train_and_register("quick-fix", X_train, shifted, X_val, y_val)
    client.set_registered_model_alias(MODEL_NAME, "champion", hasty)
    print(f"history: version {hasty} promoted to champion without validation")


if __name__ == "__main__":
    main()
