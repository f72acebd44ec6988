"""The loan-default model API (starter).

Run it:  source lab.env 2>/dev/null; PORT=8000 uvicorn app.main:app --host 127.0.0.1 --port 8000

It works for the happy path, and that is all. Your job (see the lab's steps):
- GET /ready must say whether the model is loaded (503 until it is, then 200);
- POST /predict must validate its input (422 naming the bad field, never a 500),
  answer one prediction per row, and require HTTP Basic credentials read from
  SERVING_USERNAME and SERVING_PASSWORD, with no default password.
"""

from pathlib import Path

import joblib
import pandas as pd
from fastapi import FastAPI

FEATURES = ["age", "annual_income", "loan_amount", "credit_score", "debt_to_income", "late_payments_12m"]

app = FastAPI(title="loan-default")
model = joblib.load(Path("model/model.joblib"))


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/predict")
def predict(payload: dict):
    row = payload["rows"][0]
    frame = pd.DataFrame([row], columns=FEATURES)
    probability = float(model.predict_proba(frame)[0, 1])
    return {"probability": probability}
