"""Decide whether the candidate model beats the champion.

Usage:
    python scripts/compare_metrics.py CANDIDATE.json CHAMPION.json >> "$GITHUB_OUTPUT"

Each file is a JSON object with a "roc_auc" number. Print exactly one line:
`better=true` when the candidate's roc_auc is strictly higher than the
champion's, `better=false` otherwise (equal is not better: a deploy must
earn its risk). Exit 0 in both cases. When a file is missing, is not JSON
or has no numeric roc_auc, print the reason to stderr and exit 2: a broken
evaluation must never deploy.
"""

import sys


def main(argv: list[str]) -> int:
    # TODO: read both files, compare roc_auc, print better=true or better=false.
    print("better=true")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
