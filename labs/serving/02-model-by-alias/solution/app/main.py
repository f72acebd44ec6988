"""The loan-default model API, serving the registry's champion.

At startup it asks the registry which version the alias points at, loads
exactly that version (so a move of the alias between the two calls cannot mix
them up), and reports name, alias and version on GET /ready. Moving the alias
and restarting (a rollout) is how a new model goes live, or an old one comes back.
"""

import os
from contextlib import asynccontextmanager

import mlflow
import pandas as pd
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from mlflow import MlflowClient

from app.auth import require_user, settings
from app.schemas import FEATURES, PredictRequest, PredictResponse, Prediction

MODEL_NAME = os.environ["MODEL_NAME"]
MODEL_ALIAS = os.environ.get("MODEL_ALIAS", "champion")
state = {"model": None, "version": None}


@asynccontextmanager
async def lifespan(_app: FastAPI):
    settings()
    version = MlflowClient().get_model_version_by_alias(MODEL_NAME, MODEL_ALIAS).version
    state["model"] = mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/{version}")
    state["version"] = str(version)
    yield
    state["model"] = None


app = FastAPI(title="loan-default", lifespan=lifespan)


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/ready")
def ready():
    if state["model"] is None:
        return JSONResponse({"ready": False}, status_code=503)
    return {"ready": True, "model": {"name": MODEL_NAME, "alias": MODEL_ALIAS, "version": state["version"]}}


@app.post("/predict", response_model=PredictResponse, response_model_by_alias=True)
def predict(request: PredictRequest, _user: str = Depends(require_user)) -> PredictResponse:
    frame = pd.DataFrame([row.model_dump() for row in request.rows], columns=FEATURES)
    probabilities = state["model"].predict_proba(frame)[:, 1]
    return PredictResponse(predictions=[Prediction(probability=float(p), class_=int(p >= 0.5)) for p in probabilities])
