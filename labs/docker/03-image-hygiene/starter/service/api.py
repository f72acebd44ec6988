"""Loan pre-screening service: a rule-based first pass before the full model.

GET  /health   -> {"status": "ok"}
GET  /rules    -> the thresholds in use
POST /screen   -> {"decision": "refer" | "decline" | "review", "reasons": [...]}
"""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RULES = json.loads((Path(__file__).with_name("rules.json")).read_text())


def screen(applicant):
    reasons = []
    if applicant.get("age", 0) < RULES["min_age"]:
        reasons.append("below minimum age")
    if applicant.get("debt_to_income", 1.0) > RULES["max_debt_to_income"]:
        reasons.append("debt-to-income above limit")
    if applicant.get("missed_payments_12m", 0) > RULES["max_missed_payments"]:
        reasons.append("recent missed payments")
    decision = "decline" if len(reasons) >= 2 else "review" if reasons else "refer"
    return {"decision": decision, "reasons": reasons}


class Screening(BaseHTTPRequestHandler):
    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        routes = {"/health": {"status": "ok"}, "/rules": RULES}
        self.reply(200, routes[self.path]) if self.path in routes else self.reply(404, {"error": "no such route"})

    def do_POST(self):
        if self.path != "/screen":
            return self.reply(404, {"error": "no such route"})
        size = int(self.headers.get("Content-Length") or 0)
        if not 0 < size <= 16 * 1024:
            return self.reply(400, {"error": "send a JSON body of at most 16 KiB"})
        try:
            applicant = json.loads(self.rfile.read(size))
        except ValueError:
            return self.reply(400, {"error": "body is not JSON"})
        if not isinstance(applicant, dict):
            return self.reply(400, {"error": "send a JSON object"})
        return self.reply(200, screen(applicant))


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    print(f"screening service on :{port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Screening).serve_forever()
