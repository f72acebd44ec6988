"""The loan-default model your service serves (given; you do not need to change it).

Six numeric features of a loan application in, the class "default" or "repaid"
out. The model is trained when this module is imported (a second or so) on a
deterministic synthetic table shaped like the MLflow labs' data, and
`reference_rows()` hands back that training table: the "what normal traffic
looks like" sample that drift detection compares live inputs with.

    from app.loan_model import FEATURES, predict, reference_rows
    label, probability = predict({"age": 41, "annual_income": 52000, ...})
"""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = [
    "age",
    "annual_income",
    "loan_amount",
    "credit_score",
    "debt_to_income",
    "late_payments_12m",
]
CLASSES = ["repaid", "default"]


def _training_table(rows=4000, seed=42):
    rng = np.random.default_rng(seed)
    age = np.clip(rng.normal(41, 12, rows), 21, 75).round()
    income = np.clip(np.exp(rng.normal(10.6, 0.45, rows)), 9_000, 400_000).round(2)
    loan = np.clip(income * rng.uniform(0.05, 0.6, rows), 1_000, 80_000).round(2)
    score = np.clip(rng.normal(680, 70, rows), 300, 850).round()
    dti = np.clip(rng.beta(2.2, 5.5, rows), 0, 0.95).round(4)
    late = np.minimum(rng.poisson(np.exp(-(score - 500) / 180) * 1.2), 12).astype(float)
    X = np.column_stack([age, income, loan, score, dti, late])
    logit = -1.9 + 6 * (dti - 0.29) - 0.02 * (score - 680) + 0.6 * late + 2 * (loan / income - 0.3)
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


_X, _y = _training_table()
_model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(_X, _y)


def predict(row):
    """(class, probability of default) for one application, a dict with the six FEATURES."""
    x = np.array([[float(row[f]) for f in FEATURES]])
    probability = float(_model.predict_proba(x)[0, 1])
    return CLASSES[int(probability >= 0.5)], probability


def reference_rows():
    """The training inputs, one dict of numpy arrays by feature: what drift is measured against."""
    return {f: _X[:, i].copy() for i, f in enumerate(FEATURES)}
