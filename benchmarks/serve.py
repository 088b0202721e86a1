"""Servers the benchmark measures, each run as its own process with the same uvicorn settings.

    python -m benchmarks.serve floor PORT [--api-revision NAME]
    python -m benchmarks.serve mock PORT [--rules N] [--no-journal] [--api-revision NAME]

`floor` is a bare Starlette app answering, from hard-coded routes, the very
bytes (status, headers, body) the mock answers for each request the suite
measures (`REQUESTS`): the ceiling no mock can beat on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Measured:
    """One request the throughput section measures, and who must answer it in the mock."""

    method: str
    path: str
    query: str
    answered_by: str

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


DESIGN = Measured("GET", "/api/v1/designs/dsg_invoice", "", "simulator")
RULE_GET = Measured("GET", "/api/v1/designs/dsg_rule", "", "bench.yaml#1")
"""A design read a rule answers with a small success: a read the simulator would answer 404, stubbed as a
user stubs one. A success, not an error: the two rule rows then cover both kinds of reply (the POST's is an
error), and a request the rule missed cannot pass unnoticed (the simulator would send a 404, not this 200).
A GET, like the bench's non-matching rules: the rule index must tell it from 10,000 rules of its method."""
RULE_POST = Measured("POST", "/api/v1/generate", "design=dsg_invoice", "bench.yaml#2")
"""Answered by a rule (402 INSUFFICIENT_CREDITS) before any route: the same in every revision."""
REQUESTS = (DESIGN, RULE_GET, RULE_POST)

LEADING_RULES = [
    "  - {when: GET /api/v1/designs/dsg_rule, reply: {status: 200, data: {designId: dsg_rule, name: Rule}}}",
    "  - {when: POST /api/v1/generate, reply: {error: INSUFFICIENT_CREDITS}}",
]
"""The bench scenario's rules for RULE_GET and RULE_POST, in this order (`bench.yaml#1`, `#2`)."""


Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
"""Status, headers (as the app sends them, before uvicorn adds `date` and `server`) and body."""


async def _mock_answers(revision: str) -> dict[Measured, Answer]:
    """The very answers the mock (the bench scenario, no extra rules) sends for REQUESTS in `revision`."""
    mock = MockAsgi(scenarios=rules_folder(0), scenario="bench", api_revision=revision)
    answers = {}
    async with mock.client() as client:
        for request in REQUESTS:
            answer = await client.request(request.method, request.target)
            by = answer.headers.get("x-mock-answered-by")
            if by != request.answered_by:
                raise RuntimeError(
                    f"{request.method} {request.target} answered by {by}, not {request.answered_by}"
                )
            answers[request] = (answer.status_code, list(answer.headers.raw), answer.content)
    return answers


def floor_app(revision: str) -> Starlette:
    answers = asyncio.run(_mock_answers(revision))

    def route(request: Measured) -> Route:
        status, raw, body = answers[request]
        # Every header the mock sends, content-length and content-type included, so Starlette adds none.
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in raw}

        async def answer(_: Request) -> Response:
            return Response(body, status_code=status, headers=headers)

        return Route(request.path, answer, methods=[request.method])

    async def health(_: Request) -> Response:
        return Response(b"{}", media_type="application/json")

    return Starlette(routes=[*(route(request) for request in REQUESTS), Route("/__mock/health", health)])


def rules_folder(count: int) -> Path:
    """A scenario `bench`: LEADING_RULES, then `count` rules that never match the measured requests."""
    folder = Path(tempfile.mkdtemp(prefix="mockserver-bench-"))
    lines = ["extends: default", "rules:", *LEADING_RULES]
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
