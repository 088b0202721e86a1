"""Instructions per request and to start, counted by callgrind: the figures without the noise.

    python -m benchmarks --only instructions [--quick]

On a shared machine, req/s swings by half between passes, floors included; an instruction count is the
same on every run. Each server (a floor or a mock, `benchmarks.serve`, the same uvicorn settings as the
throughput rows) runs under callgrind; after warm-up requests the counters are zeroed, then N requests on
one keep-alive connection are counted, the client's included nowhere (it is another process). What a
count leaves out: cache misses, the collector's timing, the machine's load; the throughput rows measure
those. Start-up is counted too: a process launched under callgrind, from its first instruction to its
first 200 on /__mock/health, the mock's command beside the startup section's floor. Needs valgrind
(Debian: `apt-get install valgrind`); a section that cannot run says so.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import startup as boot
from .serve import DESIGN, RULE_GET, RULE_POST, SHAPES, shape_path

WARM_UP = 300


def available() -> bool:
    return shutil.which("valgrind") is not None and shutil.which("callgrind_control") is not None


def _send(port: int, count: int, method: str, target: str) -> int:
    """`count` requests on one keep-alive connection; the last status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    status = 0
    try:
        for _ in range(count):
            connection.request(method, target, headers={"X-API-Key": boot.KEY})
            answer = connection.getresponse()
            answer.read()
            status = answer.status
    finally:
        connection.close()
    return status


def _ready(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    health = b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    end = time.monotonic() + deadline
    while not boot._answers(port, health):
        if process.poll() is not None:
            raise RuntimeError("the server under callgrind exited")
        if time.monotonic() > end:
            raise RuntimeError("the server under callgrind did not answer")
        time.sleep(0.5)


def per_request(kind: str, method: str, target: str, count: int, serve_args: Sequence[str] = ()) -> float:
    """Instructions per request of a `benchmarks.serve KIND` process answering `count` requests."""
    port = boot._free_port()
    argv = [sys.executable, "-m", "benchmarks.serve", kind, str(port), *serve_args]
    with _under_callgrind(argv, port) as run:
        status = _send(port, WARM_UP, method, target)
        run.control("-z")
        _send(port, count, method, target)
        counted = run.dump()
    if not 200 <= status < 500:
        raise RuntimeError(f"{kind} answered {method} {target} with {status}")
    return counted / count


def to_first_200(command: Sequence[str]) -> float:
    """Instructions a process launched with `command` (PORT in it replaced) runs until it has answered
    its first 200 on /__mock/health: start-up without the machine's noise."""
    boot.first_200(command, "/__mock/health")  # writes the bytecode, as an installed package has it
    port = boot._free_port()
    argv = [part.replace("PORT", str(port)) for part in command]
    with _under_callgrind(argv, port, cwd=tempfile.gettempdir(), env=boot.child_env()) as run:
        return run.dump()


class _Run:
    """A process under callgrind: `control` sends callgrind_control a flag, `dump` returns the count
    since the start or the last `-z`."""

    def __init__(self, process: subprocess.Popen[bytes], out: Path) -> None:
        self.process, self.out = process, out

    def control(self, flag: str) -> None:
        subprocess.run(["callgrind_control", flag, str(self.process.pid)], check=True, capture_output=True)

    def dump(self) -> int:
        self.control("-d")
        dumped = Path(f"{self.out}.1").read_text(encoding="utf-8")
        found = re.search(r"^summary: (\d+)$", dumped, re.M)
        if found is None:
            raise RuntimeError("callgrind wrote no summary")
        return int(found[1])


@contextmanager
def _under_callgrind(argv: Sequence[str], port: int, **options: Any) -> Iterator[_Run]:
    """`argv` run under callgrind until the block ends, once it answers on `port`."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        process = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no", *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **options,
        )
        try:
            _ready(port, process, 900)
            yield _Run(process, out)
        finally:
            process.terminate()
            process.wait(60)


def instructions(report: Any, rounds: int) -> None:
    """Start-up and the throughput rows (each against its floor), the rule shapes (10,000 rules against 2)."""
    figure = sys.modules[type(report).__module__].Figure  # benchmarks/__main__.py's, however it was run
    if not available():
        print("  valgrind is not installed (Debian: apt-get install valgrind): section skipped")
        return
    count = 1_000 if rounds <= 10 else 2_000
    floor, mock = to_first_200(boot.FLOOR), to_first_200(boot.MOCK)
    report.add(figure("instructions: launch → first 200, floor (bare uvicorn)", "instr", [floor]))
    fig = report.add(figure("instructions: launch → first 200 on /__mock/health", "instr", [mock]))
    fig.ratio_to, fig.ratio = "its floor (floor / mock)", floor / mock
    rows = (
        (DESIGN, "simulator GET /designs/{id}", 0.80),
        (RULE_GET, "rule-answered GET (200)", 0.90),
        (RULE_POST, "rule-answered POST (402), repeated", 0.90),
    )
    for measured, name, target in rows:
        target_path = measured.path + (f"?{measured.query}" if measured.query else "")
        floor = per_request("floor", measured.method, target_path, count)
        mock = per_request("mock", measured.method, target_path, count)
        report.add(figure(f"instructions: floor for the {name}", "instr", [floor]))
        fig = report.add(
            figure(f"instructions: {name}", "instr", [mock], target=f"floor ≥ {target:.0%} of it")
        )
        fig.ratio_to, fig.ratio = "its floor (floor / mock)", floor / mock
        fig.met = fig.ratio >= target
    for shape in SHAPES:
        few, many = (
            per_request(
                "mock", "GET", shape_path(shape, rules), count, ("--shape", shape, "--rules", str(rules))
            )
            for rules in (2, 10_000)
        )
        report.add(figure(f"instructions: 2 rules of shape {shape}, the last matching", "instr", [few]))
        fig = report.add(
            figure(
                f"instructions: 10,000 rules of shape {shape}, the last matching",
                "instr",
                [many],
                target="2 rules' count ≥ 90% of it",
            )
        )
        fig.ratio_to, fig.ratio = "2 rules (2 rules / 10,000)", few / many
        fig.met = fig.ratio >= 0.90
