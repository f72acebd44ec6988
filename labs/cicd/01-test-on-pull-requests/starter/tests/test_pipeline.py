"""Tests of the training pipeline, the kind that catch a broken model before it ships.

test_dataset_has_both_classes is done. Complete the other three: each says
what it must show. `pytest -q` runs them.
"""

import numpy as np
import pytest

from loan_model.data import FEATURES, make_dataset


def test_dataset_has_both_classes():
    X, y = make_dataset(200)
    assert X.shape == (200, len(FEATURES))
    assert set(np.unique(y)) == {0, 1}


def test_training_overfits_a_tiny_batch():
    # A model that cannot learn six examples by heart has a bug in training
    # (labels shuffled against features, a frozen model, a wrong target).
    # Train with little regularisation (C=1e6) on 6 rows holding both classes
    # and assert it predicts all 6 correctly.
    pytest.fail("TODO: train on a tiny batch and assert training accuracy is 1.0")


def test_predictions_have_no_nans():
    # predict_proba on a few hundred rows: every value finite and in [0, 1].
    pytest.fail("TODO: assert the predicted probabilities are finite and between 0 and 1")


def test_model_artifact_is_written(tmp_path):
    # Run train.main(["--out", str(tmp_path / "model.pkl"), "--rows", "300"]),
    # then assert the file exists, loads with pickle and predicts.
    pytest.fail("TODO: assert the model artifact is written and loads")
