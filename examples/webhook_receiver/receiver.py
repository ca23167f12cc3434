#!/usr/bin/env python3
"""A minimal receiver for `sqlite-cdc --output http://...`, standard library only.

    WEBHOOK_SECRET=whsec_... python3 receiver.py 8080

Checks the Standard Webhooks signature when WEBHOOK_SECRET is set, drops batches whose webhook-id
it has already accepted (retries of a batch carry the same id), prints each change's id, table and
operation, and answers 204. Any other answer makes sqlite-cdc retry (408, 429, 5xx) or stop (4xx).
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = os.environ.get("WEBHOOK_SECRET", "")
KEY = base64.b64decode(SECRET[len("whsec_"):]) if SECRET.startswith("whsec_") else SECRET.encode()
seen_ids = set()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as sqlite-cdc expects

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        msg_id, stamp = self.headers["webhook-id"], self.headers["webhook-timestamp"]
        if SECRET:
            mac = hmac.new(KEY, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
            expected = "v1," + base64.b64encode(mac).decode()
            signatures = self.headers.get("webhook-signature", "").split(" ")
            if not any(hmac.compare_digest(expected, s) for s in signatures) or abs(time.time() - int(stamp)) > 300:
                return self.answer(401)
        if msg_id not in seen_ids:
            for change in json.loads(body)["changes"]:
                print(change["id"], change["table"], change["operation"], flush=True)
            seen_ids.add(msg_id)
        self.answer(204)

    def answer(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8080), Receiver).serve_forever()
