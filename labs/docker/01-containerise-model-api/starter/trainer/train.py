"""Train a logistic-regression loan-default model and write model/model.json.

Plain Python, no NumPy: it standardises the features, runs mini-batch
gradient descent, and measures accuracy, precision and recall on a
held-out split. Deterministic for a given --seed.

Usage:
    python3 trainer/train.py --data data/loans.csv --out model/model.json
"""

import argparse
import csv
import json
import math
import os
import random
import sys
import time

FEATURES = [
    "age",
    "annual_income",
    "loan_amount",
    "credit_score",
    "debt_to_income",
    "late_payments_12m",
]
LABEL = "defaulted"


def load(path):
    """Read the CSV into a list of feature rows and a list of labels."""
    rows, labels = [], []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in [*FEATURES, LABEL] if name not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"train: {path} has no column(s) {', '.join(missing)}")
        for record in reader:
            rows.append([float(record[name]) for name in FEATURES])
            labels.append(int(record[LABEL]))
    return rows, labels


def column_stats(rows):
    count = len(rows)
    means = [sum(row[j] for row in rows) / count for j in range(len(FEATURES))]
    stds = []
    for j, mean in enumerate(means):
        variance = sum((row[j] - mean) ** 2 for row in rows) / count
        stds.append(math.sqrt(variance) or 1.0)
    return means, stds


def standardise(rows, means, stds):
    return [[(value - mean) / std for value, mean, std in zip(row, means, stds)] for row in rows]


def sigmoid(z):
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


def train(x, y, epochs, batch_size, learning_rate, l2, rng):
    """Mini-batch gradient descent on the log loss. Returns (weights, bias)."""
    n_features = len(x[0])
    weights = [0.0] * n_features
    bias = 0.0
    order = list(range(len(x)))
    for epoch in range(epochs):
        rng.shuffle(order)
        total_loss = 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            grad_w = [0.0] * n_features
            grad_b = 0.0
            for i in batch:
                row = x[i]
                p = sigmoid(bias + sum(w * v for w, v in zip(weights, row)))
                error = p - y[i]
                grad_b += error
                for j in range(n_features):
                    grad_w[j] += error * row[j]
                p = min(max(p, 1e-12), 1 - 1e-12)
                total_loss -= y[i] * math.log(p) + (1 - y[i]) * math.log(1 - p)
            scale = learning_rate / len(batch)
            for j in range(n_features):
                weights[j] -= scale * (grad_w[j] + l2 * weights[j])
            bias -= scale * grad_b
        print(f"train: epoch {epoch + 1}/{epochs} log loss {total_loss / len(order):.4f}", file=sys.stderr)
    return weights, bias


def evaluate(x, y, weights, bias, threshold):
    tp = fp = tn = fn = 0
    for row, label in zip(x, y):
        predicted = 1 if sigmoid(bias + sum(w * v for w, v in zip(weights, row))) >= threshold else 0
        if predicted and label:
            tp += 1
        elif predicted:
            fp += 1
        elif label:
            fn += 1
        else:
            tn += 1
    return {
        "accuracy": round((tp + tn) / len(y), 4),
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/loans.csv", help="training CSV (default data/loans.csv)")
    parser.add_argument("--out", default="model/model.json", help="model file to write (default model/model.json)")
    parser.add_argument("--model-version", default="1.0.0", help="version string stored in the model (default 1.0.0)")
    parser.add_argument("--seed", type=int, default=7, help="seed for the split and shuffling (default 7)")
    parser.add_argument("--test-fraction", type=float, default=0.2, help="held-out share of rows (default 0.2)")
    parser.add_argument(
        "--max-train-rows",
        type=int,
        default=40_000,
        help="train on a random sample of at most this many rows, to keep training fast (default 40000)",
    )
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=0.2)
    parser.add_argument("--l2", type=float, default=0.001)
    parser.add_argument("--threshold", type=float, default=0.5, help="probability above which we predict default")
    args = parser.parse_args(argv)

    started = time.monotonic()
    rng = random.Random(args.seed)
    rows, labels = load(args.data)
    if len(rows) < 10:
        raise SystemExit(f"train: {args.data} has only {len(rows)} rows, need at least 10")

    # Hold out a test split first, so the test rows are never seen in training.
    order = list(range(len(rows)))
    rng.shuffle(order)
    n_test = max(1, int(len(order) * args.test_fraction))
    test_idx, train_idx = order[:n_test], order[n_test:]
    train_idx = train_idx[: args.max_train_rows]

    train_rows = [rows[i] for i in train_idx]
    means, stds = column_stats(train_rows)
    x_train = standardise(train_rows, means, stds)
    y_train = [labels[i] for i in train_idx]
    x_test = standardise([rows[i] for i in test_idx], means, stds)
    y_test = [labels[i] for i in test_idx]

    weights, bias = train(x_train, y_train, args.epochs, args.batch_size, args.learning_rate, args.l2, rng)
    metrics = evaluate(x_test, y_test, weights, bias, args.threshold)
    metrics.update(
        {
            "n_train": len(y_train),
            "n_test": len(y_test),
            "test_default_rate": round(sum(y_test) / len(y_test), 4),
        }
    )

    model = {
        "name": "loan-default-logreg",
        "version": args.model_version,
        "model_type": "logistic_regression",
        "features": FEATURES,
        "means": [round(v, 6) for v in means],
        "stds": [round(v, 6) for v in stds],
        "weights": [round(v, 6) for v in weights],
        "bias": round(bias, 6),
        "threshold": args.threshold,
        "metrics": metrics,
        "training": {
            "data_rows": len(rows),
            "seed": args.seed,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "learning_rate": args.learning_rate,
            "l2": args.l2,
        },
    }
    out_dir = os.path.dirname(args.out)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(model, handle, indent=2)
        handle.write("\n")

    print(
        f"train: wrote {args.out} (version {args.model_version}) in {time.monotonic() - started:.1f}s; "
        f"held-out accuracy {metrics['accuracy']}, precision {metrics['precision']}, recall {metrics['recall']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
