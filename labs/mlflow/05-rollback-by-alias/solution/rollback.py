"""Find out whether the champion is worse than the version before it, and roll back if it is.

Usage (after `source lab.env` and `python3 history.py`):
    python3 rollback.py

Both versions are loaded from the registry and scored on the same fresh
rows; the scores are recorded on the versions. A worse champion is tagged
validation_status=failed with the reason, and the alias moves back to the
previous validated version. Nothing is deleted: the bad version is evidence.
"""

import os
import sys

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
    validated = client.search_model_versions(f"name = '{MODEL_NAME}' and tags.validation_status = 'passed'")
    earlier = sorted((v for v in validated if int(v.version) != int(champion.version)), key=lambda v: int(v.version))
    if not earlier:
        sys.exit("rollback: no earlier validated version to roll back to")
    previous = earlier[-1]

    scores = {}
    for version in (champion, previous):
        scores[version.version] = accuracy(f"models:/{MODEL_NAME}/{version.version}")
        client.set_model_version_tag(MODEL_NAME, version.version, "validation_accuracy", f"{scores[version.version]:.4f}")
    print(f"rollback: accuracy of champion v{champion.version} {scores[champion.version]:.4f}, v{previous.version} {scores[previous.version]:.4f}")

    if scores[champion.version] >= scores[previous.version]:
        print("rollback: the champion is not worse; nothing to do")
        return
    reason = f"accuracy {scores[champion.version]:.4f} < {scores[previous.version]:.4f} of version {previous.version} on fresh data"
    client.set_model_version_tag(MODEL_NAME, champion.version, "validation_status", "failed")
    client.set_model_version_tag(MODEL_NAME, champion.version, "rollback_reason", reason)
    client.set_registered_model_alias(MODEL_NAME, "champion", previous.version)
    print(f"rollback: champion moved back from version {champion.version} to {previous.version} ({reason})")


if __name__ == "__main__":
    main()
