"""A synthetic loan-default dataset, deterministic for a given seed.

Six numeric features per application and a 0/1 label `defaulted`. The label
depends on the features the way a credit analyst would expect (more late
payments and a higher debt-to-income ratio mean more defaults), plus noise.
"""

import numpy as np

FEATURES = ["age", "annual_income", "loan_amount"]
FEATURES += ["credit_score", "debt_to_income", "late_payments_12m"]


def make_dataset(rows: int = 1000, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Return (X, y): X has shape (rows, 6), y holds 0/1 labels."""
    rng = np.random.default_rng(seed)
    age = rng.integers(21, 70, rows)
    income = rng.lognormal(10.8, 0.4, rows)
    amount = rng.uniform(1_000, 40_000, rows)
    score = rng.normal(680, 60, rows).clip(300, 850)
    dti = rng.uniform(0.05, 0.6, rows)
    late = rng.poisson(0.6, rows)
    logit = -1.0 + 3.5 * dti + 0.8 * late - 0.01 * (score - 680) + 0.00002 * amount - 0.00001 * (income - 50_000)
    defaulted = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    X = np.column_stack([age, income, amount, score, dti, late]).astype(float)
    return X, defaulted
