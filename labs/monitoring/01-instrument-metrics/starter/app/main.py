"""The loan model behind an HTTP API, instrumented for Prometheus.

Run it:   uvicorn app.main:app --host 127.0.0.1 --port 8000
Try it:   curl -s localhost:8000/metrics
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from pydantic import BaseModel

from app.loan_model import FEATURES, predict

app = FastAPI(title="loan-api")

# One metric is done for you, as an example: a Counter (it only goes up) of
# requests the service rejected. prometheus_client adds the `_total` suffix.
PREDICTION_ERRORS = Counter("loan_prediction_errors", "Prediction requests rejected as invalid input.")

# TODO 1: a Histogram `loan_prediction_latency_seconds` with buckets that
#         suit a model answering in a few milliseconds to a few seconds.
# TODO 2: a Counter `loan_predictions` with a label `class`, counted once per prediction.
# TODO 3: a Gauge `loan_feature_drift_score` with a label `feature`, one series
#         per feature in FEATURES, starting at 0.


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
    label, probability = predict(application.model_dump())
    return {"class": label, "probability_default": round(probability, 4)}


@app.get("/metrics")
def metrics():
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
