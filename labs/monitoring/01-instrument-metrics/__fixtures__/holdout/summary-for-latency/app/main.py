"""The loan model behind an HTTP API, instrumented for Prometheus.

Run it:   uvicorn app.main:app --host 127.0.0.1 --port 8000
Try it:   curl -s localhost:8000/metrics
"""

import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Summary, generate_latest
from pydantic import BaseModel

from app.loan_model import CLASSES, FEATURES, predict

app = FastAPI(title="loan-api")

PREDICTION_ERRORS = Counter("loan_prediction_errors", "Prediction requests rejected as invalid input.")

LATENCY = Summary("loan_prediction_latency_seconds", "Time to answer one /predict request.")
PREDICTIONS = Counter("loan_predictions", "Predictions served, by predicted class.", ["class"])
DRIFT = Gauge("loan_feature_drift_score", "Drift of each input feature against the training data (0 = none, 1 = total).", ["feature"])

for label in CLASSES:
    PREDICTIONS.labels(label)  # both classes exist from the start, at 0
for feature in FEATURES:
    DRIFT.labels(feature).set(0)


class Application(BaseModel):
    age: float
    annual_income: float
    loan_amount: float
    credit_score: float
    debt_to_income: float
    late_payments_12m: float


@app.exception_handler(RequestValidationError)
async def rejected(request: Request, exc: RequestValidationError):
    PREDICTION_ERRORS.inc()
    return JSONResponse(status_code=422, content={"detail": exc.errors()})


@app.get("/health")
def health():
    return {"status": "ok", "features": FEATURES}


@app.post("/predict")
def predict_one(application: Application):
    started = time.perf_counter()
    label, probability = predict(application.model_dump())
    PREDICTIONS.labels(label).inc()
    LATENCY.observe(time.perf_counter() - started)
    return {"class": label, "probability_default": round(probability, 4)}


@app.get("/metrics")
def metrics():
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
