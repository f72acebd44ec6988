"""Find out whether the champion is worse than the version before it, and roll back if it is.

Usage (after `source lab.env` and `python3 history.py`):
    python3 rollback.py

Look for the TODOs.
"""

import os

import mlflow
from mlflow import MlflowClient

from loan_data import load

MODEL_NAME = os.environ["MODEL_NAME"]


def accuracy(model_uri):
    """Accuracy of a registered version on fresh rows it never saw."""
    model = mlflow.pyfunc.load_model(model_uri)
    X, y = load(rows=1000, seed=2024)
    return float((model.predict(X) == y.to_numpy()).mean())


def main():
    client = MlflowClient()
    champion = client.get_model_version_by_alias(MODEL_NAME, "champion")
    print(f"rollback: champion is version {champion.version}")

    # TODO: find the previous champion: the newest other version tagged validation_status=passed.

    # TODO: measure both versions with accuracy(f"models:/{MODEL_NAME}/<version>") and
    # record each result as a tag validation_accuracy on its version.

    # TODO: if the champion is worse: tag it validation_status=failed and
    # rollback_reason=<why>, and move the alias "champion" back to the previous
    # version. Keep the bad version: it is the evidence.


if __name__ == "__main__":
    main()
