"""A tiny feature store: the latest features of each customer, over HTTP.

Python standard library only. The model API asks it for a customer's
features before it scores them.

Routes:
    GET /health              -> 200 {"status": "ok", "customers": N} once loaded
    GET /features/<id>       -> 200 {"customer_id": ..., "features": {...}}
                                needs the header  Authorization: Bearer <FEATURE_STORE_TOKEN>

Settings (environment variables):
    FEATURE_STORE_TOKEN  the token clients must send. Required: without it
                         the store refuses to start.
    PORT                 port to listen on (default 8001)
    LOAD_SECONDS         how long loading the table takes (default 3), like a
                         real store warming its cache: until then /health fails
"""

import hmac
import json
import logging
import os
import signal
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "features.json"
log = logging.getLogger("feature-store")


class Handler(BaseHTTPRequestHandler):
    server_version = "feature-store/1.0"
    protocol_version = "HTTP/1.1"
    table = None  # set when loading finishes
    token = ""

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/health":
            if Handler.table is None:
                self.send_json(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "loading"})
            else:
                self.send_json(HTTPStatus.OK, {"status": "ok", "customers": len(Handler.table)})
            return
        if path.startswith("/features/"):
            scheme, _, given = self.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self.token.encode()):
                self.send_json(HTTPStatus.UNAUTHORIZED, {"error": "missing or wrong token"})
                return
            if Handler.table is None:
                self.send_json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "still loading"})
                return
            customer = path[len("/features/"):]
            features = Handler.table.get(customer)
            if features is None:
                self.send_json(HTTPStatus.NOT_FOUND, {"error": f"unknown customer {customer!r}"})
            else:
                self.send_json(HTTPStatus.OK, {"customer_id": customer, "features": features})
            return
        self.send_json(HTTPStatus.NOT_FOUND, {"error": "not found"})

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


def load(seconds):
    time.sleep(seconds)
    with open(TABLE, encoding="utf-8") as handle:
        Handler.table = json.load(handle)
    log.info("loaded features of %d customers", len(Handler.table))


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    token = os.environ.get("FEATURE_STORE_TOKEN", "")
    if not token:
        log.error("FEATURE_STORE_TOKEN is not set; refusing to serve features to anyone who asks")
        return 1
    Handler.token = token
    port = int(os.environ.get("PORT", "8001"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=load, args=(float(os.environ.get("LOAD_SECONDS", "3")),), daemon=True).start()

    def stop(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    log.info("listening on port %d", port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
