"""The loan-default model API, scoring customers by id (standard library only).

It does not receive features in the request: it looks them up in the
feature store, like most online models do.

Routes:
    GET /health            -> 200 {"status": "ok"}: the process serves requests
                              (liveness; says nothing about the feature store)
    GET /ready             -> 200 when the feature store answers, else 503
    GET /score/<customer>  -> 200 {"customer_id", "default_probability", "label", "model_version"}
                              502 when the store rejects our token, 503 when it is unreachable

Settings (environment variables):
    FEATURE_STORE_URL    base URL of the store (default http://feature-store:8001)
    FEATURE_STORE_TOKEN  the token the store expects (required for /score)
    PORT                 port to listen on (default 8000)
"""

import json
import logging
import math
import os
import signal
import sys
import urllib.error
import urllib.parse
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODEL = Path(__file__).resolve().parent / "model.json"
log = logging.getLogger("api")


class Model:
    def __init__(self, path):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        self.version = str(data["version"])
        self.features = list(data["features"])
        self.means = [float(v) for v in data["means"]]
        self.stds = [float(v) for v in data["stds"]]
        self.weights = [float(v) for v in data["weights"]]
        self.bias = float(data["bias"])
        self.threshold = float(data.get("threshold", 0.5))

    def predict(self, features):
        z = self.bias
        for name, mean, std, weight in zip(self.features, self.means, self.stds, self.weights):
            z += weight * (float(features[name]) - mean) / std
        p = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
        return round(p, 4), 1 if p >= self.threshold else 0


class StoreError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Handler(BaseHTTPRequestHandler):
    server_version = "loan-model/1.1"
    protocol_version = "HTTP/1.1"
    model = None
    store_url = ""
    store_token = ""

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self.send_json(HTTPStatus.OK, {"status": "ok", "model_version": self.model.version})
        elif path == "/ready":
            try:
                self.store("/health")
                self.send_json(HTTPStatus.OK, {"status": "ready", "feature_store": "ok"})
            except StoreError as exc:
                self.send_json(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "not ready", "feature_store": str(exc)})
        elif path.startswith("/score/"):
            customer = urllib.parse.unquote(path[len("/score/"):])
            try:
                answer = self.store("/features/" + urllib.parse.quote(customer, safe=""))
            except StoreError as exc:
                self.send_json(exc.status, {"error": str(exc)})
                return
            probability, label = self.model.predict(answer["features"])
            self.send_json(
                HTTPStatus.OK,
                {"customer_id": customer, "default_probability": probability, "label": label, "model_version": self.model.version},
            )
        else:
            self.send_json(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def store(self, path):
        request = urllib.request.Request(self.store_url + path, headers={"Authorization": f"Bearer {self.store_token}"})
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                raise StoreError(HTTPStatus.BAD_GATEWAY, "the feature store rejected our token (check FEATURE_STORE_TOKEN)") from exc
            if exc.code == 404:
                raise StoreError(HTTPStatus.NOT_FOUND, "unknown customer") from exc
            raise StoreError(HTTPStatus.SERVICE_UNAVAILABLE, f"the feature store answered {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(HTTPStatus.SERVICE_UNAVAILABLE, f"the feature store at {self.store_url} is unreachable: {exc}") from exc

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_request(self, code="-", size="-"):
        if self.path == "/health" and str(code) == "200":
            return
        super().log_request(code, size)

    def log_message(self, fmt, *args):
        log.info("%s %s", self.address_string(), fmt % args)


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    Handler.model = Model(MODEL)
    Handler.store_url = os.environ.get("FEATURE_STORE_URL", "http://feature-store:8001").rstrip("/")
    Handler.store_token = os.environ.get("FEATURE_STORE_TOKEN", "")
    if not Handler.store_token:
        log.warning("FEATURE_STORE_TOKEN is not set: every /score will fail")
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = True

    def stop(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    log.info("model %s, feature store %s, listening on port %d", Handler.model.version, Handler.store_url, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
