"""The loan-default model API."""
