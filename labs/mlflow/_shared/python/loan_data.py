"""The loan-default data and model the MLflow labs train (given; you do not need to change it).

A small synthetic dataset shaped like a real credit table: six numeric
features and a 0/1 label `defaulted`. Deterministic: the same seed always
gives the same rows, so runs are comparable.

    from loan_data import FEATURES, load_splits, train_model
    X_train, X_val, y_train, y_val = load_splits()
    model, history = train_model(X_train, y_train, X_val, y_val, alpha=1e-3, penalty="l2", epochs=8)
"""

import numpy as np
import pandas as pd
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
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
LABEL = "defaulted"


def load(rows=3000, seed=42):
    """The dataset as a DataFrame of float features and a Series of labels."""
    rng = np.random.default_rng(seed)
    age = np.clip(rng.normal(41, 12, rows), 21, 75).round()
    income = np.clip(rng.lognormal(10.6, 0.45, rows), 9_000, 400_000).round(2)
    loan = np.clip(income * rng.uniform(0.05, 0.6, rows), 1_000, 80_000).round(2)
    score = np.clip(rng.normal(680, 70, rows), 300, 850).round()
    dti = np.clip(rng.beta(2.2, 5.5, rows), 0, 0.95).round(4)
    late = rng.poisson(np.exp(-(score - 500) / 180) * 1.2).clip(0, 12).astype(float)
    logit = -1.9 + 6 * (dti - 0.29) - 0.02 * (score - 680) + 0.6 * late + 2 * (loan / income - 0.3) + rng.normal(0, 0.5, rows)
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame(
        {
            "age": age,
            "annual_income": income,
            "loan_amount": loan,
            "credit_score": score,
            "debt_to_income": dti,
            "late_payments_12m": late,
        }
    )
    return X, pd.Series(y, name=LABEL)


def load_splits(rows=3000, seed=42, val_fraction=0.25):
    """Train and validation splits (stratified, fixed seed)."""
    X, y = load(rows, seed)
    return train_test_split(X, y, test_size=val_fraction, random_state=seed, stratify=y)


def train_model(X_train, y_train, X_val, y_val, alpha=1e-3, penalty="l2", epochs=8, seed=7, on_epoch=None):
    """A scaled logistic regression trained by SGD, one pass per epoch.

    Calls on_epoch(epoch, {"val_loss": ..., "val_accuracy": ...}) after every
    epoch. Returns the fitted pipeline and the last epoch's metrics.
    """
    scaler = StandardScaler().fit(X_train)
    classifier = SGDClassifier(loss="log_loss", alpha=alpha, penalty=penalty, random_state=seed)
    Xt, Xv = scaler.transform(X_train), scaler.transform(X_val)
    metrics = {}
    for epoch in range(epochs):
        classifier.partial_fit(Xt, y_train, classes=[0, 1])
        proba = classifier.predict_proba(Xv)[:, 1]
        metrics = {
            "val_loss": float(log_loss(y_val, proba, labels=[0, 1])),
            "val_accuracy": float(accuracy_score(y_val, proba >= 0.5)),
        }
        if on_epoch:
            on_epoch(epoch, metrics)
    return make_pipeline(scaler, classifier), metrics
