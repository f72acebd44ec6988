"""Fills a real MLflow tracking server the way a learner's work would, with
MLflow's own Python client, and writes what it wrote as JSON to <out.json>
(not stdout: MLflow prints there) so the TypeScript test can check that the
grader's REST client reads exactly that.

Usage: populate.py <tracking-uri> <bulk-runs> <out.json>

- experiment "sweep": three runs of a tiny scikit-learn classifier (iris,
  bundled with scikit-learn, no download) with params, a metric history,
  a tag and artifacts (a file and a folder);
- the model of every sweep run logged (MLflow 3 logged models) and registered
  as "iris-classifier" (versions 1-3); alias `champion` on the best version,
  `challenger` on another; the champion tagged `validation_status=passed`;
- experiment "bulk": <bulk-runs> runs with one param and one metric each,
  logged with log_batch from 8 threads, for pagination;
- experiment "edge": one FAILED run whose loss is NaN and grad_norm +inf.
"""

import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import mlflow
import mlflow.sklearn
from mlflow import MlflowClient
from mlflow.entities import Metric, Param
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

tracking_uri, bulk_runs, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
mlflow.set_tracking_uri(tracking_uri)
client = MlflowClient()
started = time.time()

X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

sweep_id = client.create_experiment("sweep", tags={"team": "h6"})
mlflow.set_experiment(experiment_id=sweep_id)
runs = []
for c in (0.01, 0.1, 1.0):
    with mlflow.start_run(run_name=f"logreg-C{c}") as run:
        model = LogisticRegression(C=c, max_iter=200).fit(X_train, y_train)
        accuracy = float(model.score(X_test, y_test))
        mlflow.log_params({"C": c, "max_iter": 200})
        mlflow.log_metric("accuracy", accuracy)
        losses = [1.0 / (step + 1 + c) for step in range(5)]
        for step, loss in enumerate(losses):
            mlflow.log_metric("loss", loss, step=step)
        mlflow.set_tag("model_family", "logistic-regression")
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "confusion_matrix.txt"), "w") as f:
                f.write("stand-in confusion matrix\n")
            os.makedirs(os.path.join(tmp, "reports"))
            with open(os.path.join(tmp, "reports", "summary.json"), "w") as f:
                json.dump({"accuracy": accuracy}, f)
            mlflow.log_artifact(os.path.join(tmp, "confusion_matrix.txt"))
            mlflow.log_artifacts(os.path.join(tmp, "reports"), artifact_path="reports")
        logged = mlflow.sklearn.log_model(
            model,
            name="model",
            pip_requirements=["scikit-learn"],
            params={"C": c},
        )
        runs.append(
            {
                "run_id": run.info.run_id,
                "run_name": f"logreg-C{c}",
                "params": {"C": str(c), "max_iter": "200"},
                "accuracy": accuracy,
                "losses": losses,
                "model_id": logged.model_id,
            }
        )

model_name = "iris-classifier"
client.create_registered_model(model_name, tags={"owner": "h6"}, description="iris, logistic regression")
versions = []
for r in runs:
    mv = client.create_model_version(model_name, source=f"models:/{r['model_id']}", run_id=r["run_id"], model_id=r["model_id"])
    versions.append({"version": mv.version, "run_id": r["run_id"], "model_id": r["model_id"], "source": mv.source})

best = max(range(len(runs)), key=lambda i: (runs[i]["accuracy"], -i))
other = 0 if best != 0 else 1
client.set_registered_model_alias(model_name, "champion", versions[best]["version"])
client.set_registered_model_alias(model_name, "challenger", versions[other]["version"])
client.set_model_version_tag(model_name, versions[best]["version"], "validation_status", "passed")

bulk_id = client.create_experiment("bulk")
now = int(time.time() * 1000)


def log_bulk_run(i):
    run = client.create_run(bulk_id, run_name=f"bulk-{i}", start_time=now + i, tags={"kind": "bulk"})
    client.log_batch(run.info.run_id, metrics=[Metric("score", float(i), now + i, 0)], params=[Param("i", str(i))])


# The round trips overlap in threads; the server still serialises the writes.
with ThreadPoolExecutor(max_workers=8) as pool:
    list(pool.map(log_bulk_run, range(bulk_runs)))

edge_id = client.create_experiment("edge")
edge = client.create_run(edge_id, run_name="diverged")
client.log_batch(edge.info.run_id, metrics=[Metric("loss", float("nan"), now, 0), Metric("grad_norm", float("inf"), now, 0)])
client.set_terminated(edge.info.run_id, status="FAILED")

with open(out_path, "w") as out:
    json.dump(
        {
            "sweep_experiment_id": sweep_id,
            "runs": runs,
            "model_name": model_name,
            "versions": versions,
            "champion": versions[best]["version"],
            "challenger": versions[other]["version"],
            "bulk_experiment_id": bulk_id,
            "bulk_runs": bulk_runs,
            "edge_experiment_id": edge_id,
            "edge_run_id": edge.info.run_id,
            "seconds": round(time.time() - started, 1),
        },
        out,
    )
