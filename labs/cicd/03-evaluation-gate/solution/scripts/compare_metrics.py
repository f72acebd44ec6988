"""Decide whether the candidate model beats the champion.

Usage:
    python scripts/compare_metrics.py CANDIDATE.json CHAMPION.json >> "$GITHUB_OUTPUT"

Prints `better=true` when the candidate's roc_auc is strictly higher than the
champion's, `better=false` otherwise, and exits 0. A missing or malformed
file exits 2 with the reason on stderr, so a broken evaluation never deploys.
"""

import json
import math
import sys

METRIC = "roc_auc"


def read_metric(path: str) -> float:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read {path}: {error}") from error
    value = data.get(METRIC) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{path} has no numeric {METRIC}")
    return float(value)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: compare_metrics.py CANDIDATE.json CHAMPION.json", file=sys.stderr)
        return 2
    try:
        candidate, champion = read_metric(argv[0]), read_metric(argv[1])
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    better = candidate > champion
    print(f"better={'true' if better else 'false'}")
    print(f"{METRIC}: candidate {candidate:.4f}, champion {champion:.4f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
