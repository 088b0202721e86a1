"""Stopping the real CLI with SIGTERM or Ctrl+C (SIGINT) while requests hang, wait or stall.

A stop ends pending `hang` faults (their connection is reset) and `X-Mock-Delay` waits (answered at once),
gives anything else still running `--shutdown-seconds`, and exits 0 without "Aborted!".
"""

from __future__ import annotations

import signal
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import DEMO_KEY, RunningCli, WriteScenario

MOCKSERVER = [sys.executable, "-m", "mockserver"]
PROMPT = 2.5
"""Seconds within which a stop must be complete when only hangs and delays are pending (the process
exits too: interpreter teardown included). Far below --hang-seconds 600 and the 600 s delay."""


def serve(scenario_dir: Path, *options: str) -> tuple[RunningCli, tuple[str, int]]:
    cli = RunningCli([*MOCKSERVER, "--port", "0", "--scenarios", str(scenario_dir), *options])
    url = urlsplit(cli.address())
    assert url.hostname is not None
    assert url.port is not None
    return cli, (url.hostname, url.port)


def in_hand(address: tuple[str, int], count: int) -> None:
    """Wait until the server is answering `count` requests (its health says so), at most 20 s."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.create_connection(address, timeout=5) as probe:
            probe.sendall(b"GET /__mock/health HTTP/1.1\r\nHost: mock.test\r\nConnection: close\r\n\r\n")
            answer = b"".join(iter(lambda: probe.recv(65536), b""))
        if f'"inFlight":{count}'.encode() in answer:
            return
        time.sleep(0.05)
    raise AssertionError(f"the server never had {count} requests in hand")


def send(address: tuple[str, int], request: str) -> socket.socket:
    sock = socket.create_connection(address, timeout=30)
    sock.sendall(request.encode("ascii"))
    return sock


def get(path: str, *headers: str) -> str:
    lines = [f"GET {path} HTTP/1.1", "Host: mock.test", f"X-API-Key: {DEMO_KEY}", *headers]
    return "\r\n".join(lines) + "\r\n\r\n"


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; a reset counts as the end."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    finally:
        sock.close()
    return b"".join(chunks)


def stop(cli: RunningCli, how: signal.Signals) -> tuple[float, int, str]:
    """Send `how`; seconds until the process exited, its status, and its stderr."""
    began = time.monotonic()
    cli.process.send_signal(how)
    try:
        status = cli.process.wait(30)
    except Exception:
        cli.stop()
        raise
    took = time.monotonic() - began
    _, err = cli.stop()
    return took, status, err


@pytest.fixture
def hangs(write_scenario: WriteScenario) -> None:
    write_scenario(
        "hangs",
        """
        rules:
          - when: GET /api/v1/designs
            reply: {fault: hang}
        """,
    )


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_ends_pending_hangs_and_delays_promptly_and_exits_0(
    scenario_dir: Path, hangs: None, how: signal.Signals
) -> None:
    cli, address = serve(
        scenario_dir, "--scenario", "hangs", "--hang-seconds", "600", "--shutdown-seconds", "20"
    )
    hanging = send(address, get("/api/v1/designs"))
    waiting = send(address, get("/api/v1/tools", "X-Mock-Delay: 600s"))
    in_hand(address, 2)  # both requests are in the server's hands
    took, status, err = stop(cli, how)
    assert took < PROMPT, f"stopping took {took:.1f} s; stderr:\n{err}"
    assert status == 0, err
    assert "Aborted" not in err
    assert "Traceback" not in err
    assert read_all(hanging) == b""  # a hang never answers: its connection is reset
    answer = read_all(waiting)
    assert answer.startswith(b"HTTP/1.1 "), answer  # the delay was cut short and the request answered
    assert b"connection: close" in answer.lower()


def test_a_request_that_still_runs_is_cut_off_after_shutdown_seconds(scenario_dir: Path) -> None:
    cli, address = serve(scenario_dir, "--shutdown-seconds", "1")
    # A body announced but never sent: the server waits for it, which no stop signal ends by itself.
    stalled = send(
        address,
        "POST /api/v1/designs HTTP/1.1\r\nHost: mock.test\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n{",
    )
    in_hand(address, 1)
    took, status, err = stop(cli, signal.SIGTERM)
    assert 0.8 < took < 1 + PROMPT, f"stopping took {took:.1f} s; stderr:\n{err}"
    assert status == 0, err
    assert "cut off POST /api/v1/designs" in err
    assert "Traceback" not in err
    assert read_all(stalled) == b""


def test_an_idle_server_stops_at_once_on_ctrl_c_without_aborted(scenario_dir: Path) -> None:
    cli, _ = serve(scenario_dir)
    took, status, err = stop(cli, signal.SIGINT)
    assert took < PROMPT
    assert (status, err.strip()) == (0, "")
