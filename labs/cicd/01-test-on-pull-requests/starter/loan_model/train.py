"""Train the loan-default model and write it to disk.

Usage:
    python -m loan_model.train --out model/model.pkl
"""

import argparse
import pickle
import sys
from pathlib import Path

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from loan_model.data import make_dataset


def train(X, y, C: float = 1.0) -> Pipeline:
    """Fit a scaled logistic regression; larger C means less regularisation."""
    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5_000))
    model.fit(X, y)
    return model


def save(model: Pipeline, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        pickle.dump(model, f)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("model/model.pkl"))
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    X, y = make_dataset(args.rows, args.seed)
    path = save(train(X, y), args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
