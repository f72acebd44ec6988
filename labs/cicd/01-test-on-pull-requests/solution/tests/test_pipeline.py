"""Tests of the training pipeline, the kind that catch a broken model before it ships."""

import pickle

import numpy as np

from loan_model import train
from loan_model.data import FEATURES, make_dataset


def test_dataset_has_both_classes():
    X, y = make_dataset(200)
    assert X.shape == (200, len(FEATURES))
    assert set(np.unique(y)) == {0, 1}


def test_training_overfits_a_tiny_batch():
    X, y = make_dataset(200)
    rows = np.concatenate([np.flatnonzero(y == 0)[:3], np.flatnonzero(y == 1)[:3]])
    model = train.train(X[rows], y[rows], C=1e6)
    assert (model.predict(X[rows]) == y[rows]).all()


def test_predictions_have_no_nans():
    X, y = make_dataset(500)
    proba = train.train(X, y).predict_proba(X)
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()


def test_model_artifact_is_written(tmp_path):
    out = tmp_path / "model.pkl"
    assert train.main(["--out", str(out), "--rows", "300"]) == 0
    assert out.is_file()
    with out.open("rb") as f:
        model = pickle.load(f)
    X, _ = make_dataset(5, seed=1)
    assert model.predict(X).shape == (5,)
