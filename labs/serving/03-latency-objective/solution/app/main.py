"""The loan-default model API, fast under load.

The model is fetched once, at startup (the lifespan handler), and kept in
memory; /ready says 503 until then. The handler is a plain `def`: FastAPI runs
it in its thread pool, so CPU work in one request never stalls the event loop
that accepts the others.
"""

from contextlib import asynccontextmanager

import pandas as pd
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from app.auth import require_user, settings
from app.model_store import fetch_model
from app.schemas import FEATURES, PredictRequest, PredictResponse, Prediction

state = {"model": None}


@asynccontextmanager
async def lifespan(_app: FastAPI):
    settings()
    state["model"] = fetch_model()
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
    return {"ready": True}


@app.post("/predict", response_model=PredictResponse, response_model_by_alias=True)
def predict(request: PredictRequest, _user: str = Depends(require_user)) -> PredictResponse:
    frame = pd.DataFrame([row.model_dump() for row in request.rows], columns=FEATURES)
    probabilities = state["model"].predict_proba(frame)[:, 1]
    return PredictResponse(predictions=[Prediction(probability=float(p), class_=int(p >= 0.5)) for p in probabilities])
