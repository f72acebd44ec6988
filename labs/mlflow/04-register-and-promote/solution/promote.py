"""Register the sweep's best model, validate it, and make it the champion.

Usage (after `source lab.env` and `python3 sweep.py`):
    python3 promote.py

The best trial is the finished one with the lowest val_loss, as the server
ranks them. Its logged model is registered, loaded back from the registry
and validated on fresh data; only a version that passes gets the alias
"champion" (stages are deprecated since MLflow 2.9).
"""

import os
import sys

import mlflow
from mlflow import MlflowClient

from loan_data import load

MODEL_NAME = os.environ["MODEL_NAME"]
MIN_ACCURACY = 0.75


def validate(model_uri):
    """Load the version as a consumer would and score it on rows it never saw. Returns (passed, accuracy)."""
    model = mlflow.pyfunc.load_model(model_uri)
    X, y = load(rows=1000, seed=2024)
    predictions = model.predict(X)
    labels_ok = set(int(p) for p in predictions) <= {0, 1} and len(predictions) == len(y)
    accuracy = float((predictions == y.to_numpy()).mean())
    return labels_ok and accuracy >= MIN_ACCURACY, accuracy


def main():
    client = MlflowClient()
    experiment = mlflow.get_experiment_by_name(os.environ["MLFLOW_EXPERIMENT_NAME"])
    best = mlflow.search_runs(
        experiment_ids=[experiment.experiment_id],
        filter_string="tags.mlflow.parentRunId != '' and attributes.status = 'FINISHED'",
        order_by=["metrics.val_loss ASC"],
        max_results=1,
    ).iloc[0]
    model_id = client.get_run(best.run_id).outputs.model_outputs[0].model_id
    version = mlflow.register_model(f"models:/{model_id}", MODEL_NAME)

    passed, accuracy = validate(f"models:/{MODEL_NAME}/{version.version}")
    client.set_model_version_tag(MODEL_NAME, version.version, "validation_status", "passed" if passed else "failed")
    client.set_model_version_tag(MODEL_NAME, version.version, "validation_accuracy", f"{accuracy:.4f}")
    if not passed:
        sys.exit(f"promote: version {version.version} failed validation (accuracy {accuracy:.4f} < {MIN_ACCURACY}); champion unchanged")

    client.set_registered_model_alias(MODEL_NAME, "champion", version.version)
    print(f"promote: version {version.version} (run {best.run_id}, val_loss {best['metrics.val_loss']:.4f}) is the champion")


if __name__ == "__main__":
    main()
