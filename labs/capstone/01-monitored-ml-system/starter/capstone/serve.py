"""`uvicorn capstone.serve:app --host 127.0.0.1 --port $PORT`: serve the model MODEL_URI names (M5).

GET /health (no auth), GET /ready (200 with model_name, model_version and drift {method, threshold} once loaded),
POST /predict (HTTP Basic with SERVING_USERNAME / SERVING_PASSWORD), GET /metrics (Prometheus text, drift gauges: M6).
"""

from fastapi import FastAPI

app = FastAPI(title="capstone")


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
