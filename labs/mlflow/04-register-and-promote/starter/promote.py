"""Register the sweep's best model and make it the champion.

Usage (after `source lab.env` and `python3 sweep.py`):
    python3 promote.py

This is how the team did it last year. Look for the TODOs.
"""

import os

import mlflow
from mlflow import MlflowClient

MODEL_NAME = os.environ["MODEL_NAME"]


def main():
    client = MlflowClient()
    experiment = mlflow.get_experiment_by_name(os.environ["MLFLOW_EXPERIMENT_NAME"])

    # TODO: this takes the newest trial, not the best one. Ask the server for
    # the finished trial with the lowest val_loss (order_by metrics.val_loss ASC).
    trial = mlflow.search_runs(
        experiment_ids=[experiment.experiment_id],
        filter_string="tags.mlflow.parentRunId != ''",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    ).iloc[0]
    model_id = client.get_run(trial.run_id).outputs.model_outputs[0].model_id
    version = mlflow.register_model(f"models:/{model_id}", MODEL_NAME)

    # TODO: validate the registered version before anyone uses it, and tag it
    # validation_status=passed (or failed).

    # TODO: stages are deprecated since MLflow 2.9. Point the alias "champion"
    # at the version instead.
    client.transition_model_version_stage(MODEL_NAME, version.version, stage="Production")
    print(f"promote: version {version.version} of {MODEL_NAME} is in Production")


if __name__ == "__main__":
    main()
