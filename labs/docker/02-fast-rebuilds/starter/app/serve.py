"""The loan-default model API: GET /health, POST /predict.

Scoring lives in the team's internal packages `loanrisk` and `reqlog`,
installed from the wheels in wheels/ (see requirements.lock).
"""

import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import loanrisk
import reqlog

MODEL = json.loads((Path(__file__).parent / "model.json").read_text())
MAX_BODY = 64 * 1024


class Handler(BaseHTTPRequestHandler):
    def _send(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        started = time.monotonic()
        if self.path == "/health":
            self._send(200, {"status": "ok", "loanrisk": loanrisk.__version__, "model": MODEL["version"]})
        else:
            self._send(404, {"error": "not found"})
        reqlog.log_request("GET", self.path, 200 if self.path == "/health" else 404, started)

    def do_POST(self):
        started = time.monotonic()
        status, payload = self._predict() if self.path == "/predict" else (404, {"error": "not found"})
        self._send(status, payload)
        reqlog.log_request("POST", self.path, status, started)

    def _predict(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            return 400, {"error": f"send a JSON body of at most {MAX_BODY} bytes"}
        try:
            features = json.loads(self.rfile.read(length))
        except ValueError:
            return 400, {"error": "the body is not JSON"}
        if not isinstance(features, dict):
            return 400, {"error": "send a JSON object of features"}
        problems = loanrisk.validate(features)
        if problems:
            return 422, {"error": "invalid features", "problems": problems}
        probability = loanrisk.score(features, MODEL)
        return 200, {"default_probability": round(probability, 4), "model": MODEL["version"]}

    def log_message(self, *args):
        pass  # reqlog writes one JSON line per request instead


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    print(f"loan API on :{port} (loanrisk {loanrisk.__version__})", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
