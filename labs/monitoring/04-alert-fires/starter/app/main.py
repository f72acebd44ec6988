"""The loan model behind an HTTP API, with a drift score per input feature.

Run it:   uvicorn app.main:app --host 127.0.0.1 --port 8000
"""

import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from pydantic import BaseModel

from app.drift import DriftWindow
from app.loan_model import CLASSES, FEATURES, predict, reference_rows

app = FastAPI(title="loan-api")

PREDICTION_ERRORS = Counter("loan_prediction_errors", "Prediction requests rejected as invalid input.")
LATENCY = Histogram(
    "loan_prediction_latency_seconds",
    "Time to answer one /predict request.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
PREDICTIONS = Counter("loan_predictions", "Predictions served, by predicted class.", ["class"])
DRIFT = Gauge("loan_feature_drift_score", "KS statistic of each feature: recent inputs against the training data.", ["feature"])

for label in CLASSES:
    PREDICTIONS.labels(label)
for feature in FEATURES:
    DRIFT.labels(feature).set(0)

window = DriftWindow(reference_rows())


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
    row = application.model_dump()
    label, probability = predict(row)
    window.add(row)
    PREDICTIONS.labels(label).inc()
    LATENCY.observe(time.perf_counter() - started)
    return {"class": label, "probability_default": round(probability, 4)}


@app.get("/metrics")
def metrics():
    # The scores are computed when Prometheus asks, not on every request:
    # the cost is one KS test per feature per scrape, whatever the traffic.
    for feature, score in window.scores().items():
        DRIFT.labels(feature).set(score)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
