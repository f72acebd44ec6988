"""Settings from the environment, with the CONTRACT's defaults."""

import os
from pathlib import Path

DATA_PATH = Path(os.environ.get("DATA_PATH", "data/adult.csv.gz"))
SEED = int(os.environ.get("SEED", "42"))
OUTPUT_DIR = Path(os.environ.get("OUTPUT_DIR", "models/latest"))
EXPERIMENT_NAME = os.environ.get("MLFLOW_EXPERIMENT_NAME", "capstone")
MODEL_NAME = os.environ.get("MODEL_NAME", "adult-income")
MODEL_URI = os.environ.get("MODEL_URI", f"models:/{MODEL_NAME}@champion")

# The 13 features POST /predict takes (fnlwgt is a census sampling weight, not a trait of a person).
NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
CATEGORICAL = [
    "workclass",
    "education",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "native_country",
]
FEATURES = NUMERIC + CATEGORICAL
LABEL = "income"  # "<=50K" or ">50K"
