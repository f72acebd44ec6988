"""The loan-default model API from lab 01, with a latency problem to find.

Validation (app/schemas.py) and Basic auth (app/auth.py) are lab 01's, given.
Every answer is correct; it is just far too slow under load. Find out why.
"""

import pandas as pd
from fastapi import Depends, FastAPI

from app.auth import require_user, settings
from app.model_store import fetch_model
from app.schemas import FEATURES, PredictRequest, PredictResponse, Prediction

app = FastAPI(title="loan-default")
settings()  # no credentials in the environment: refuse to start
fetch_model()  # a missing or broken model file stops the service at startup


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/ready")
def ready():
    return {"ready": True}


@app.post("/predict", response_model=PredictResponse, response_model_by_alias=True)
async def predict(request: PredictRequest, _user: str = Depends(require_user)) -> PredictResponse:
    model = fetch_model()  # fetched again, so a newly trained model is served without a restart
    frame = pd.DataFrame([row.model_dump() for row in request.rows], columns=FEATURES)
    probabilities = model.predict_proba(frame)[:, 1]
    return PredictResponse(predictions=[Prediction(probability=float(p), class_=int(p >= 0.5)) for p in probabilities])
