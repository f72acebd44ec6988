"""Sweep the loan-default classifier over alpha and log a model per trial (given; it works).

Usage (after `source lab.env`, with your tracking server running):
    python3 sweep.py

Four trials, each a child run of one parent run "sweep", each logging its
params, val_loss and val_accuracy, and its model (an MLflow 3 logged model).
"""

import os

import mlflow

from loan_data import load_splits, train_model

ALPHAS = [0.0001, 0.001, 0.01, 0.1]
EPOCHS = 6


def main():
    X_train, X_val, y_train, y_val = load_splits()
    mlflow.set_experiment(os.environ["MLFLOW_EXPERIMENT_NAME"])
    with mlflow.start_run(run_name="sweep"):
        for alpha in ALPHAS:
            with mlflow.start_run(run_name=f"alpha={alpha}", nested=True):
                mlflow.log_params({"alpha": alpha, "penalty": "l2", "epochs": EPOCHS})
                model, final = train_model(X_train, y_train, X_val, y_val, alpha=alpha, epochs=EPOCHS)
                mlflow.log_metrics(final)
                mlflow.sklearn.log_model(model, name="model", input_example=X_val.head(5), pip_requirements=["scikit-learn", "pandas"])
                print(f"sweep: alpha={alpha} val_loss={final['val_loss']:.4f} val_accuracy={final['val_accuracy']:.4f}")


if __name__ == "__main__":
    main()
