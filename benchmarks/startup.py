"""Where start-up time goes: import times (`python -X importtime`) and launch → first 200.

Every figure comes from a fresh interpreter. Bytecode is written and a warm-up run goes first, so
the figures are those of an installed package (pip compiles it), not of a first run that compiles
every module (PYTHONDONTWRITEBYTECODE is dropped from the children's environment for that reason).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

KEY = "pc_live_demo0000000000000001"
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def child_env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def import_times(code: str, module: str) -> dict[str, int]:
    """Cumulative import time (µs) of `module` and of each module it imported, in one fresh interpreter.

    -X importtime prints a module after those it imported, one level deeper: the modules under
    `module` are the indented lines just before its own (the interpreter's start-up is left out).
    """
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
        env=child_env(),
    )
    rows = [(m[4], (len(m[3]) - 1) // 2, int(m[2])) for m in map(_LINE.match, run.stderr.splitlines()) if m]
    at = max(i for i, (name, depth, _) in enumerate(rows) if name == module and depth == 0)
    found = {module: rows[at][2]}
    for name, depth, micros in reversed(rows[:at]):
        if depth == 0:
            break
        found[name] = micros
    return found


def import_seconds(module: str, runs: int) -> tuple[list[float], dict[str, int]]:
    """`import module`'s cumulative time per run (s), and each module's best cumulative time (µs)."""
    import_times(f"import {module}", module)  # warm-up: writes the bytecode
    totals: list[float] = []
    best: dict[str, int] = {}
    for _ in range(runs):
        found = import_times(f"import {module}", module)
        totals.append(found[module] / 1e6)
        for name, micros in found.items():
            best[name] = min(micros, best.get(name, micros))
    return totals, best


def top(best: dict[str, int], count: int, within: str = "mockserver") -> list[tuple[str, int]]:
    """The `count` slowest modules by cumulative time, leaving out `within` itself (it holds them all)."""
    ranked = sorted(((name, micros) for name, micros in best.items() if name != within), key=lambda x: -x[1])
    return ranked[:count]


def _answers(port: int, request: bytes) -> bool:
    """Whether the server on `port` answers `request` with a 200 (a raw socket: no client library)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(request)
            return sock.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def first_200(command: Sequence[str], path: str, deadline: float = 30.0) -> float:
    """Seconds from launching `command` (PORT in it replaced) to the first 200 on `path`."""
    port = _free_port()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {KEY}\r\nConnection: close\r\n\r\n"
    ).encode()
    began = time.perf_counter()
    process = subprocess.Popen(
        [part.replace("PORT", str(port)) for part in command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tempfile.gettempdir(),
        env=child_env(),
    )
    try:
        while not _answers(port, request):
            if time.perf_counter() - began > deadline or process.poll() is not None:
                raise RuntimeError(f"{' '.join(command)} did not answer {path}")
            time.sleep(0.002)
        return time.perf_counter() - began
    finally:
        process.terminate()
        process.wait(10)


MOCK = (sys.executable, "-m", "mockserver", "--port", "PORT", "--quiet", "--no-reload")
_FLOOR_APP = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

async def ok(request):
    return Response(b'{"data": {}}', media_type="application/json")

app = Starlette(routes=[Route("/__mock/health", ok)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False,
            lifespan="on", http="httptools")
"""
FLOOR = (sys.executable, "-c", _FLOOR_APP, "PORT")
"""The floor: a bare Starlette app under uvicorn with mockserver's settings (no mockserver import)."""


def launches(runs: int, paths: Sequence[tuple[Sequence[str], str]]) -> list[list[float]]:
    """launch → first 200 for each (command, path), interleaved run by run, after one warm-up each."""
    for command, path in paths:
        first_200(command, path)
    found: list[list[float]] = [[] for _ in paths]
    for _ in range(runs):
        for times, (command, path) in zip(found, paths, strict=True):
            times.append(first_200(command, path))
    return found
