"""Sweep the loan-default classifier over a small grid and find the best trial.

Usage (after `source lab.env`, with your tracking server running):
    python3 sweep.py

Six trials: alpha in (0.0001, 0.001, 0.01) times penalty in (l2, l1). Every
trial is judged by its validation log loss (val_loss: lower is better).
Look for the TODOs.
"""

import itertools
import os

import mlflow

from loan_data import load_splits, train_model

GRID = {"alpha": [0.0001, 0.001, 0.01], "penalty": ["l2", "l1"]}
EPOCHS = 6


def main():
    X_train, X_val, y_train, y_val = load_splits()
    mlflow.set_experiment(os.environ["MLFLOW_EXPERIMENT_NAME"])

    # TODO: open a parent run for the whole sweep (run_name="sweep") and start
    # each trial below as a child of it: mlflow.start_run(nested=True).
    for alpha, penalty in itertools.product(GRID["alpha"], GRID["penalty"]):
        with mlflow.start_run(run_name=f"alpha={alpha} penalty={penalty}"):
            # TODO: log the trial's params (alpha, penalty, epochs).
            _, final = train_model(X_train, y_train, X_val, y_val, alpha=alpha, penalty=penalty, epochs=EPOCHS)
            # TODO: log val_loss and val_accuracy of the trial.
            print(f"sweep: alpha={alpha} penalty={penalty} val_loss={final['val_loss']:.4f}")

    # TODO: ask the tracking server for the best trial of this sweep (lowest
    # val_loss) with mlflow.search_runs, and write its run id to best_run.txt.


if __name__ == "__main__":
    main()
