"""Train a random forest on data/prepared/train.csv into models/model.pkl."""

import pickle
from pathlib import Path

import pandas as pd
import yaml
from sklearn.ensemble import RandomForestClassifier

params = yaml.safe_load(Path("params.yaml").read_text())["train"]

train = pd.read_csv("data/prepared/train.csv")
features = train.drop(columns=["loan_id", "defaulted"])
model = RandomForestClassifier(
    n_estimators=params["n_estimators"],
    max_depth=params["max_depth"],
    random_state=params["seed"],
)
model.fit(features, train["defaulted"])

Path("models").mkdir(exist_ok=True)
with open("models/model.pkl", "wb") as f:
    pickle.dump(model, f)
print(f"trained {params['n_estimators']} trees of depth {params['max_depth']}")
