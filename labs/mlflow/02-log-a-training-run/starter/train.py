"""Train the loan-default classifier and track the run in MLflow.

Usage (after `source lab.env`, with your tracking server running):
    python3 train.py
    python3 train.py --alpha 0.01 --epochs 12

It trains one SGD pass per epoch and measures log loss and accuracy on a
validation split after every epoch. Right now MLflow learns almost nothing
about the run: look for the TODOs.
"""

import argparse
import json
import os

import mlflow

from loan_data import load_splits, train_model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alpha", type=float, default=0.001, help="L2/L1 regularisation strength")
    parser.add_argument("--penalty", choices=["l2", "l1"], default="l2")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    X_train, X_val, y_train, y_val = load_splits()
    mlflow.set_experiment(os.environ["MLFLOW_EXPERIMENT_NAME"])

    with mlflow.start_run(run_name="train"):
        # TODO: log the hyperparameters (alpha, penalty, epochs, seed), so runs can be compared.

        history = []

        def on_epoch(epoch, metrics):
            # TODO: log val_loss and val_accuracy here, once per epoch, with step=epoch.
            history.append(metrics)

        model, final = train_model(
            X_train, y_train, X_val, y_val, alpha=args.alpha, penalty=args.penalty, epochs=args.epochs, seed=args.seed, on_epoch=on_epoch
        )
        mlflow.log_metric("val_accuracy", final["val_accuracy"])

        os.makedirs("reports", exist_ok=True)
        with open("reports/evaluation.json", "w", encoding="utf-8") as handle:
            json.dump({"final": final, "history": history, "validation_rows": len(y_val)}, handle, indent=2)
        # TODO: log reports/evaluation.json as an artifact of the run.

        # TODO: log the model (mlflow.sklearn.log_model) with an input example,
        # so MLflow records its signature.

    print(f"train: val_loss {final['val_loss']:.4f}, val_accuracy {final['val_accuracy']:.4f}")


if __name__ == "__main__":
    main()
