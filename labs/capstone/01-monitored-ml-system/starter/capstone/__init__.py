"""The capstone project: an income classifier on UCI Adult, as a package."""
