"""The loan-default model: a synthetic dataset, training, and the saved artifact."""
