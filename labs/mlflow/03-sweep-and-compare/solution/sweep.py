"""Sweep the loan-default classifier over a small grid and find the best trial.

Usage (after `source lab.env`, with your tracking server running):
    python3 sweep.py

Six trials: alpha in (0.0001, 0.001, 0.01) times penalty in (l2, l1), each a
child run of one parent run "sweep". The best trial is the one with the
lowest validation log loss (val_loss), as the tracking server sorts them;
its run id goes to best_run.txt.
"""

import itertools
import os

import mlflow

from loan_data import load_splits, train_model

GRID = {"alpha": [0.0001, 0.001, 0.01], "penalty": ["l2", "l1"]}
EPOCHS = 6


def main():
    X_train, X_val, y_train, y_val = load_splits()
    experiment = mlflow.set_experiment(os.environ["MLFLOW_EXPERIMENT_NAME"])

    with mlflow.start_run(run_name="sweep") as parent:
        mlflow.log_params({"grid_alpha": GRID["alpha"], "grid_penalty": GRID["penalty"], "epochs": EPOCHS})
        for alpha, penalty in itertools.product(GRID["alpha"], GRID["penalty"]):
            with mlflow.start_run(run_name=f"alpha={alpha} penalty={penalty}", nested=True):
                mlflow.log_params({"alpha": alpha, "penalty": penalty, "epochs": EPOCHS})
                _, final = train_model(X_train, y_train, X_val, y_val, alpha=alpha, penalty=penalty, epochs=EPOCHS)
                mlflow.log_metrics(final)
                print(f"sweep: alpha={alpha} penalty={penalty} val_loss={final['val_loss']:.4f}")

        # Ask the server, not local variables: the same query works for any sweep, any time later.
        best = mlflow.search_runs(
            experiment_ids=[experiment.experiment_id],
            filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}' and attributes.status = 'FINISHED'",
            order_by=["metrics.val_loss ASC"],
            max_results=1,
        ).iloc[0]
        mlflow.set_tag("best_run_id", best.run_id)
        mlflow.log_metric("best_val_loss", best["metrics.val_loss"])

    with open("best_run.txt", "w", encoding="utf-8") as handle:
        handle.write(f"{best.run_id}\n")
    print(f"sweep: best trial {best.run_id} (val_loss {best['metrics.val_loss']:.4f}) -> best_run.txt")


if __name__ == "__main__":
    main()
