"""The benchmark suite. Run from the repository root:

    .venv/bin/python -m benchmarks            # full run (about 11 minutes), writes benchmarks/results.json
    .venv/bin/python -m benchmarks --quick    # fewer, shorter runs (about 7 minutes)
    .venv/bin/python -m benchmarks --write    # also rewrite benchmarks/RESULTS.md
    .venv/bin/python -m benchmarks --only journal   # one section (no wrk needed for this one)
    .venv/bin/python -m benchmarks --only startup   # where start-up time goes (no wrk needed)
    .venv/bin/python -m benchmarks --only instructions   # per-request instruction counts (valgrind)

Throughput comes from `wrk` (Debian: `apt-get install wrk`) against servers
started as separate processes with the same uvicorn settings; every figure
is reported as a ratio to its own floor (a bare Starlette app answering the
very bytes the mock answers for that request), measured in the same
interleaved passes. Medians of several passes, with min-max.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from . import startup as boot
from .instructions import instructions
from .loading import loading

if TYPE_CHECKING:
    from .serve import Measured

HERE = Path(__file__).resolve().parent
KEY = "pc_live_demo0000000000000001"
DESIGN = "/api/v1/designs/dsg_invoice"
"""Answered by the simulator (benchmarks.serve.DESIGN)."""


@dataclass
class Figure:
    name: str
    unit: str
    runs: list[float]
    ratio_to: str | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


@dataclass
class Report:
    date: str
    machine: str
    command: str
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        print(f"  {figure.name}: {_fmt(figure.median, figure.unit)}", flush=True)
        return figure

    def get(self, name: str) -> Figure:
        return next(f for f in self.figures if f.name == name)


def _fmt(value: float, unit: str) -> str:
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if unit == "s" and value >= 10:
        return f"{value:.1f} s"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value >= 0.01 else f"{value * 1e6:.0f} µs"
    if unit == "instr":
        return f"{value:,.0f} instructions"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "5xx":
        return f"{value:g} unexpected 5xx"
    return f"{value:g} {unit}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, deadline: float = 20.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{url} did not answer")


def wait_listening(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    """Until the server accepts a connection. uvicorn listens only once the app's start-up (lifespan) is
    done, so the server is ready then, and no request has reached it: RSS read now is RSS at rest."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.01)
    raise RuntimeError(f"server on port {port} did not listen within {deadline} s")


@contextmanager
def server(*args: str, log: Path | None = None, ready_within: float = 20.0) -> Iterator[tuple[str, int]]:
    """A `benchmarks.serve` process: yields its base URL and pid once it listens (within `ready_within`
    seconds), before any request; its stderr goes to `log` if given."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.serve", *args[:1], str(port), *args[1:]],
        cwd=HERE.parent,
        stderr=log.open("w") if log else None,
    )
    try:
        wait_listening(port, process, ready_within)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(10)


WRK_SCRIPTS = Path(tempfile.mkdtemp(prefix="mockserver-bench-wrk-"))
"""This run's wrk scripts (one per method): a folder of its own, so runs side by side cannot swap them."""


def wrk(url: str, seconds: float, method: str = "GET", connections: int = 32) -> tuple[float, int]:
    """Requests per second and request count of one wrk run."""
    script = WRK_SCRIPTS / f"{method}.lua"
    if not script.exists():
        script.write_text(f'wrk.method = "{method}"\nwrk.headers["X-API-Key"] = "{KEY}"\n', encoding="utf-8")
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{round(seconds)}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    if not rate or not count:
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    return float(rate[1]), int(count[1])


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found[1]) / 1024 if found else float("nan")


def fixture_costs(runs: int) -> tuple[list[float], list[float]]:
    """The pytest fixture's session start-up (MockServer start) and per-test reset (as before each test)."""
    from mockserver import MockServer

    starts, resets = [], []
    for _ in range(runs):
        began = time.perf_counter()
        mock = MockServer(batch_seconds=0).start()
        starts.append(time.perf_counter() - began)
        for _ in range(20):  # dirty it a little, as a test would
            httpx.get(f"{mock.url}{DESIGN}", headers={"X-API-Key": KEY})
        rounds = 200
        began = time.perf_counter()
        for _ in range(rounds):
            mock.reset("default")  # what the plugin does before each test
        resets.append((time.perf_counter() - began) / rounds)
        mock.stop()
    return starts, resets


def _wrk_version() -> str:
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
    return " ".join(out.split()[:2])


RULE_COUNTS = (0, 100, 1_000, 10_000)
"""Non-matching rules (`GET /api/v1/other-N/{id}`) in the bench scenario of the rule-count servers."""


def _rules_label(count: int) -> str:
    return "no rules" if count == 0 else f"{count:,} non-matching rules"


@dataclass(frozen=True)
class Row:
    """One throughput row: `request` sent to the server of configuration `config`, compared with `floor`."""

    config: str
    request: Measured
    name: str
    floor: str | None = None
    target: float | None = None


WARM_UP = 300
"""Requests sent on each row before its first pass (over one keep-alive connection)."""


def throughput_rows(report: Report, passes: int, seconds: float) -> float:
    """Issue 17's throughput rows, each against a floor sending the very same bytes (benchmarks.serve);
    returns the RSS of the 10,000-rule server at rest (read once it listens, before any request).

    One server process per configuration, all up at once (the 10,000-rule one is the biggest, about
    120 MB). After a warm-up, every pass runs every row once, each request first on its floor and then
    on every mock that serves it, so a drift of the machine's load hits the floors and the mocks alike;
    each figure is the median of its passes and each ratio is of medians from the same passes.
    """
    from .serve import DESIGN as SIMULATOR_GET
    from .serve import RULE_GET, RULE_POST

    configs: dict[str, tuple[str, ...]] = {
        "floor": ("floor",),
        **{_rules_label(count): ("mock", "--rules", str(count)) for count in RULE_COUNTS},
        "journal off": ("mock", "--no-journal"),
        "floor, revision A": ("floor", "--api-revision", "A"),
        "revision A": ("mock", "--api-revision", "A"),
    }
    floors = {
        SIMULATOR_GET: "floor: bare Starlette, the simulator GET's bytes",
        RULE_GET: "floor: bare Starlette, the rule GET's bytes (200)",
        RULE_POST: "floor: bare Starlette, the rule POST's bytes (402)",
    }
    names = {
        SIMULATOR_GET: "simulator GET /designs/{id}",
        RULE_GET: "rule-answered GET /designs/{id} (200)",
        RULE_POST: "rule-answered POST /generate (402)",
    }
    targets = {SIMULATOR_GET: 0.80, RULE_GET: 0.90, RULE_POST: 0.90}
    plan: list[Row] = []
    for request in (SIMULATOR_GET, RULE_GET, RULE_POST):
        plan.append(Row("floor", request, floors[request]))
        for count in RULE_COUNTS:
            label = _rules_label(count)
            target = targets[request] if count == 0 else None
            plan.append(Row(label, request, f"{names[request]}, {label}", floors[request], target))
        if request is SIMULATOR_GET:
            plan += [
                Row("journal off", request, f"{names[request]}, journal off", floors[request]),
                Row("floor, revision A", request, "floor: bare Starlette, revision A's simulator GET bytes"),
                Row(
                    "revision A",
                    request,
                    f"{names[request]}, revision A, no rules",
                    "floor: bare Starlette, revision A's simulator GET bytes",
                ),
            ]
    runs: dict[str, list[float]] = {row.name: [] for row in plan}
    with contextlib.ExitStack() as stack:
        bases: dict[str, str] = {}
        for config, server_args in configs.items():
            base, pid = stack.enter_context(server(*server_args, ready_within=300))
            bases[config] = base
            if config == _rules_label(10_000):
                rss_10k = rss_mb(pid)
        # Warm-up, which also checks that every server answers each request by the same hand as the floor.
        for row in plan:
            with httpx.Client(base_url=bases[row.config], headers={"X-API-Key": KEY}) as client:
                for _ in range(WARM_UP):
                    answer = client.request(row.request.method, row.request.target)
                    assert answer.headers.get("x-mock-answered-by") == row.request.answered_by, (row, answer)
        for number in range(passes):
            print(f"  pass {number + 1} of {passes} ({len(plan)} rows)", flush=True)
            for row in plan:
                runs[row.name].append(
                    wrk(bases[row.config] + row.request.target, seconds, row.request.method)[0]
                )
    figures = {row.name: report.add(Figure(row.name, "req/s", runs[row.name])) for row in plan}
    for row in plan:
        figure = figures[row.name]
        if row.floor is not None:
            figure.ratio_to, figure.ratio = row.floor, figure.median / figures[row.floor].median
        if row.target is not None and figure.ratio is not None:
            figure.target, figure.met = f"≥ {row.target:.0%} of floor", figure.ratio >= row.target
    for request in (SIMULATOR_GET, RULE_GET, RULE_POST):
        figure = figures[f"{names[request]}, {_rules_label(10_000)}"]
        ratio = figure.median / figures[f"{names[request]}, {_rules_label(100)}"].median
        figure.note = (
            f"{ratio:.0%} of the 100-rule figure (target ≥ 90%: {'met' if ratio >= 0.9 else 'NOT met'})"
        )
        figure.met = ratio >= 0.9
    journal_on = figures[f"{names[SIMULATOR_GET]}, no rules"].median
    figures[f"{names[SIMULATOR_GET]}, journal off"].note = f"journal on: {journal_on:,.0f} req/s"
    return rss_10k


def measure(args: argparse.Namespace) -> Report:
    runs, seconds = (3, 2.0) if args.quick else (5, 2.0)
    report = Report(
        date=datetime.now(UTC).strftime("%Y-%m-%d"),
        machine=f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {_wrk_version()}",
        command="python -m benchmarks" + (" --quick" if args.quick else ""),
    )
    began = time.monotonic()

    def section(name: str) -> None:
        print(f"[{time.monotonic() - began:.0f} s] {name}", flush=True)

    section(f"throughput: {runs} interleaved passes of {seconds:g} s a row, wrk -t1 -c32")
    rss_10k = throughput_rows(report, runs, seconds)
    section("start-up: imports and launch → first 200, beside a bare floor")
    startup_breakdown(report, 10 if args.quick else 15)
    section("the pytest fixture")
    fixture_start, fixture_reset = fixture_costs(runs)
    report.add(Figure("pytest fixture: session start-up (MockServer.start)", "s", fixture_start))
    fig = report.add(Figure("pytest fixture: per-test reset", "s", fixture_reset, target="≤ 1 ms"))
    fig.met = fig.median <= 0.001

    section("RSS")
    with server("mock") as (base, pid):
        rest = rss_mb(pid)  # the server listens and has had no request
        with httpx.Client(base_url=base, headers={"X-API-Key": KEY}) as client:
            for _ in range(10_000):
                client.get(DESIGN)
        total, at_10k = 10_000, rss_mb(pid)
        while total < 200_000:
            total += wrk(base + DESIGN, 2 if args.quick else 3)[1]
        after = rss_mb(pid)
        fig = report.add(Figure("RSS at rest", "MB", [rest], target="≤ 50 MB"))
        fig.met = rest <= 50
        fig = report.add(Figure("RSS at rest, 10,000 rules loaded", "MB", [rss_10k], target="≤ 80 MB"))
        fig.met = rss_10k <= 80
        report.add(Figure("RSS after 10,000 requests", "MB", [at_10k]))
        grown = after - at_10k
        fig = report.add(
            Figure(f"RSS after {total:,} requests", "MB", [after], target="within 10 MB of the 10k figure")
        )
        fig.met = grown <= 10
        fig.note = f"+{grown:.1f} MB since the 10k figure"
    section("rule shapes: 2, 1,000 and 10,000 rules of each shape, the last one matching")
    rule_shapes(report, 10)
    section("loading 10,000 rules of each shape")
    loading(report, 10 if args.quick else 18)
    section("the console line: the default command beside --quiet")
    console_cost(report, 10 if args.quick else 30)
    section("journal reads")
    journal_reads(report, 10 if args.quick else 30)
    section("soak")
    soak(report, 15 if args.quick else 60)
    section("sweep")
    sweep_time(report, 10 if args.quick else 30)
    section("session flood")
    session_flood(report, 20_000 if args.quick else 30_000)
    section("done")
    return report


JOURNAL_RULES = 10_000
JOURNAL_READ = "/__mock/requests?limit=50"


def _near_miss(n: int) -> str:
    """A path the simulator answers (404) that one bench rule (`GET /api/v1/other-N/{id}`) nearly takes."""
    return f"/api/v1/other-{n % JOURNAL_RULES}/x/y"


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process `pid` has used so far (to 1/CLK_TCK s, 10 ms on Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def journal_reads(report: Report, rounds: int) -> None:
    """`GET /__mock/requests?limit=50` with 10,000 rules and a full journal (issue 15: ≤ 10 ms).

    Every entry was answered by the simulator, so each carries a closest rule: half are design
    reads no rule comes near, half near misses of one rule. Before each timed read, 50 new
    requests arrive, so the read explains 50 entries never read before (the control page's
    situation: it polls while requests come in); a second read of the same entries follows.
    Wall time is what a client sees, but grows with whatever else the machine runs; the note adds
    the server's CPU time per read of the same 50 (from /proc, over 100 reads), which does not.
    """
    cold: list[float] = []
    warm: list[float] = []
    with (
        server("mock", "--rules", str(JOURNAL_RULES), ready_within=120) as (base, pid),  # 10,000 rules
        httpx.Client(base_url=base, headers={"X-API-Key": KEY}) as client,
    ):
        sent = 0

        def arrive(count: int) -> None:
            nonlocal sent
            for _ in range(count):
                sent += 1
                answer = client.get(DESIGN if sent % 2 else _near_miss(sent))
                assert answer.headers["x-mock-answered-by"] == "simulator", answer.text

        arrive(1000)  # benchmarks.serve keeps 1,000 entries: the journal is full
        client.get(JOURNAL_READ)  # warm-up (imports, caches); its entries are not measured below
        for _ in range(rounds):
            arrive(50)
            for times in (cold, warm):
                began = time.perf_counter()
                answer = client.get(JOURNAL_READ)
                times.append(time.perf_counter() - began)
                entries = answer.json()["data"]["requests"]
                assert len(entries) == 50
                assert all("closestRule" in entry for entry in entries)
        assert any(entry["closestRule"] for entry in entries), "no entry has a closest rule"
        reads, used = 100, cpu_seconds(pid)
        for _ in range(reads):
            client.get(JOURNAL_READ)
        cpu = (cpu_seconds(pid) - used) / reads
    fig = report.add(
        Figure(
            f"journal: GET {JOURNAL_READ}, {JOURNAL_RULES:,} rules, full journal",
            "s",
            cold,
            target="≤ 10 ms",
        )
    )
    fig.met = fig.median <= 0.010
    fig.note = (
        f"50 entries never read before; the same 50 read again: {_fmt(statistics.median(warm), 's')};"
        f" server CPU per read: {_fmt(cpu, 's')}"
    )


SWEEP_TARGET = 60.0
"""Issue 16: a sweep of a client that calls four operations, with --jobs 2, in under a minute."""


def sweep_time(report: Report, rounds: int) -> None:
    """`mockserver sweep --jobs 2` over benchmarks/sweep_client.py (four operations, every injection),
    as a user runs it: wall-clock seconds from start to exit status. `rounds` only picks 1 or 2 sweeps."""
    times: list[float] = []
    summary: dict[str, int] = {}
    cells = 0
    for _ in range(1 if rounds <= 10 else 2):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "sweep.json"
            began = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "mockserver", "sweep", "--jobs", "2", "--quiet", "--json", str(out),
                 "--", sys.executable, str(HERE / "sweep_client.py")],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            times.append(time.perf_counter() - began)
            assert done.returncode == 0, done.stdout + done.stderr
            swept = json.loads(out.read_text(encoding="utf-8"))
            assert len(swept["operations"]) == 4, swept["operations"]
            summary, cells = swept["summary"], len(swept["cells"])
    fig = report.add(
        Figure("sweep: a client of 4 operations, every injection, --jobs 2", "s", times, target="< 60 s")
    )
    fig.met = fig.median < SWEEP_TARGET
    states = ", ".join(f"{count} {state}" for state, count in summary.items() if count)
    fig.note = f"{cells} runs ({states}); a `hang` run waits out its 5 s"


def startup_breakdown(report: Report, rounds: int) -> None:
    """Import times (`-X importtime`, cumulative) and launch → first 200, interleaved with a bare floor."""
    runs = max(5, rounds // 3)
    for module, target in (("mockserver", 0.150), ("mockserver.cli", None)):
        times, best = boot.import_seconds(module, runs)
        fig = report.add(
            Figure(
                f"start-up: import {module}", "s", times, target=f"≤ {target * 1000:.0f} ms" if target else ""
            )
        )
        if target:
            fig.met = fig.median <= target
        slowest = boot.top(best, 8, module)
        fig.note = "slowest (best cumulative): " + ", ".join(
            f"{name} {micros / 1000:.0f} ms" for name, micros in slowest
        )
    health, api, floor = boot.launches(
        runs,
        [(boot.MOCK, "/__mock/health"), (boot.MOCK, DESIGN), (boot.FLOOR, "/__mock/health")],
    )
    fig = report.add(Figure("start-up: launch → first 200 on /__mock/health", "s", health, target="≤ 250 ms"))
    fig.met = fig.median <= 0.250
    fig.note = f"floor (bare Starlette under uvicorn, interleaved): {_fmt(statistics.median(floor), 's')}"
    report.add(Figure(f"start-up: launch → first 200 on GET {DESIGN}", "s", api))


SHAPE_COUNTS = (2, 1_000, 10_000)


def rule_shapes(report: Report, rounds: int) -> None:
    """Issue 17's worst case: N rules of one shape with the matched rule LAST in file order, for every
    shape; each N's throughput against the 2-rule figure of the same shape (target ≥ 90% at 10,000).
    Passes are interleaved: every configuration runs once per pass, so load drifts hit them alike."""
    from .serve import SHAPES, shape_path

    passes = 3 if rounds <= 10 else 5
    seconds = 2.0 if rounds <= 10 else 3.0
    results: dict[tuple[str, int], list[float]] = {key: [] for key in product(SHAPES, SHAPE_COUNTS)}
    for shape in SHAPES:  # one shape's servers at a time: 10,000 rules each is memory
        with contextlib.ExitStack() as stack:
            servers = {
                count: stack.enter_context(
                    server("mock", "--shape", shape, "--rules", str(count), ready_within=300)
                )[0]
                for count in SHAPE_COUNTS
            }
            for _ in range(passes):
                for count, base in servers.items():
                    results[(shape, count)].append(wrk(base + shape_path(shape, count), seconds)[0])
    for shape in SHAPES:
        two = report.add(
            Figure(f"rule shape {shape}: 2 rules, the last one matching", "req/s", results[(shape, 2)])
        )
        for count in SHAPE_COUNTS[1:]:
            fig = report.add(
                Figure(
                    f"rule shape {shape}: {count:,} rules, the last one matching",
                    "req/s",
                    results[(shape, count)],
                    target="≥ 90% of 2 rules" if count == 10_000 else "",
                )
            )
            fig.ratio_to, fig.ratio = "2 rules", fig.median / two.median
            if count == 10_000:
                fig.met = fig.ratio >= 0.9


@contextmanager
def cli_server(*options: str, log: Path) -> Iterator[str]:
    """The real `mockserver` command on a free port, its console (stderr) written to `log`."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder, log.open("w") as console:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "--port", str(port), *options],
            cwd=folder,  # an empty folder: no ./scenarios, as a newcomer runs it
            stdout=subprocess.DEVNULL,
            stderr=console,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(f"{base}/__mock/health", 60)
            yield base
        finally:
            process.terminate()
            process.wait(10)


def console_cost(report: Report, rounds: int) -> None:
    """Issue 17: the default command (a console line per request, reload on) beside `--quiet`, serving
    the simulator's GET /designs/{id}; interleaved passes. The console goes to a file here (a terminal
    is slower to write to, but the writing happens off the request path either way)."""
    passes = 3 if rounds <= 10 else 5
    seconds = 2.0 if rounds <= 10 else 3.0
    loud: list[float] = []
    quiet: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        logs = Path(folder)
        with (
            cli_server(log=logs / "default.log") as default,
            cli_server("--quiet", log=logs / "quiet.log") as q,
        ):
            for _ in range(passes):
                loud.append(wrk(default + DESIGN, seconds)[0])
                quiet.append(wrk(q + DESIGN, seconds)[0])
        lines = sum(1 for _ in (logs / "default.log").open(encoding="utf-8"))
    off = report.add(Figure("mockserver --quiet: simulator GET /designs/{id}", "req/s", quiet))
    on = report.add(
        Figure(
            "mockserver (console on, reload on): simulator GET /designs/{id}",
            "req/s",
            loud,
            target="≥ 90% of --quiet",
        )
    )
    on.ratio_to, on.ratio = "--quiet", on.median / off.median
    on.met = on.ratio >= 0.9
    on.note = f"{lines:,} console lines written"


def throughput(report: Report, rounds: int) -> None:
    """The throughput rows alone (`--only throughput`), with the RSS of the 10,000-rule server at rest."""
    rss_10k = throughput_rows(report, 3 if rounds <= 10 else 5, 2.0)
    fig = report.add(Figure("RSS at rest, 10,000 rules loaded", "MB", [rss_10k], target="≤ 80 MB"))
    fig.met = rss_10k <= 80


SECTIONS = {
    "console": console_cost,
    "throughput": throughput,
    "journal": journal_reads,
    "sweep": sweep_time,
    "startup": startup_breakdown,
    "shapes": rule_shapes,
    "loading": loading,
    "instructions": instructions,
}
"""Sections `--only` runs on their own (quick: fewer rounds)."""


def measure_only(args: argparse.Namespace) -> Report:
    report = Report(
        date=datetime.now(UTC).strftime("%Y-%m-%d"),
        machine=f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        command=f"python -m benchmarks --only {args.only}" + (" --quick" if args.quick else ""),
    )
    SECTIONS[args.only](report, 10 if args.quick else 30)
    return report


def soak(report: Report, seconds: int) -> None:
    """Mixed load with deliberate faults: no unexpected 5xx, no server error, flat RSS.

    RSS is compared between the end of the first third (bounded stores such as the
    file links have filled by then) and the end of the run.
    """
    log = Path(tempfile.gettempdir()) / "mockserver-soak.log"
    counts: Counter[str] = Counter()
    total = 0
    with server("mock", log=log) as (base, pid):
        rss = []
        for part in (seconds // 3, seconds - seconds // 3):
            total += soak_run(["-c32", f"-d{part}s"], base, (), counts)
            rss.append(rss_mb(pid))
        before, after = rss
    log_errors = [line for line in log.read_text().splitlines() if "ERROR" in line or "Traceback" in line]
    fig = report.add(
        Figure(
            f"soak: {seconds} s mixed load ({total:,} requests)",
            "5xx",
            [counts["UNEXPECTED_5XX"]],
            target="0 unexpected 5xx, 0 socket errors, no error logged, RSS flat (< 10 MB)",
        )
    )
    fig.met = (
        counts["UNEXPECTED_5XX"] == 0
        and counts["SOCKET_ERRORS"] == 0
        and not log_errors
        and after - before < 10
    )
    fig.note = (
        f"{counts['DELIBERATE_5XX']:,} deliberate 5xx, {counts['SOCKET_ERRORS']} socket errors, "
        f"{len(log_errors)} error lines logged, RSS {before:.1f} → {after:.1f} MB"
    )


def soak_run(options: list[str], base: str, script_args: tuple[str, ...], counts: Counter[str]) -> int:
    """One wrk run of soak.lua: adds the counters it prints to `counts`, returns its request count."""
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            *options,
            "-s",
            str(HERE / "soak.lua"),
            base,
            *(("--", *script_args) if script_args else ()),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts.update({name: int(value) for name, value in re.findall(r"^([A-Z_0-9]+) (\d+)$", out, re.M)})
    return int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]


def session_flood(report: Report, sessions: int, body_bytes: int = 65_536) -> None:
    """`sessions` distinct session ids, each sent one large body: sessions are evicted, RSS stays flat.

    RSS is read at rest, after the first 5,000 sessions (the 1,000 kept have filled by then; half
    of `sessions` if fewer) and at the end; the target compares the last two.
    """
    counts: Counter[str] = Counter()
    total = 0
    early_at = min(5_000, sessions // 2)
    with server("mock") as (base, pid):
        rest = rss_mb(pid)  # the server listens and has had no request
        readings = []
        run = 0
        for goal in (early_at, sessions):
            while total < goal:
                run += 1
                total += soak_run(["-c16", "-d2s"], base, ("sessions", str(body_bytes), str(run)), counts)
            readings.append(rss_mb(pid))
        health = httpx.get(f"{base}/__mock/health").json()["data"]
    early, after = readings
    fig = report.add(
        Figure(
            f"session flood: {total:,} distinct sessions, {body_bytes // 1024} KB bodies",
            "MB",
            [after],
            target=f"RSS within 10 MB of the {early_at:,}-session figure; sessions bounded; 0 unexpected 5xx",
        )
    )
    fig.met = (
        after - early < 10
        and health["sessions"] <= health["maxSessions"]
        and counts["UNEXPECTED_5XX"] == 0
        and counts["SOCKET_ERRORS"] == 0
    )
    fig.note = (
        f"RSS {rest:.1f} at rest → {early:.1f} after {early_at:,} sessions → {after:.1f} MB; "
        f"{health['sessions']} sessions kept, {health['sessionsEvicted']:,} evicted"
    )


def markdown(report: Report) -> str:
    lines = [
        "| measurement | median | min-max | vs floor | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for f in report.figures:
        spread = f"{_fmt(min(f.runs), f.unit)} - {_fmt(max(f.runs), f.unit)}" if len(f.runs) > 1 else ""
        ratio = f"{f.ratio:.0%}" if f.ratio is not None else ""
        met = "" if f.met is None else ("yes" if f.met else "**no**")
        target = "; ".join(part for part in (f.target, f.note) if part)
        lines.append(f"| {f.name} | {_fmt(f.median, f.unit)} | {spread} | {ratio} | {target} | {met} |")
    return "\n".join(lines)


def write_results(report: Report, table: str) -> None:
    missed = [f.name for f in report.figures if f.met is False]
    verdict = "All targets are met." if not missed else "Targets not met: " + "; ".join(missed) + "."
    text = RESULTS_TEMPLATE.format(
        date=report.date, machine=report.machine, command=report.command, table=table, verdict=verdict
    )
    (HERE / "RESULTS.md").write_text(text, encoding="utf-8")


RESULTS_TEMPLATE = """# Benchmark results

Measured {date} on: {machine}.

Reproduce from a fresh clone (needs `wrk`: `apt-get install wrk`):

```sh
python3 -m venv .venv && .venv/bin/pip install -e '.[test]'
.venv/bin/{command} --write
```

Throughput: `wrk -t1 -c32` against server processes (uvicorn, httptools,
no access log) on the same 2-core machine as the load generator, so the
absolute numbers are low and noisy; compare the ratios to the floors. A
floor is a bare Starlette app answering, from a hard-coded route, the very
bytes the mock answers for one request (status, headers, body, captured
from the mock at the floor's start), so each row has a floor of its own:
the simulator's GET, the rule-answered GET and the rule-answered POST (402),
and revision A's simulator GET. Every server, floors and mocks, stays up for
the whole section (one process each) and every pass runs each row once,
each request on its floor first and then on every mock that serves it, so a
drift of the machine's load hits floors and mocks alike. A row is the median
of its passes, with min-max, and its ratio is of medians from the same
passes. RSS is read from /proc: at rest is once a server listens, before
any request.

{table}

{verdict}

The other sections: start-up is `import mockserver` and `import mockserver.cli`
(`-X importtime`) and launch → first 200 of `mockserver --quiet --no-reload`,
beside a bare Starlette app under uvicorn launched in the same passes; rule
shapes are 2, 1,000 and 10,000 rules of one shape with the request matching
only the last rule in file order, against 2 rules of that shape (interleaved
passes); loading is 10,000 rules of each shape read, validated and compiled
from a user folder in a fresh interpreter; the console row is the real
`mockserver` command (a line per request, reload on) beside `--quiet`.

This machine is shared and its load drifts: a single run's borderline row
says little; rerun before concluding.
"""


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs of 2 s instead of 5 of 3 s")
    parser.add_argument("--write", action="store_true", help="rewrite benchmarks/RESULTS.md")
    parser.add_argument(
        "--only", choices=sorted(SECTIONS), help="run one section; prints its table, writes no file"
    )
    args = parser.parse_args()
    if args.only:
        if args.write:
            parser.error("--only measures one section: it cannot rewrite RESULTS.md")
        print("\n" + markdown(measure_only(args)))
        return
    if shutil.which("wrk") is None:
        sys.exit("benchmarks need wrk: apt-get install wrk")
    report = measure(args)
    table = markdown(report)
    print("\n" + table)
    (HERE / "results.json").write_text(json.dumps(asdict(report), indent=2), encoding="utf-8")
    if args.write:
        write_results(report, table)
        print(f"\nwrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
