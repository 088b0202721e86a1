"""A client that follows the API's error-handling guidance; the mock's guidance checks find nothing.

Same work as naive_client.py: list the designs, generate one invoice PDF, download it (API at
IMAGINEPDF_API_URL, key in IMAGINEPDF_API_KEY; spare keys to rotate to, comma-separated, in
IMAGINEPDF_NEXT_API_KEYS). What it does on failure, urllib3's Retry done by hand with httpx:

- 5xx, 429, a broken connection, a timeout or an unreadable body (JSON cut short, a download that is
  not a PDF): retry, at most ATTEMPTS attempts in
  all, waiting BACKOFF, then twice as long each time (no jitter, so runs are repeatable), or as long
  as a Retry-After header asks if that is longer;
- 401 API_KEY_EXPIRED / INVALID_API_KEY: switch to the next spare key, else stop (exit 4);
- 402: tell the user to top up the workspace's credits and stop (exit 3), never retry;
- any other 4xx: report it and stop (exit 2), never send the same request again.

    python examples/careful_client.py [invoice.pdf]
"""

from __future__ import annotations

import os
import sys
import time
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

ATTEMPTS = 4
BACKOFF = 0.25
"""Seconds before the first retry; it doubles for each retry after it (0.25, 0.5, 1.0)."""
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REJECTED_KEY = frozenset({"API_KEY_EXPIRED", "INVALID_API_KEY"})
INVOICE = {"data": {"customer_name": "Ada Lovelace", "items": [["Pen", "2", "3.50"]]}}


class Stop(Exception):
    """End the run with `status` and a message for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def retry_after(response: httpx.Response) -> float:
    """The seconds a Retry-After header asks for (a number or an HTTP date); 0 without one."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return 0.0


def send(client: httpx.Client, method: str, url: str, json_reply: bool, **options: Any) -> httpx.Response:
    """`json_reply`: the answer is the API's JSON (else a PDF from a storage link); a success whose body
    is not what was asked for (cut short, empty, a proxy's page) counts as a transient failure."""
    """The answer to one request, retrying transient failures with backoff; 4xx are returned as is."""
    for attempt in range(1, ATTEMPTS + 1):
        asked = 0.0
        try:
            response = client.request(method, url, **options)
        except httpx.TransportError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code in RETRY_STATUSES:
                problem, asked = f"HTTP {response.status_code}", retry_after(response)
            elif response.status_code < 400 and not (_is_json(response) if json_reply else _is_pdf(response)):
                wanted = "JSON" if json_reply else "a PDF"
                problem = f"HTTP {response.status_code} with a body that is not {wanted}"
            else:
                return response
        if attempt == ATTEMPTS:
            raise Stop(1, f"{method} {url} failed {ATTEMPTS} times, the last with {problem}; try again later")
        wait = max(BACKOFF * 2 ** (attempt - 1), asked)
        print(f"{method} {url}: {problem}; retrying in {wait:g} s", file=sys.stderr)
        time.sleep(wait)
    raise AssertionError("unreachable")


def _is_pdf(response: httpx.Response) -> bool:
    return response.content.startswith(b"%PDF-")


def _is_json(response: httpx.Response) -> bool:
    try:
        response.json()
    except ValueError:
        return False
    return True


class Api:
    """The calls this script makes, with the error handling the guidance asks for."""

    def __init__(self, client: httpx.Client, keys: list[str]) -> None:
        self.client, self.keys = client, keys

    def call(self, method: str, path: str, **options: Any) -> Any:
        while True:
            headers = {"X-API-Key": self.keys[0]}
            response = send(self.client, method, path, True, headers=headers, **options)
            if response.status_code < 400:
                return response.json()["data"]
            error = (response.json().get("error") or {}) if _is_json(response) else {}
            code, message = error.get("code"), error.get("message", response.reason_phrase)
            if code in REJECTED_KEY:
                self.keys.pop(0)
                if not self.keys:
                    raise Stop(
                        4, f"The API key was rejected ({code}). Set IMAGINEPDF_API_KEY to a valid key."
                    )
                print(f"The API key was rejected ({code}); switching to the next key.", file=sys.stderr)
                continue
            if response.status_code == 402:
                raise Stop(
                    3,
                    f"Your workspace is out of credits ({code}). Top up its credits, then run this again.",
                )
            raise Stop(2, f"{method} {path} was refused: {response.status_code} {code}: {message}")

    def download(self, url: str) -> bytes:
        """A presigned storage link: no API key is sent, and a refusal is storage's XML, not the envelope."""
        response = send(self.client, "GET", url, False)
        if response.status_code >= 400:
            raise Stop(2, f"downloading the PDF was refused: {response.status_code} {response.text[:200]}")
        return response.content


def main() -> int:
    base = os.environ["IMAGINEPDF_API_URL"]
    spare = [key for key in os.environ.get("IMAGINEPDF_NEXT_API_KEYS", "").split(",") if key]
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "invoice.pdf")
    with httpx.Client(base_url=base, timeout=10) as client:
        api = Api(client, [os.environ["IMAGINEPDF_API_KEY"], *spare])
        try:
            designs = api.call("GET", "/api/v1/designs")
            print(f"designs: {len(designs['items'])}")
            generated = api.call("POST", "/api/v1/designs/dsg_invoice/generate", json=INVOICE)
            pdf = api.download(generated["downloadUrl"])
        except Stop as stop:
            print(stop, file=sys.stderr)
            return stop.status
    target.write_bytes(pdf)
    print(f"saved {target} ({len(pdf)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
