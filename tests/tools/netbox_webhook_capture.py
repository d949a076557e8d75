#!/usr/bin/env python3
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Record NetBox webhook deliveries as they arrive: one JSON line per POST with the
signature header and the raw body, exactly as sent (the unit tests check signatures on them).

    python tests/tools/netbox_webhook_capture.py --port 18398 --out deliveries.jsonl
Point a NetBox Webhook at http://127.0.0.1:18398/ (stack/eda_netbox_setup.py --url ...).
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            record = {
                "path": self.path,
                "headers": {key: self.headers[key] for key in ("Content-Type", "X-Hook-Signature") if key in self.headers},
                "body": body.decode("utf-8"),
            }
            with open(args.out, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
