"""A tiny service: /health at once, /ready 200 once the champion is loaded (stdlib HTTP, for the fixture only)."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mlflow import MlflowClient

state = {"version": None}


def load() -> None:
    import mlflow

    uri = os.environ.get("MODEL_URI", "models:/adult-income@champion")
    name, alias = uri.removeprefix("models:/").split("@")
    version = MlflowClient().get_model_version_by_alias(name, alias).version
    mlflow.sklearn.load_model(f"models:/{name}/{version}")
    state["version"] = version


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/health":
            self.answer(200, {"status": "ok"})
        elif self.path == "/ready":
            if state["version"] is None:
                self.answer(503, {"ready": False})
            else:
                self.answer(200, {"model_name": "adult-income", "model_version": state["version"], "drift": {"method": "ks", "threshold": 0.05}})
        else:
            self.answer(404, {"error": "not found"})

    def answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    threading.Thread(target=load, daemon=True).start()
    ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
