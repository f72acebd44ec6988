"""Score models/model.pkl on data/prepared/test.csv into metrics.json."""

import json
import pickle

import pandas as pd
from sklearn.metrics import accuracy_score, roc_auc_score

test = pd.read_csv("data/prepared/test.csv")
features = test.drop(columns=["loan_id", "defaulted"])
with open("models/model.pkl", "rb") as f:
    model = pickle.load(f)

probabilities = model.predict_proba(features)[:, 1]
metrics = {
    "accuracy": round(accuracy_score(test["defaulted"], probabilities >= 0.5), 4),
    "roc_auc": round(roc_auc_score(test["defaulted"], probabilities), 4),
    "test_rows": len(test),
}
with open("metrics.json", "w") as f:
    json.dump(metrics, f, indent=2)
    f.write("\n")
print(metrics)
