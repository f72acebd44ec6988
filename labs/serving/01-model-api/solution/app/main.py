"""The loan-default model API.

Run it:  PORT=8000 SERVING_USERNAME=me SERVING_PASSWORD=$(openssl rand -hex 12) \
         uvicorn app.main:app --host 127.0.0.1 --port 8000

- GET /health   liveness: the process is up (no auth; a platform restarts the process when this fails)
- GET /ready    readiness: 503 until the model is loaded, then 200 (no auth; a platform sends traffic only when ready)
- POST /predict one prediction per row; HTTP Basic auth; 422 naming the field for bad input
"""

from contextlib import asynccontextmanager
from pathlib import Path

import joblib
import pandas as pd
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from app.auth import require_user, settings
from app.schemas import FEATURES, PredictRequest, PredictResponse, Prediction

MODEL_PATH = Path("model/model.joblib")
state = {"model": None}


@asynccontextmanager
async def lifespan(_app: FastAPI):
    settings()  # no credentials in the environment: fail now, not at the first request
    state["model"] = joblib.load(MODEL_PATH)
    yield
    state["model"] = None


app = FastAPI(title="loan-default", lifespan=lifespan)


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/ready")
def ready():
    if state["model"] is None:
        return JSONResponse({"ready": False, "reason": "model not loaded"}, status_code=503)
    return {"ready": True, "model": str(MODEL_PATH)}


@app.post("/predict", response_model=PredictResponse, response_model_by_alias=True)
def predict(request: PredictRequest, _user: str = Depends(require_user)) -> PredictResponse:
    frame = pd.DataFrame([row.model_dump() for row in request.rows], columns=FEATURES)
    probabilities = state["model"].predict_proba(frame)[:, 1]
    return PredictResponse(predictions=[Prediction(probability=float(p), class_=int(p >= 0.5)) for p in probabilities])
