"""Hot reload over real sockets: a large reload does not stall requests, a replaced folder is watched
again, and a deleted active scenario is reported."""

from __future__ import annotations

import re
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import MockServer, ScenarioError
from mockserver.loader import LoadCache, load
from mockserver.yamlbase import MAX_NODES
from tests.conftest import DEMO_KEY, RunningCli, WriteScenario

KEY = {"X-API-Key": DEMO_KEY}
LARGE = ("--scenario", "large")
MARKER = "  - when: GET /api/v1/tools\n    reply: {{error: {code}}}\n"


def wait_for(condition: Callable[[], Any], seconds: float = 10.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    return None


def code_of(response: httpx.Response) -> str | None:
    body = response.json()
    return body["error"]["code"] if isinstance(body, dict) and "error" in body else None


def bulk(rules: int, code: str) -> str:
    """A scenario with `rules` distinct rules, then one on GET /api/v1/tools answering error `code`."""
    lines = ["description: a large scenario", "rules:"]
    for n in range(rules):
        lines += [
            f"  - when: GET /api/v1/bulk/{n}",
            "    reply:",
            "      status: 200",
            f"      data: {{id: item-{n}, name: 'Bulk item number {n}', tags: [red, green, blue]}}",
        ]
    return "\n".join(lines) + "\n" + MARKER.format(code=code)


VALUES_PER_RULE = 18
"""The YAML values and keys one rule of `bulk` has (MAX_NODES bounds what a file holds)."""


def large_folder(folder: Path) -> tuple[int, float]:
    """Write a scenario big enough that loading it takes at least 1 s here, or as big as a file may be
    (twice as many rules would pass MAX_NODES): its rule count, the time."""
    rules = 300
    while True:
        (folder / "large.yaml").write_text(bulk(rules, "S3_ERROR"), encoding="utf-8")
        began = time.perf_counter()
        load(folder)
        took = time.perf_counter() - began
        if took >= 1.0 or 2 * rules * VALUES_PER_RULE > MAX_NODES:
            return rules, took
        rules *= 2


class Prober:
    """Requests one after another on a keep-alive connection, each one's latency recorded by start time."""

    def __init__(self, url: str) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._thread.start()

    def _run(self, url: str) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while not self._stop.is_set():
                began = time.monotonic()
                client.get("/__mock/health")
                self.samples.append((began, time.monotonic() - began))
                time.sleep(0.01)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)


def test_requests_keep_answering_while_a_large_folder_reloads(scenario_dir: Path) -> None:
    (scenario_dir / "other.yaml").write_text("rules:\n" + MARKER.format(code="INTERNAL_ERROR"))
    rules, parse = large_folder(scenario_dir)
    cli = RunningCli(
        [
            sys.executable,
            "-m",
            "mockserver",
            "--port",
            "0",
            "--quiet",
            "--scenarios",
            str(scenario_dir),
            *LARGE,
        ]
    )
    try:
        url = cli.address(timeout=60)
        with httpx.Client(base_url=url, headers=KEY, timeout=60) as client:
            assert code_of(client.get("/api/v1/tools")) == "S3_ERROR"
            prober = Prober(url)
            time.sleep(0.3)
            changed = time.monotonic()
            (scenario_dir / "large.yaml").write_text(bulk(rules, "DATABASE_ERROR"), encoding="utf-8")
            served = wait_for(lambda: code_of(client.get("/api/v1/tools")) == "DATABASE_ERROR", 60)
            done = time.monotonic()
            time.sleep(0.2)
            prober.stop()
    finally:
        _, err = cli.stop()
    assert served, err
    during = [latency for began, latency in prober.samples if changed <= began <= done]
    assert len(during) >= 3, prober.samples
    # `parse` is what loading this folder takes here: the reload is at least that long.
    assert max(during) < parse / 3, f"a request waited {max(during):.2f} s during a reload of {parse:.2f} s"
    reloads = re.findall(r"reloaded \d+ scenarios from .* \((\d+) files parsed, ([\d.]+) s\)", err)
    assert reloads, err
    parsed, seconds = int(reloads[-1][0]), float(reloads[-1][1])
    assert parsed == 1, "only the changed file is read again"
    assert seconds > parse / 3, f"the reload took {seconds:.2f} s, a full parse {parse:.2f} s"
    assert max(during) < seconds / 3
    assert len(during) >= 5


def scenarios_of(client: httpx.Client) -> dict[str, Any]:
    data: dict[str, Any] = client.get("/__mock/scenarios").json()["data"]
    return data


def test_a_removed_and_recreated_folder_is_watched_again(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario("live", "rules:\n" + MARKER.format(code="S3_ERROR"))
    with (
        MockServer(scenarios=scenario_dir, scenario="live") as mock,
        httpx.Client(base_url=mock.url, headers=KEY) as client,
    ):
        shutil.rmtree(scenario_dir)
        gone = wait_for(lambda: scenarios_of(client)["problems"])
        assert gone == [f"{scenario_dir}:1:1: scenario folder does not exist"]
        assert code_of(client.get("/api/v1/tools")) == "S3_ERROR"  # the last good set keeps serving

        scenario_dir.mkdir()
        write_scenario("live", "rules:\n" + MARKER.format(code="DATABASE_ERROR"))
        write_scenario("fresh", "description: new after the checkout\n")
        assert wait_for(lambda: code_of(client.get("/api/v1/tools")) == "DATABASE_ERROR")
        listing = scenarios_of(client)
        assert listing["problems"] == []
        assert "fresh" in [s["name"] for s in listing["scenarios"]]

        # What `git checkout` does in one step: another directory takes the folder's name.
        replacement = scenario_dir.with_name("incoming")
        replacement.mkdir()
        (replacement / "live.yaml").write_text("rules:\n" + MARKER.format(code="S3_ERROR"))
        shutil.rmtree(scenario_dir)
        replacement.rename(scenario_dir)
        assert wait_for(lambda: code_of(client.get("/api/v1/tools")) == "S3_ERROR")
        assert "fresh" not in [s["name"] for s in scenarios_of(client)["scenarios"]]

        # ... and the new directory is watched in its turn.
        write_scenario("later", "description: saved after the swap\n")
        assert wait_for(lambda: "later" in [s["name"] for s in scenarios_of(client)["scenarios"]])


def test_a_deleted_active_scenario_keeps_serving_and_is_reported(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    path = write_scenario("live", "description: the one in use\nrules:\n" + MARKER.format(code="S3_ERROR"))
    write_scenario("other", "description: stays\n")
    with (
        MockServer(scenarios=scenario_dir, scenario="live") as mock,
        httpx.Client(base_url=mock.url, headers=KEY) as client,
    ):
        path.unlink()
        note = "scenario 'live' was removed from disk; sessions using it keep their copy until they switch"
        assert wait_for(lambda: scenarios_of(client)["problems"] == [note])
        listing = scenarios_of(client)
        (live,) = [s for s in listing["scenarios"] if s["name"] == "live"]
        assert live["removed"] is True
        assert live["active"] is True
        assert live["source"] == str(path)
        assert all(s["removed"] is False for s in listing["scenarios"] if s["name"] != "live")
        assert code_of(client.get("/api/v1/tools")) == "S3_ERROR"  # the session keeps its copy

        again = client.put("/__mock/scenario", json={"name": "live"})
        assert again.status_code == 404
        assert code_of(again) == "NOT_FOUND"
        assert again.json()["error"]["message"] == f"{note}; restore {path} to switch to it again."

        assert client.put("/__mock/scenario", json={"name": "other"}).status_code == 200
        listing = scenarios_of(client)
        assert listing["problems"] == []  # nobody uses it any more
        assert "live" not in [s["name"] for s in listing["scenarios"]]

        write_scenario("live", "rules:\n" + MARKER.format(code="DATABASE_ERROR"))
        assert wait_for(lambda: client.put("/__mock/scenario", json={"name": "live"}).status_code == 200)
        assert code_of(client.get("/api/v1/tools")) == "DATABASE_ERROR"


def test_the_load_cache_reads_again_only_what_changed(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    base = write_scenario("base", "rules:\n" + MARKER.format(code="S3_ERROR"))
    write_scenario("child", "extends: base\n")
    write_scenario("alone", "description: untouched\n")
    cache = LoadCache()
    first = load(scenario_dir, cache)
    assert cache.parsed == len(first)  # built-ins and the three files
    second = load(scenario_dir, cache)
    assert (cache.parsed, cache.recompiled) == (0, 0)
    assert all(second.get(name) is first.get(name) for name in first.scenarios)

    base.write_text("rules:\n" + MARKER.format(code="DATABASE_ERROR"))
    third = load(scenario_dir, cache)
    assert cache.parsed == 1
    assert cache.recompiled == 2  # base, and child which extends it
    assert third.get("alone") is first.get("alone")
    assert third.get("child") is not first.get("child")
    assert [rule.id for rule in third.get("child").rules.rules] == ["base.yaml#1"]

    (scenario_dir / "alone.yaml").unlink()
    assert "alone" not in load(scenario_dir, cache)
    assert cache.parsed == 0


def test_the_load_cache_keeps_little_of_a_document_and_still_words_its_problems(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    """A cached file keeps its `extends`, not its data (that lives on in the validated scenario): a
    problem a later load finds in it is still reported at its line and column."""
    first = write_scenario("first", "description: one\n\nextends: second\n")
    second = write_scenario("second", "rules:\n" + MARKER.format(code="S3_ERROR"))
    cache = LoadCache()
    load(scenario_dir, cache)
    kept = cache._files[str(first)][1].doc
    assert kept is not None
    assert kept.data == {"extends": "second"}

    second.write_text("extends: first\n")  # now a cycle, through the file the cache kept
    with pytest.raises(ScenarioError) as caught:
        load(scenario_dir, cache)
    assert cache.parsed == 1
    assert f"{first}:3:10: extends makes a cycle: first → second → first" in [
        str(problem) for problem in caught.value.problems
    ]
