"""Generate a synthetic loan-default dataset as a CSV file.

The data is made up but shaped like a real tabular credit dataset: one row
per loan application: an id, a date, a loan purpose (not used by the
model yet), six numeric features and a 0/1 label `defaulted`.
It is deterministic: the same --seed and --rows always give the same file.

Usage:
    python3 trainer/make_dataset.py --out data/loans.csv
    python3 trainer/make_dataset.py --rows 1000 --out /tmp/small.csv
"""

import argparse
import csv
import datetime
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
COLUMNS = ["application_id", "application_date", "loan_purpose", *FEATURES, "defaulted"]
PURPOSES = [
    "debt_consolidation",
    "home_improvement",
    "car",
    "medical",
    "education",
    "small_business",
    "other",
]

FIRST_DAY = datetime.date(2021, 1, 1)


def clamp(value, low, high):
    return max(low, min(high, value))


def make_row(rng, index):
    """Draw one loan application and its (noisy) outcome."""
    age = int(clamp(rng.gauss(41, 12), 21, 75))
    # Income grows a little with age and is right-skewed, like real incomes.
    annual_income = clamp(rng.lognormvariate(10.6 + 0.006 * (age - 40), 0.45), 9_000, 400_000)
    loan_amount = clamp(annual_income * rng.uniform(0.05, 0.6), 1_000, 80_000)
    credit_score = int(clamp(rng.gauss(680 + 1.2 * (age - 40), 70), 300, 850))
    debt_to_income = clamp(rng.betavariate(2.2, 5.5), 0.0, 0.95)
    # Fewer late payments for people with a good credit score.
    late_rate = 1.2 * math.exp(-(credit_score - 500) / 180)
    late_payments_12m = 0
    while late_payments_12m < 12 and rng.random() < late_rate / (1 + late_rate):
        late_payments_12m += 1

    # The hidden "true" risk: a logistic model plus noise the model cannot see.
    logit = (
        -1.9
        + 6.0 * (debt_to_income - 0.29)
        - 0.02 * (credit_score - 680)
        + 0.6 * late_payments_12m
        + 2.0 * (loan_amount / annual_income - 0.3)
        - 0.02 * (age - 41)
        + rng.gauss(0, 0.5)
    )
    defaulted = 1 if rng.random() < 1 / (1 + math.exp(-logit)) else 0

    application_date = FIRST_DAY + datetime.timedelta(days=rng.randrange(3 * 365))
    loan_purpose = rng.choice(PURPOSES)
    return [
        f"APP-{index:08d}",
        application_date.isoformat(),
        loan_purpose,
        age,
        f"{annual_income:.2f}",
        f"{loan_amount:.2f}",
        credit_score,
        f"{debt_to_income:.4f}",
        late_payments_12m,
        defaulted,
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="number of rows (default 200000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--out", default="data/loans.csv", help="output CSV path (default data/loans.csv)")
    args = parser.parse_args(argv)
    if args.rows < 10:
        parser.error("--rows must be at least 10")

    started = time.monotonic()
    rng = random.Random(args.seed)
    out_dir = os.path.dirname(args.out)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    defaults = 0
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for index in range(args.rows):
            row = make_row(rng, index)
            defaults += row[-1]
            writer.writerow(row)

    size_mb = os.path.getsize(args.out) / 1_000_000
    print(
        f"make_dataset: wrote {args.rows} rows ({size_mb:.1f} MB, "
        f"default rate {defaults / args.rows:.1%}) to {args.out} "
        f"in {time.monotonic() - started:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
