"""Registers two versions of the loan-default model and points the `champion` alias at version 1 (given).

    source lab.env
    python register_versions.py

Version 1 is a steady model (small alpha, 8 epochs); version 2 a quicker,
more regularised one. Their predictions differ, so you can tell which one a
service loaded. Running it again does nothing once both versions exist.
"""

import os

import mlflow
from mlflow import MlflowClient

from loan_data import load_splits, train_model

CANDIDATES = [("steady", {"alpha": 1e-3, "epochs": 8}), ("regularised", {"alpha": 3e-2, "epochs": 2})]


def main():
    name = os.environ["MODEL_NAME"]
    client = MlflowClient()
    if len(client.search_model_versions(f"name = '{name}'")) >= len(CANDIDATES):
        print(f"{name} already has its versions; champion -> {client.get_model_version_by_alias(name, 'champion').version}")
        return
    mlflow.set_experiment(os.environ["MLFLOW_EXPERIMENT_NAME"])
    X_train, X_val, y_train, y_val = load_splits()
    for run_name, params in CANDIDATES:
        with mlflow.start_run(run_name=run_name):
            model, metrics = train_model(X_train, y_train, X_val, y_val, **params)
            mlflow.log_params(params)
            mlflow.log_metrics(metrics)
            mlflow.sklearn.log_model(model, name="model", registered_model_name=name, input_example=X_val.head(3))
    client.set_registered_model_alias(name, "champion", "1")
    print(f"registered {name} versions 1 and 2; champion -> 1")


if __name__ == "__main__":
    main()
