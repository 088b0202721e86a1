"""A client that handles errors badly on purpose: every failure is retried at once, whatever it was.

It lists the designs, generates one invoice PDF and downloads it, against the API at
IMAGINEPDF_API_URL with the key in IMAGINEPDF_API_KEY. Any answer of 400 or more, a broken connection
or a body that is not JSON makes it send the same request again straight away, up to ATTEMPTS times:
it retries 4xx unchanged, retries 402 instead of asking for credits, keeps sending a rejected key, and
never waits. The mock's guidance checks find all of that.

    python examples/naive_client.py [invoice.pdf]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import httpx

ATTEMPTS = 10
INVOICE = {"data": {"customer_name": "Ada Lovelace", "items": [["Pen", "2", "3.50"]]}}


def call(
    client: httpx.Client, method: str, url: str, json_reply: bool = True, **options: Any
) -> httpx.Response:
    for _ in range(ATTEMPTS):
        try:
            response = client.request(method, url, **options)
            if response.status_code < 400:
                if json_reply:
                    response.json()
                return response
        except (httpx.TransportError, ValueError):
            pass
    raise SystemExit(f"{method} {url}: still failing after {ATTEMPTS} attempts")


def main() -> int:
    base, key = os.environ["IMAGINEPDF_API_URL"], os.environ["IMAGINEPDF_API_KEY"]
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "invoice.pdf")
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=10) as client:
        designs = call(client, "GET", "/api/v1/designs").json()["data"]
        print(f"designs: {len(designs['items'])}")
        generated = call(client, "POST", "/api/v1/designs/dsg_invoice/generate", json=INVOICE).json()["data"]
        pdf = call(client, "GET", generated["downloadUrl"], json_reply=False)
    target.write_bytes(pdf.content)
    print(f"saved {target} ({len(pdf.content)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
