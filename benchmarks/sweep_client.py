"""The client the sweep benchmark sweeps: examples/careful_client.py's error handling, four operations.

It lists the designs, reads the invoice design, generates its PDF and downloads it (designs.list,
designs.get, generate, files.get), against IMAGINEPDF_API_URL with IMAGINEPDF_API_KEY; exit status as
the careful client's (0 done, 1 gave up on a transient failure, 2 refused, 3 out of credits, 4 bad key).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import httpx

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "careful_client.py"


def careful_client() -> ModuleType:
    spec = importlib.util.spec_from_file_location("careful_client", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    careful = careful_client()
    with httpx.Client(base_url=os.environ["IMAGINEPDF_API_URL"], timeout=10) as client:
        api = careful.Api(client, [os.environ["IMAGINEPDF_API_KEY"]])
        try:
            designs = api.call("GET", "/api/v1/designs")
            design = api.call("GET", "/api/v1/designs/dsg_invoice")
            generated = api.call("POST", "/api/v1/designs/dsg_invoice/generate", json=careful.INVOICE)
            pdf = api.download(generated["downloadUrl"])
        except careful.Stop as stop:
            print(stop, file=sys.stderr)
            return int(stop.status)
    print(f"{len(designs['items'])} designs; {design['name']}: {len(pdf)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
