"""The loan-default model API, now loading its model from the MLflow registry (starter).

Validation (app/schemas.py) and Basic auth (app/auth.py) are lab 01's, given.
It loads a model from the registry, but which one? Your job: load whatever
version the `champion` alias points at, and report it on GET /ready.
"""

import os
from contextlib import asynccontextmanager

import mlflow
import pandas as pd
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from app.auth import require_user, settings
from app.schemas import FEATURES, PredictRequest, PredictResponse, Prediction

MODEL_NAME = os.environ["MODEL_NAME"]
state = {"model": None}


@asynccontextmanager
async def lifespan(_app: FastAPI):
    settings()
    state["model"] = mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/1")
    yield


app = FastAPI(title="loan-default", lifespan=lifespan)


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/ready")
def ready():
    if state["model"] is None:
        return JSONResponse({"ready": False}, status_code=503)
    return {"ready": True}


@app.post("/predict", response_model=PredictResponse, response_model_by_alias=True)
def predict(request: PredictRequest, _user: str = Depends(require_user)) -> PredictResponse:
    frame = pd.DataFrame([row.model_dump() for row in request.rows], columns=FEATURES)
    probabilities = state["model"].predict_proba(frame)[:, 1]
    return PredictResponse(predictions=[Prediction(probability=float(p), class_=int(p >= 0.5)) for p in probabilities])
