"""Issue 17: loading 10,000 rules of each shape from a user folder, each run in a fresh interpreter.

    python -m benchmarks --only loading [--quick]

A run reads, validates and compiles the folder (`mockserver.loader.load(folder).get("bench")`) in a
new process, so no cache of an earlier run helps; the interpreter's start-up and the imports are
not counted. Runs are interleaved across the shapes, so a drift in the machine's load hits them alike.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import startup as boot
from .serve import SHAPES, shape_folder

RULES = 10_000
TARGET_SECONDS = 1.0
_CHILD = """
import sys, time
from pathlib import Path
from mockserver import loader
folder = Path(sys.argv[1])
began, cpu = time.perf_counter(), time.process_time()
loader.load(folder).get("bench")
print(time.perf_counter() - began, time.process_time() - cpu)
"""


def load_seconds(folder: Path) -> tuple[float, float]:
    """Seconds (wall clock, CPU) to load and compile the scenarios of `folder` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
        env=boot.child_env(),
    )
    wall, cpu = done.stdout.split()[-2:]
    return float(wall), float(cpu)


def shape_seconds(runs: int, count: int = RULES) -> dict[str, list[tuple[float, float]]]:
    """Load times (wall clock, CPU) of `count` rules of each shape, `runs` each, interleaved."""
    folders = {shape: shape_folder(shape, count) for shape in SHAPES}
    try:
        load_seconds(folders["literal"])  # warm-up: bytecode written, files in the page cache
        times: dict[str, list[tuple[float, float]]] = {shape: [] for shape in folders}
        for _ in range(runs):
            for shape, folder in folders.items():
                times[shape].append(load_seconds(folder))
        return times
    finally:
        for folder in folders.values():
            shutil.rmtree(folder, ignore_errors=True)


def loading(report: Any, rounds: int) -> None:
    """One figure per shape: the median load time of 10,000 rules, target under 1 s."""
    figure = sys.modules[type(report).__module__].Figure  # benchmarks/__main__.py's, however it was run
    for shape, runs in shape_seconds(max(3, rounds // 6)).items():
        fig = report.add(
            figure(
                f"load {RULES:,} rules of shape {shape} from a user folder (fresh process)",
                "s",
                [wall for wall, _ in runs],
                target=f"< {TARGET_SECONDS:g} s",
            )
        )
        fig.met = fig.median < TARGET_SECONDS
        fig.note = f"CPU {statistics.median(cpu for _, cpu in runs) * 1000:.0f} ms"


if __name__ == "__main__":  # a quick table without the benchmark's report: python -m benchmarks.loading
    for name, runs in shape_seconds(int(sys.argv[1]) if len(sys.argv) > 1 else 3).items():
        wall, cpu = (statistics.median(column) for column in zip(*runs, strict=True))
        print(f"{name:12} median {wall:.3f} s (CPU {cpu:.3f} s)  runs {[round(w, 3) for w, _ in runs]}")
