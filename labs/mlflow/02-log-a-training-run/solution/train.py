"""Train the loan-default classifier and track the run in MLflow.

Usage (after `source lab.env`, with your tracking server running):
    python3 train.py
    python3 train.py --alpha 0.01 --epochs 12

It trains one SGD pass per epoch and measures log loss and accuracy on a
validation split after every epoch; MLflow gets the hyperparameters, both
curves, the evaluation report and the model with its signature.
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
        mlflow.log_params({"alpha": args.alpha, "penalty": args.penalty, "epochs": args.epochs, "seed": args.seed})

        history = []

        def on_epoch(epoch, metrics):
            mlflow.log_metrics(metrics, step=epoch)
            history.append(metrics)

        model, final = train_model(
            X_train, y_train, X_val, y_val, alpha=args.alpha, penalty=args.penalty, epochs=args.epochs, seed=args.seed, on_epoch=on_epoch
        )

        os.makedirs("reports", exist_ok=True)
        with open("reports/evaluation.json", "w", encoding="utf-8") as handle:
            json.dump({"final": final, "history": history, "validation_rows": len(y_val)}, handle, indent=2)
        mlflow.log_artifact("reports/evaluation.json")

        # The input example makes MLflow infer and store the model's signature.
        # Listing the requirements saves MLflow from guessing them (slow).
        mlflow.sklearn.log_model(
            model,
            name="model",
            input_example=X_val.head(5),
            pip_requirements=["scikit-learn", "pandas"],
        )

    print(f"train: val_loss {final['val_loss']:.4f}, val_accuracy {final['val_accuracy']:.4f}")


if __name__ == "__main__":
    main()
