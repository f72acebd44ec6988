"""Drift of live inputs against the training data, one score per feature."""

from collections import deque

from scipy.stats import ks_2samp

from app.loan_model import FEATURES

WINDOW_SIZE = 200  # the most recent inputs compared with the reference
MIN_ROWS = 50  # below this, a score would be noise: report 0


class DriftWindow:
    def __init__(self, reference):
        """reference: dict feature -> numpy array of training values (loan_model.reference_rows())."""
        self.reference = reference
        self.rows = deque(maxlen=WINDOW_SIZE)

    def add(self, row):
        self.rows.append(row)

    def scores(self):
        """Feature -> drift score between 0 (same distribution) and 1 (no overlap)."""
        rows = list(self.rows)
        if len(rows) < MIN_ROWS:
            return {feature: 0.0 for feature in FEATURES}
        return {
            feature: float(ks_2samp([row[feature] for row in rows], self.reference[feature]).statistic)
            for feature in FEATURES
        }
