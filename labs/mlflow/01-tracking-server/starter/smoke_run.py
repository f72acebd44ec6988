"""Log one small run to your tracking server, to see that everything is wired up.

Usage (after `source lab.env`, with the server running):
    python3 smoke_run.py

It logs to the experiment named by MLFLOW_EXPERIMENT_NAME, which must exist
already: create it first (the instructions show how).
"""

import os
import sys

import mlflow

experiment_name = os.environ.get("MLFLOW_EXPERIMENT_NAME")
if not experiment_name:
    sys.exit("smoke_run: MLFLOW_EXPERIMENT_NAME is not set; run `source lab.env` first")

experiment = mlflow.get_experiment_by_name(experiment_name)
if experiment is None:
    sys.exit(
        f"smoke_run: {mlflow.get_tracking_uri()} has no experiment {experiment_name!r}; "
        f'create it: mlflow experiments create --experiment-name "$MLFLOW_EXPERIMENT_NAME"'
    )

with mlflow.start_run(experiment_id=experiment.experiment_id, run_name="smoke-run") as run:
    mlflow.log_param("purpose", "smoke-test")
    mlflow.log_metric("answer", 42)
    mlflow.log_text("The tracking server stored this file in its artifact root.\n", "notes/hello.txt")

print(f"smoke_run: logged run {run.info.run_id} to experiment {experiment_name!r} at {mlflow.get_tracking_uri()}")
