"""Serve the loan-default model over HTTP (Python standard library only).

Routes:
    GET  /health   -> 200 {"status": "ok", "model_version": ...}
    POST /predict  -> 200 {"predictions": [...], "model_version": ...}
                      needs the header  Authorization: Bearer <MODEL_API_KEY>

Settings (environment variables):
    PORT           port to listen on (default 8000)
    HOST           address to bind (default 0.0.0.0, all interfaces)
    MODEL_PATH     model file (default model/model.json next to app/)
    MODEL_API_KEY  the API key clients must send to /predict. There is no
                   default: without it /predict answers 503.

Run it:
    MODEL_API_KEY=dev-key python3 app/serve.py
"""

import hmac
import json
import logging
import math
import os
import signal
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MAX_BODY_BYTES = 1_000_000
MAX_INSTANCES = 1_000
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent.parent / "model" / "model.json"

log = logging.getLogger("serve")


class Model:
    """A logistic-regression model read from the JSON file train.py writes."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        self.name = data.get("name", "model")
        self.version = str(data["version"])
        self.features = list(data["features"])
        self.means = [float(v) for v in data["means"]]
        self.stds = [float(v) for v in data["stds"]]
        self.weights = [float(v) for v in data["weights"]]
        self.bias = float(data["bias"])
        self.threshold = float(data.get("threshold", 0.5))
        if not (len(self.features) == len(self.means) == len(self.stds) == len(self.weights)):
            raise ValueError("features, means, stds and weights must have the same length")

    def predict_one(self, instance):
        z = self.bias
        for name, mean, std, weight in zip(self.features, self.means, self.stds, self.weights):
            z += weight * (float(instance[name]) - mean) / std
        probability = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
        return {
            "default_probability": round(probability, 4),
            "label": 1 if probability >= self.threshold else 0,
        }


def validate(payload, features):
    """Return (instances, errors). errors is a list of {"field", "error"}."""
    if not isinstance(payload, dict):
        return None, [{"field": "(body)", "error": 'must be a JSON object like {"instances": [...]}'}]
    instances = payload.get("instances")
    if not isinstance(instances, list) or not instances:
        return None, [{"field": "instances", "error": "must be a non-empty list of objects"}]
    if len(instances) > MAX_INSTANCES:
        return None, [{"field": "instances", "error": f"at most {MAX_INSTANCES} instances per request"}]
    errors = []
    for i, instance in enumerate(instances):
        where = f"instances[{i}]"
        if not isinstance(instance, dict):
            errors.append({"field": where, "error": "must be an object"})
            continue
        for name in features:
            value = instance.get(name)
            if name not in instance:
                errors.append({"field": f"{where}.{name}", "error": "is required"})
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                errors.append({"field": f"{where}.{name}", "error": "must be a finite number"})
        for name in instance:
            if name not in features:
                errors.append({"field": f"{where}.{name}", "error": "is not a model feature"})
    return instances, errors


class Handler(BaseHTTPRequestHandler):
    server_version = "loan-model/1.0"
    protocol_version = "HTTP/1.1"

    # Set by make_server().
    model = None
    api_key = None

    def do_GET(self):
        if self.path.split("?", 1)[0] == "/health":
            self.send_json(HTTPStatus.OK, {"status": "ok", "model_version": self.model.version})
        else:
            self.send_json(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def do_POST(self):
        if self.path.split("?", 1)[0] != "/predict":
            self.drain_body()
            self.send_json(HTTPStatus.NOT_FOUND, {"error": "not found"})
            return
        if not self.api_key:
            self.drain_body()
            self.send_json(
                HTTPStatus.SERVICE_UNAVAILABLE,
                {"error": "prediction is disabled: the server was started without MODEL_API_KEY"},
            )
            return
        if not self.authorised():
            self.drain_body()
            self.send_json(
                HTTPStatus.UNAUTHORIZED,
                {"error": "missing or wrong API key; send the header 'Authorization: Bearer <key>'"},
                extra_headers={"WWW-Authenticate": "Bearer"},
            )
            return

        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE if length > 0 else HTTPStatus.BAD_REQUEST
            self.send_json(status, {"error": f"the body must be at most {MAX_BODY_BYTES} bytes"})
            return
        try:
            payload = json.loads(self.rfile.read(length) or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            details = [{"field": "(body)", "error": f"not valid JSON: {exc}"}]
            self.send_json(HTTPStatus.BAD_REQUEST, {"error": "invalid JSON", "details": details})
            return

        instances, errors = validate(payload, self.model.features)
        if errors:
            self.send_json(HTTPStatus.BAD_REQUEST, {"error": "invalid input", "details": errors})
            return
        predictions = [self.model.predict_one(instance) for instance in instances]
        self.send_json(HTTPStatus.OK, {"predictions": predictions, "model_version": self.model.version})

    def authorised(self):
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        # compare_digest takes the same time whether the first or last character differs.
        return hmac.compare_digest(token.strip().encode(), self.api_key.encode())

    def drain_body(self):
        """Read and drop a request body so the connection can be reused."""
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = 0
        if 0 < length <= MAX_BODY_BYTES:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def send_json(self, status, body, extra_headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_request(self, code="-", size="-"):
        # Health probes arrive every few seconds; log them only when they fail.
        if self.path == "/health" and str(code) == "200":
            return
        super().log_request(code, size)

    def log_message(self, fmt, *args):
        log.info("%s %s", self.address_string(), fmt % args)


def make_server(host, port, model, api_key):
    handler = type("BoundHandler", (Handler,), {"model": model, "api_key": api_key})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main():
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    model_path = os.environ.get("MODEL_PATH") or str(DEFAULT_MODEL_PATH)
    try:
        model = Model(model_path)
    except FileNotFoundError:
        log.error("no model at %s: run trainer/train.py first, or set MODEL_PATH", model_path)
        return 1
    except (KeyError, ValueError) as exc:
        log.error("cannot read model %s: %s", model_path, exc)
        return 1

    api_key = os.environ.get("MODEL_API_KEY", "")
    if not api_key:
        log.warning("MODEL_API_KEY is not set: /predict will answer 503 until you restart with a key")

    host = os.environ.get("HOST", "0.0.0.0")
    try:
        port = int(os.environ.get("PORT", "8000"))
    except ValueError:
        log.error("PORT must be a number, got %r", os.environ.get("PORT"))
        return 1
    server = make_server(host, port, model, api_key)

    # `docker stop` sends SIGTERM. A process running as PID 1 has no default
    # handler for it, so without this the container would wait 10 s and be killed.
    def stop(signum, _frame):
        log.info("received signal %d, shutting down", signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)

    log.info("model %s version %s loaded from %s", model.name, model.version, model_path)
    log.info("listening on http://%s:%d", host, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
