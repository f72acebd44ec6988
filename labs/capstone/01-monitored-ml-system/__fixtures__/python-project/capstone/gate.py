"""Promote CANDIDATE_VERSION (default: the newest) when its run's f1 is at least the champion's."""

import os
import sys

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException


def main() -> int:
    name = os.environ.get("MODEL_NAME", "adult-income")
    client = MlflowClient()
    versions = client.search_model_versions(f"name = '{name}'")
    candidate = os.environ.get("CANDIDATE_VERSION") or str(max(int(v.version) for v in versions))
    f1 = client.get_run(client.get_model_version(name, candidate).run_id).data.metrics["f1"]
    try:
        champion = client.get_model_version_by_alias(name, "champion")
    except MlflowException:
        champion = None
    if champion is not None:
        best = client.get_run(champion.run_id).data.metrics["f1"]
        if f1 < best:
            print(f"refused: version {candidate} f1 {f1:.4f} < champion {champion.version} f1 {best:.4f}")
            return 1
    client.set_registered_model_alias(name, "champion", candidate)
    print(f"promoted version {candidate} (f1 {f1:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
