"""The `mockserver` command: serve (no sub-command), `check`, `codes`, `operations`, `schema`, `sweep`,
`guidance`.

A thin shell over the library: options fill a Settings, library errors
become one-line messages and exit codes (1: scenario problems, 2: usage or
start-up errors; a stop by Ctrl+C or SIGTERM is a clean exit, 0). The
server, the scenario model and the simulator are imported by the commands
that use them: `mockserver --help`, `--version`, `codes` and `guidance` load
none of them (nor pydantic).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import signal
import socket
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from . import sweep
from .collector import loading
from .errors import ScenarioError, ServerStartError
from .guidance import BOUNDS as GUIDANCE_BOUNDS
from .guidance import HELP as GUIDANCE_HELP
from .guidance import RULES as GUIDANCE_RULES
from .guidance import Thresholds, thresholds_from
from .settings import API_REVISIONS, DEFAULT_MAX_SESSIONS, DEFAULT_PORT, DEFAULT_REVISION, Settings
from .simulator.operations import OPERATIONS
from .sweep import limits as sweep_limits
from .version import __version__

if TYPE_CHECKING:
    import uvicorn

    from .app import MockApp

USER_FOLDER = Path("scenarios")


def _user_folder(given: Path | None) -> Path | None:
    """The folder given, else ./scenarios when it exists, else none (built-ins only)."""
    if given is not None:
        return given
    return USER_FOLDER if USER_FOLDER.is_dir() else None


def _report(error: ScenarioError) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    files = len({p.file for p in error.problems})
    count = len(error.problems)
    click.echo(f"{count} problem{'s' * (count != 1)} in {files} file{'s' * (files != 1)}", err=True)


def _guidance_option(ctx: click.Context, param: click.Parameter, given: tuple[str, ...]) -> dict[str, float]:
    """`--guidance KEY=VALUE` (repeatable) as a mapping of thresholds, each checked against its bounds."""
    chosen: dict[str, float] = {}
    for item in given:
        name, equals, text = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise click.BadParameter(
                f"{item!r}: write KEY=VALUE, e.g. min_delay=0.5 (see `mockserver guidance`)"
            )
        try:
            value = float(text)
        except ValueError:
            raise click.BadParameter(f"{item!r}: {text.strip()!r} is not a number") from None
        chosen[name] = (
            int(value) if value.is_integer() and isinstance(getattr(Thresholds(), name, 0.0), int) else value
        )
        try:
            thresholds_from(chosen)
        except ValueError as exc:
            raise click.BadParameter(f"{item!r}: {exc}") from None
    return chosen


_scenarios_option = click.option(
    "--scenarios",
    "scenarios_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of scenario files laid over the built-ins [default: ./scenarios when it exists].",
)
"""The user scenario folder, as the server and the sweep take it."""


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free one).",
)
@_scenarios_option
@click.option("--scenario", default="default", show_default=True, help="Scenario active at start.")
@click.option(
    "--api-revision",
    type=click.Choice(API_REVISIONS),
    default=DEFAULT_REVISION,
    show_default=True,
    help="The docs revision to simulate (a scenario's api_revision wins).",
)
@click.option("--seed", type=int, help="Seed for `chance` rules, so a run can be replayed.")
@click.option("--quiet", is_flag=True, help="No console line per request.")
@click.option(
    "--journal-size",
    default=1000,
    show_default=True,
    type=click.IntRange(0, 1_000_000),
    help="Requests kept in each session's journal (0: no journal).",
)
@click.option(
    "--max-sessions",
    default=DEFAULT_MAX_SESSIONS,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Sessions kept at once; beyond it the least recently used idle session is evicted.",
)
@click.option("--admin-token", help="Require this token for /__mock/ (X-Mock-Admin-Token or ?__mock_token=).")
@click.option("--no-admin", is_flag=True, help="No admin API and no control page at all.")
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="Origin allowed to read responses (repeatable; '*' for any) [default: any loopback origin].",
)
@click.option(
    "--hang-seconds",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0, 600),
    help="How long a `hang` fault holds a connection before resetting it.",
)
@click.option(
    "--shutdown-seconds",
    default=3.0,
    show_default=True,
    type=click.FloatRange(0, 600),
    help="On Ctrl+C or SIGTERM, how long running requests may take before they are cut off"
    " (pending hangs and delays end at once).",
)
@click.option(
    "--reload/--no-reload",
    default=True,
    show_default=True,
    help="Reload the scenario folder when its files change.",
)
@click.option(
    "--batch-seconds",
    default=3.0,
    show_default=True,
    type=click.FloatRange(0, 3600),
    help="How long a batch job takes to complete (0: at once).",
)
@click.option(
    "--guidance",
    "guidance",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_guidance_option,
    help="Set a threshold of the guidance checks for every session (repeatable; wins over a scenario's"
    f" guidance: key): {', '.join(GUIDANCE_HELP)}. `mockserver guidance` lists them with their defaults.",
)
@click.version_option(__version__, prog_name="mockserver")
@click.pass_context
def main(
    ctx: click.Context,
    host: str,
    port: int,
    scenarios_dir: Path | None,
    scenario: str,
    api_revision: str,
    seed: int | None,
    batch_seconds: float,
    quiet: bool,
    journal_size: int,
    max_sessions: int,
    admin_token: str | None,
    no_admin: bool,
    cors_origins: tuple[str, ...],
    hang_seconds: float,
    shutdown_seconds: float,
    reload: bool,
    guidance: dict[str, float],
) -> None:
    """An offline simulator of the ImaginePDF REST API.

    Without a sub-command, serves the API on HOST:PORT.
    """
    if ctx.invoked_subcommand is not None:
        return
    with loading():  # the server's modules: imported when the command serves
        from . import uvicorn_server
        from .app import MockApp

    settings = Settings(
        host=host,
        port=port,
        scenarios=_user_folder(scenarios_dir),
        scenario=scenario,
        api_revision=api_revision,
        seed=seed,
        batch_seconds=batch_seconds,
        reload=reload,
        hang_seconds=hang_seconds,
        shutdown_seconds=shutdown_seconds,
        cors_origins=cors_origins,
        admin=not no_admin,
        journal_limit=journal_size,
        max_sessions=max_sessions,
        admin_token=admin_token,
        log_requests=not quiet,
        guidance=guidance,
    )
    try:
        app = MockApp(settings)
    except ScenarioError as exc:
        _report(exc)
        ctx.exit(1)
    except ServerStartError as exc:
        click.echo(f"Error: {exc}", err=True)
        ctx.exit(2)
    try:
        sock = _bind(host, port)
    except ServerStartError as exc:
        click.echo(f"Error: {exc}", err=True)
        ctx.exit(2)
    server = uvicorn_server.server(app)
    _stop_on_signals(server)  # before the banner: a client that reads it may signal at once
    _banner(app, sock)
    if not _loopback(host) and not no_admin and admin_token is None:
        click.echo(
            f"Warning: listening on {host}, beyond this machine, and the admin API and control page are open"
            " to anyone who can reach it. Pass --admin-token TOKEN, or --no-admin.",
            err=True,
        )
    _console_log()
    server.run(sockets=[sock])
    if not server.started:
        click.echo("Error: the server did not start; see the log above", err=True)
        ctx.exit(2)


def _stop_on_signals(server: uvicorn.Server) -> None:
    """Ctrl+C and SIGTERM stop the server cleanly: exit status 0, and no "Aborted!".

    uvicorn catches both while it serves and, once stopped, raises the caught signal again for the
    handler that was in place before it started: by default that is a KeyboardInterrupt (which click
    reports as "Aborted!" with status 1) or death by SIGTERM. These handlers are the ones it finds,
    so the signal ends here (and one that comes before uvicorn listens still stops it).
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        server.should_exit = True

    for caught in (signal.SIGINT, signal.SIGTERM):
        signal.signal(caught, stop)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _console_log() -> None:
    """Request lines and reload problems from the `mockserver` logger, as plain lines on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    log = logging.getLogger("mockserver")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise ServerStartError(
                f"port {port} on {host} is already in use; stop the other server or pass --port"
            ) from None
        raise ServerStartError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _banner(app: MockApp, sock: socket.socket) -> None:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    scenarios = app.scenarios
    user = sum(not s.builtin for s in scenarios.scenarios.values())
    folder = app.settings.scenarios
    origin = f", {user} from {folder}" if folder is not None else ""
    session = app.sessions.get()
    active, revision = session.scenario, session.revision
    lines = [
        f"mockserver {__version__} — ImaginePDF API simulator",
        f"  API        {url}/api/v1",
        f"  Revision   {revision.name} ({revision.label}; --api-revision to change)",
        f"  Scenario   {active.name} ({len(scenarios)} loaded{origin})",
        *_admin_lines(app, url),
        "",
        "Point your client at it:",
        f"  export IMAGINEPDF_API_URL={url}",
        *_credentials(app),
        "",
        "Press Ctrl+C to stop.",
    ]
    click.echo("\n".join(lines))
    sys.stdout.flush()


def _admin_lines(app: MockApp, url: str) -> list[str]:
    if not app.settings.admin:
        return ["  Admin      off (--no-admin)"]
    token = app.settings.admin_token
    query = f"?__mock_token={token}" if token else ""
    return [
        f"  Control    {url}/__mock/{query}",
        f"  Admin API  {url}/__mock/   OpenAPI {url}/__mock/openapi.json"
        + ("  (token required)" if token else ""),
    ]


def _credentials(app: MockApp) -> list[str]:
    """The workspace's keys and tokens, valid ones first, ready to paste."""
    session = app.sessions.get()
    workspace, now = session.workspace, session.clock.now()
    keys = sorted(workspace.api_keys.values(), key=lambda k: k.expires is not None and k.expires <= now)
    tokens = sorted(workspace.tokens.values(), key=lambda t: t.expires is not None and t.expires <= now)
    lines = [f"  export IMAGINEPDF_API_KEY={keys[0].key}"] if keys else []
    plan = workspace.use_api_keys, workspace.batch_generate
    lines += [
        "",
        f"Workspace: {workspace.credits} credits; useApiKeys={plan[0]}, batchGenerate={plan[1]};"
        f" designs: {', '.join(workspace.designs) or 'none'}",
    ]
    for label, value, expires in [
        *(("API key", k.key, k.expires) for k in keys),
        *(("Bearer token", t.token, t.expires) for t in tokens),
    ]:
        state = (
            "" if expires is None else (" (expired)" if expires <= now else f" (expires {expires:%Y-%m-%d})")
        )
        lines.append(f"  {label:<13} {value}{state}")
    lines += ["", "Try:", '  curl -H "X-API-Key: $IMAGINEPDF_API_KEY" $IMAGINEPDF_API_URL/api/v1/designs']
    return lines


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def check(folder: Path | None) -> None:
    """Validate scenario files (FOLDER, default ./scenarios) over the built-ins."""
    from . import loader

    target = _user_folder(folder)
    try:
        scenarios = loader.load(target)
    except ScenarioError as exc:
        _report(exc)
        sys.exit(1)
    user = sum(not s.builtin for s in scenarios.scenarios.values())
    where = f" ({user} in {target}, {len(scenarios) - user} built-in)" if target else " (built-in)"
    click.echo(f"OK: {len(scenarios)} scenarios{where}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def codes(as_json: bool) -> None:
    """Print the documented error catalog."""
    from . import catalog

    entries = list(catalog.CODES.values())
    if as_json:
        rows = [{"status": e.status, "code": e.code, "message": e.message, "when": e.when} for e in entries]
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(e.code) for e in entries)
    click.echo(f"HTTP  {'CODE'.ljust(width)}  WHEN")
    for e in entries:
        click.echo(f"{e.status}   {e.code.ljust(width)}  {e.when}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def operations(as_json: bool) -> None:
    """Print the operation names rules can use, and their route in each revision."""
    from .simulator.revisions import REVISIONS

    table = {
        name: {
            "description": text,
            "routes": {
                revision.name: (f"{e.method} {e.path}" if (e := revision.operations.get(name)) else None)
                for revision in REVISIONS.values()
            },
        }
        for name, text in OPERATIONS.items()
    }
    if as_json:
        click.echo(json.dumps(table, indent=2))
        return
    for name, entry in table.items():
        click.echo(f"{name}  — {entry['description']}")
        routes = entry["routes"]
        assert isinstance(routes, dict)
        for revision_name, route in routes.items():
            shown = route or ("any storage link" if name == "files.get" else "(not in this revision)")
            click.echo(f"    {revision_name:<3} {shown}")


@main.command(name="guidance")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def guidance_listing(as_json: bool) -> None:
    """List what the guidance checks find, and their thresholds (set with --guidance KEY=VALUE)."""
    defaults = Thresholds().to_json()
    thresholds: dict[str, Any] = {
        name: {"default": defaults[name], "min": low, "max": high, "help": GUIDANCE_HELP[name]}
        for name, (low, high) in GUIDANCE_BOUNDS.items()
    }
    findings = {kind: {"rule": rule, "fix": fix} for kind, (rule, fix) in GUIDANCE_RULES.items()}
    if as_json:
        click.echo(json.dumps({"findings": findings, "thresholds": thresholds}, indent=2))
        return
    click.echo("Findings:")
    for kind, text in findings.items():
        click.echo(f"  {kind}\n      {text['rule']}\n      fix: {text['fix']}")
    click.echo("\nThresholds (mockserver --guidance KEY=VALUE, or a scenario's guidance: key):")
    for name, entry in thresholds.items():
        click.echo(
            f"  {name} = {entry['default']:g}  ({entry['min']:g} to {entry['max']:g})\n      {entry['help']}"
        )


@main.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from . import model

    click.echo(json.dumps(model.json_schema(), indent=2))


@main.command("sweep", context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@_scenarios_option
@click.option("--scenario", default="default", show_default=True, help="Scenario every run starts from.")
@click.option(
    "--api-revision",
    type=click.Choice(API_REVISIONS),
    help="The docs revision to simulate [default: the scenario's, else the newest].",
)
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(sweep_limits.MIN_TIMEOUT, sweep_limits.MAX_TIMEOUT),
    help="Seconds one run may take; then its process group is killed and the cell is 'timeout'.",
)
@click.option(
    "--jobs",
    default=2,
    show_default=True,
    type=click.IntRange(1, sweep_limits.MAX_JOBS),
    help="Runs at once (each with a mock server of its own).",
)
@click.option(
    "--only",
    multiple=True,
    metavar="NAMES",
    help="Sweep only these operations and/or injections (comma-separated or repeated; groups: 4xx, 5xx,"
    " gateway, network). Unknown names are refused with the list.",
)
@click.option("--skip", multiple=True, metavar="NAMES", help="Leave out these operations and/or injections.")
@click.option(
    "--times",
    default=1,
    show_default=True,
    type=click.IntRange(1, sweep_limits.MAX_TIMES),
    help="How many calls of the operation, from the first, the failure answers.",
)
@click.option(
    "--hang-seconds",
    type=click.FloatRange(0, sweep_limits.MAX_TIMEOUT, min_open=True),
    help="How long the `hang` injection holds a connection before resetting it; shorter than --timeout"
    " [default: 5, or a third of a shorter --timeout].",
)
@click.option(
    "--batch-seconds",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 3600),
    help="How long a batch job takes to complete.",
)
@click.option("--seed", type=int, help="Seed for `chance` rules of the scenario.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON report."
)
@click.option(
    "--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the HTML report."
)
@click.option(
    "--fail-on",
    "fail_on",
    multiple=True,
    metavar="STATES",
    help="Cell states that make the exit status 1: comma-separated of failed, guidance, timeout, stopped;"
    " or none [default: failed,guidance,timeout].",
)
@click.option(
    "--guidance",
    "guidance",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_guidance_option,
    help="Set a threshold of the guidance checks for every run, as `mockserver --guidance` does.",
)
@click.option("--quiet", is_flag=True, help="No line per finished run while sweeping.")
def sweep_command(
    command: tuple[str, ...],
    scenarios_dir: Path | None,
    scenario: str,
    api_revision: str | None,
    timeout: float,
    jobs: int,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    times: int,
    hang_seconds: float | None,
    batch_seconds: float,
    seed: int | None,
    json_path: Path | None,
    html_path: Path | None,
    fail_on: tuple[str, ...],
    guidance: dict[str, float],
    quiet: bool,
) -> None:
    """Run COMMAND (after `--`) against a fresh mock: once clean, then once per operation and failure.

    The baseline run learns the operations COMMAND calls; each documented error the operation can
    answer, the 5xx family, the gateway pages and the network faults are then injected on its first
    call, one run each. COMMAND gets IMAGINEPDF_API_URL and IMAGINEPDF_API_KEY. Prints the matrix;
    exit status 1 when a cell is in --fail-on, 2 when the baseline run fails or on a usage error.
    """
    try:
        selection = sweep.Selection.parse(only, skip)
        states = sweep.parse_fail_on(fail_on) if fail_on else sweep.DEFAULT_FAIL_ON
        options = sweep.SweepOptions(
            command=command, scenario=scenario, api_revision=api_revision,
            scenarios=_user_folder(scenarios_dir), timeout=timeout, jobs=jobs, times=times,
            hang_seconds=hang_seconds, batch_seconds=batch_seconds, seed=seed, selection=selection,
            guidance=guidance,
        )  # fmt: skip
        sweeper = sweep.Sweeper(options, None if quiet else _progress)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        report = sweeper.sweep()
    except ScenarioError as exc:
        _report(exc)
        sys.exit(2)
    except ServerStartError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"Error: cannot run {command[0]!r}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sweeper.cancel()
        click.echo("Interrupted: the running commands were killed.", err=True)
        sys.exit(130)
    if json_path is not None:
        report.write_json(json_path, states)
    if html_path is not None:
        sweep.html.write(report, html_path)
    _show(report, states)
    sys.exit(report.exit_status(states))


def _progress(run: sweep.Run, done: int, total: int) -> None:
    counter = "baseline" if total == 0 else f"[{done}/{total}]"
    click.echo(f"{counter} {run.title}: {run.state} ({run.seconds:.1f} s)", err=True)


def _show(report: sweep.SweepReport, states: frozenset[str]) -> None:
    for note in report.notes:
        click.echo(f"Note: {note}", err=True)
    if report.aborted:
        click.echo(f"The baseline run's output (the end):\n{report.baseline.output}", err=True)
        return
    click.echo(sweep.report.matrix(report, color=sys.stdout.isatty()))
    click.echo("")
    click.echo(sweep.report.summary(report))
    for line in sweep.report.problems(report):
        click.echo(f"  {line}")
    shown = ",".join(sorted(states)) or "none"
    click.echo(f"exit status {report.exit_status(states)} (--fail-on {shown})")
