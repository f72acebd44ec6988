"""The loan model behind an HTTP API, instrumented for Prometheus.

Run it:   uvicorn app.main:app --host 127.0.0.1 --port 8000
Try it:   curl -s localhost:8000/metrics
"""

import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from pydantic import BaseModel

from app.loan_model import CLASSES, FEATURES, predict

app = FastAPI(title="loan-api")

PREDICTION_ERRORS = Counter("loan_prediction_errors", "Prediction requests rejected as invalid input.")

# From 5 ms to 5 s: fine steps where a healthy model answers, coarse ones
# where the latency alert has to tell "slow" from "very slow".
LATENCY = Histogram(
    "loan_prediction_latency_seconds",
    "Time to answer one /predict request.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
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
    PREDICTIONS.labels(label).inc()  # counted in a middleware too
    LATENCY.observe(time.perf_counter() - started)
    return {"class": label, "probability_default": round(probability, 4)}


@app.get("/metrics")
def metrics():
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
