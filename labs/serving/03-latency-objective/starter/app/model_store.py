"""Where the service gets its model (given; you do not need to change it).

fetch_model() stands in for downloading the model artifact from object storage
(S3, GCS, the MLflow artifact store): on a real network that is a round trip
and a transfer, tens to hundreds of milliseconds. Here it is a fixed 250 ms
wait, then the local file is read, so the cost is the same on every machine.
"""

import time

import joblib

FETCH_SECONDS = 0.25


def fetch_model(path="model/model.joblib"):
    time.sleep(FETCH_SECONDS)
    return joblib.load(path)
