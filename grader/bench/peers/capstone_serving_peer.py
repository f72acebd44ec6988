"""The peer of grader/bench/capstone-serving.ts: the same task served the usual Python way.

    python capstone_serving_peer.py train --data adult.csv.gz --split split.json --encoding encoding.json --out DIR
    python capstone_serving_peer.py serve --model DIR --port N [--workers W]

`train` fits scikit-learn's MLPClassifier (a multilayer perceptron, the same
model class as the TypeScript reference: 64 and 32 ReLU units, Adam, L2
1e-5, batch 256, learning rate 0.002) on the SAME training rows, encoded with
the SAME encoding (the reference's encoding.json, applied by `encode` below:
z-scores with log1p for the money columns, quantile-bin one-hots, category
one-hots with "other" and "missing"). The decision threshold is the best F1
on the same validation rows. It prints the fit time and the test ROC AUC.

`serve` is FastAPI + uvicorn with the same contract as the reference server:
HTTP Basic auth from SERVING_USERNAME / SERVING_PASSWORD compared in constant
time, strictly validated rows (pydantic, unknown fields refused, whole numbers
in the same ranges, at most 1000 rows), POST /predict -> {"predictions":
[{"label", "score"}]}, GET /health. Only for benchmarking.
"""

import argparse
import json
import os
import pickle
import secrets
import sys
import time
from typing import Annotated, Optional

import numpy as np


def numbers(rows, name):
    """The column as floats; anything that is not a number is missing (NaN)."""
    return np.array([v if isinstance(v := r.get(name), (int, float, np.integer, np.floating)) else np.nan for r in rows], dtype=np.float64)


def encode(encoding, rows):
    """features.ts encodeRow for many rows at once (numpy), column for column."""
    n = len(rows)
    blocks = []
    for spec in encoding["numeric"]:
        raw = numbers(rows, spec["name"])
        value = np.log1p(np.maximum(raw, 0)) if spec["transform"] == "log1p" else raw
        value = np.where(np.isfinite(value), value, spec["mean"])
        blocks.append(((value - spec["mean"]) / spec["std"]).reshape(n, 1))
    for spec in encoding["numeric"]:
        edges = spec["binEdges"]
        if not edges:
            continue
        raw = numbers(rows, spec["name"])
        onehot = np.zeros((n, len(edges) + 1))
        known = np.isfinite(raw)
        onehot[np.nonzero(known)[0], np.searchsorted(np.array(edges), raw[known], side="left")] = 1
        blocks.append(onehot)
    for spec in encoding["categorical"]:
        index = {c: i for i, c in enumerate(spec["categories"])}
        k = len(spec["categories"])
        onehot = np.zeros((n, k + 2))
        for i, r in enumerate(rows):
            v = r.get(spec["name"])
            v = v.strip() if isinstance(v, str) else None
            onehot[i, k + 1 if v in (None, "", "?") else index.get(v, k)] = 1
        blocks.append(onehot)
    return np.hstack(blocks).astype(np.float32)


def best_f1_threshold(labels, scores):
    order = np.argsort(-scores)
    s, y = scores[order], labels[order]
    tp = np.cumsum(y)
    fp = np.cumsum(1 - y)
    f1 = 2 * tp / (tp + fp + y.sum())
    last = np.r_[s[1:] != s[:-1], True]
    best = np.argmax(np.where(last, f1, -1))
    return float(s[best])


def train(args):
    import pandas as pd
    import sklearn
    from sklearn.metrics import roc_auc_score
    from sklearn.neural_network import MLPClassifier

    df = pd.read_csv(args.data, keep_default_na=False, na_values=[""])
    with open(args.split) as f:
        split = json.load(f)
    with open(args.encoding) as f:
        encoding = json.load(f)
    records = df.astype(object).where(df.notna(), None).to_dict("records")
    y = (df["income"].str.strip().str.rstrip(".") == ">50K").astype(int).to_numpy()
    part = lambda name: ([records[i] for i in split[name]], y[split[name]])
    (xtr, ytr), (xva, yva), (xte, yte) = part("train"), part("validation"), part("test")
    started = time.perf_counter()
    model = MLPClassifier(
        hidden_layer_sizes=(64, 32), alpha=1e-5, batch_size=256, learning_rate_init=0.002, max_iter=40,
        early_stopping=True, n_iter_no_change=5, random_state=args.seed,
    )
    model.fit(encode(encoding, xtr), ytr)
    fit_seconds = time.perf_counter() - started
    threshold = best_f1_threshold(yva, model.predict_proba(encode(encoding, xva))[:, 1])
    auc = roc_auc_score(yte, model.predict_proba(encode(encoding, xte))[:, 1])
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "model.pkl"), "wb") as f:
        pickle.dump({"model": model, "encoding": encoding, "threshold": threshold}, f)
    # The first test rows as encoded here, so the bench can check the encoding matches the TypeScript one.
    json.dump({"encodedSample": encode(encoding, xte[: args.check_rows]).tolist(), "fitSeconds": fit_seconds, "testRocAuc": auc, "threshold": threshold, "epochs": model.n_iter_,
               "versions": {"python": sys.version.split()[0], "scikit-learn": sklearn.__version__, "numpy": np.__version__}}, sys.stdout)


def make_app(model_dir):
    from fastapi import Depends, FastAPI, HTTPException, status
    from fastapi.security import HTTPBasic, HTTPBasicCredentials
    from pydantic import BaseModel, ConfigDict, Field

    with open(os.path.join(model_dir, "model.pkl"), "rb") as f:
        saved = pickle.load(f)
    model, encoding, threshold = saved["model"], saved["encoding"], saved["threshold"]
    username = os.environ["SERVING_USERNAME"].encode()
    password = os.environ["SERVING_PASSWORD"].encode()

    def whole(lo, hi):
        return Annotated[int, Field(strict=True, ge=lo, le=hi)]

    Category = Optional[Annotated[str, Field(strict=True, max_length=100)]]

    class Row(BaseModel):
        model_config = ConfigDict(extra="forbid")
        age: whole(0, 120)
        education_num: whole(0, 30)
        capital_gain: whole(0, 10_000_000)
        capital_loss: whole(0, 10_000_000)
        hours_per_week: whole(0, 168)
        workclass: Category
        education: Category
        marital_status: Category
        occupation: Category
        relationship: Category
        race: Category
        sex: Category
        native_country: Category
        fnlwgt: Optional[whole(0, 100_000_000)] = None

    class PredictRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")
        rows: Annotated[list[Row], Field(min_length=1, max_length=1000)]

    security = HTTPBasic()

    def authorized(credentials: Annotated[HTTPBasicCredentials, Depends(security)]):
        user_ok = secrets.compare_digest(credentials.username.encode(), username)
        password_ok = secrets.compare_digest(credentials.password.encode(), password)
        if not (user_ok and password_ok):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong credentials", headers={"WWW-Authenticate": "Basic"})

    app = FastAPI()

    @app.get("/health")
    def health():
        return {"status": "ok"}

    # `async def` runs on the event loop with no thread-pool hop: for a sub-millisecond model call that is the faster of
    # FastAPI's two ways (a plain `def` would move every call to a worker thread), so the peer gets its better variant.
    @app.post("/predict", dependencies=[Depends(authorized)])
    async def predict(request: PredictRequest):
        rows = [r.model_dump() for r in request.rows]
        scores = model.predict_proba(encode(encoding, rows))[:, 1]
        return {"predictions": [{"label": ">50K" if s >= threshold else "<=50K", "score": float(s)} for s in scores]}

    return app


app = make_app(os.environ["PEER_MODEL_DIR"]) if os.environ.get("PEER_MODEL_DIR") else None


def serve(args):
    import uvicorn

    os.environ["PEER_MODEL_DIR"] = args.model
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    uvicorn.run("capstone_serving_peer:app", host="127.0.0.1", port=args.port, workers=args.workers, log_level="warning", access_log=False)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--split", required=True)
    t.add_argument("--encoding", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--seed", type=int, default=42)
    t.add_argument("--check-rows", type=int, default=50)
    s = sub.add_parser("serve")
    s.add_argument("--model", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    train(args) if args.command == "train" else serve(args)
