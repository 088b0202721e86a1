"""Servers the benchmark measures, each run as its own process with the same uvicorn settings.

    python -m benchmarks.serve floor PORT [--api-revision NAME]
    python -m benchmarks.serve mock PORT [--rules N] [--no-journal] [--api-revision NAME]

`floor` is a bare Starlette app answering the same JSON as the simulator's
`GET /api/v1/designs/{id}` from a hard-coded route: the ceiling no mock can
beat on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver import MockApp, MockAsgi, Settings, uvicorn_server
from mockserver.settings import DEFAULT_REVISION


def run(app: object, port: int) -> None:
    """Both servers run with the same uvicorn settings: mockserver's own."""
    uvicorn.Server(uvicorn_server.config(app, host="127.0.0.1", port=port)).run()


async def _design_bytes(revision: str) -> bytes:
    """The very bytes the mock answers for GET /api/v1/designs/dsg_invoice in `revision`."""
    mock = MockAsgi(api_revision=revision)
    async with mock.client() as client:
        return (await client.get("/api/v1/designs/dsg_invoice")).content


def floor_app(revision: str) -> Starlette:
    body = asyncio.run(_design_bytes(revision))

    async def design(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/api/v1/designs/{id}", design), Route("/__mock/health", design)])


def rules_folder(count: int) -> Path:
    """A scenario `bench` with `count` rules that never match the measured requests."""
    folder = Path(tempfile.mkdtemp(prefix="mockserver-bench-"))
    lines = ["extends: default", "rules:"]
    lines.append("  - {when: POST /api/v1/generate, reply: {error: INSUFFICIENT_CREDITS}}")
    for n in range(count):
        lines.append(f'  - {{when: "GET /api/v1/other-{n}/{{id}}", reply: {{error: NOT_FOUND}}}}')
    (folder / "bench.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


SHAPES = {
    "literal": ('"GET /api/v1/things/{n}"', "/api/v1/things/{n}"),
    "template": ('"GET /api/v1/things/{n}/items/{{id}}"', "/api/v1/things/{n}/items/abc"),
    "glob": ('"GET /api/v1/things/{n}-*"', "/api/v1/things/{n}-abc"),
    "double glob": ('"GET /api/v1/things/{n}/**"', "/api/v1/things/{n}/a/b"),
    "regex": ("{{method: GET, path: '^/api/v1/things/{n}/[a-z]+$'}}", "/api/v1/things/{n}/abc"),
}
"""Rule shapes for the worst case: `count` rules of one shape, the request matching only the LAST."""


def shape_folder(shape: str, count: int) -> Path:
    """A scenario `bench` of `count` rules of `shape`; `shape_path(shape, count)` matches the last only."""
    folder = Path(tempfile.mkdtemp(prefix="mockserver-bench-"))
    when = SHAPES[shape][0]
    lines = ["extends: default", "rules:"]
    for n in range(count):
        lines.append(f"  - {{when: {when.format(n=n)}, reply: {{status: 200, data: {{n: {n}}}}}}}")
    (folder / "bench.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def shape_path(shape: str, count: int) -> str:
    return SHAPES[shape][1].format(n=count - 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["floor", "mock"])
    parser.add_argument("port", type=int)
    parser.add_argument("--rules", type=int, default=0)
    parser.add_argument(
        "--shape", choices=sorted(SHAPES), help="--rules of this shape, the last one matching"
    )
    parser.add_argument("--no-journal", action="store_true")
    parser.add_argument("--api-revision", default=DEFAULT_REVISION)
    args = parser.parse_args()
    if args.kind == "floor":
        run(floor_app(args.api_revision), args.port)
        return
    folder = shape_folder(args.shape, args.rules) if args.shape else rules_folder(args.rules)
    settings = Settings(
        scenarios=folder,
        scenario="bench",
        journal_limit=0 if args.no_journal else 1000,
        reload=False,
        api_revision=args.api_revision,
    )
    run(MockApp(settings), args.port)


if __name__ == "__main__":
    main()
