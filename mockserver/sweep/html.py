"""The sweep's HTML report: one self-contained page (inline CSS and JS, nothing fetched).

The matrix is a grid of buttons, coloured by state; each opens a dialog with the run's exit status,
the requests the mock saw, the guidance findings and the tail of the command's output. Everything is
rendered here in Python; the inline script only opens and closes the dialogs. Every value from the run
is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path

from .report import LABELS, SEVERITY, STATES, Run, SweepReport, summary

STYLE = """
:root { --passed:#1a7f37; --stopped:#4c9a5f; --failed:#cf222e; --guidance:#8250df; --timeout:#bf8700;
  --none:#eaeef2; --ink:#1f2328; --muted:#57606a; font-family: system-ui, sans-serif; color: var(--ink); }
body { margin: 1.5rem; max-width: 80rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
.meta { color: var(--muted); margin: 0 0 1rem; font-size: .9rem; }
.meta code { color: var(--ink); }
.legend { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; margin: 0 0 1rem; padding: 0; list-style: none;
  font-size: .9rem; }
.legend li { display: flex; align-items: center; gap: .4rem; }
.swatch { width: 1rem; height: 1rem; border-radius: 3px; display: inline-block; }
table.grid { border-collapse: separate; border-spacing: 3px; }
.grid th { font-weight: 600; font-size: .85rem; text-align: left; padding: 0 .5rem 0 0; white-space: nowrap; }
.grid thead th { text-align: center; padding: 0 .25rem .25rem; }
.grid td { padding: 0; }
.grid .cell { width: 100%; }
.cell { min-width: 7rem; border: 0; border-radius: 4px; padding: .45rem .5rem; color: #fff;
  font: 600 .8rem system-ui, sans-serif; cursor: pointer; }
.cell:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
.na { display: block; text-align: center; color: var(--muted); background: var(--none); border-radius: 4px;
  padding: .45rem .5rem; font-size: .8rem; }
.passed { background: var(--passed); } .stopped { background: var(--stopped); }
.failed { background: var(--failed); } .guidance { background: var(--guidance); }
.timeout { background: var(--timeout); }
.notes { background: #fff8c5; padding: .5rem .75rem; border-radius: 4px; }
dialog { max-width: 70rem; width: calc(100% - 3rem); border: 1px solid #d0d7de; border-radius: 8px;
  padding: 1rem 1.25rem; }
dialog::backdrop { background: rgba(31, 35, 40, .45); }
dialog h2 { font-size: 1.1rem; margin: 0 0 .5rem; display: flex; gap: .75rem; align-items: center; }
.badge { color: #fff; border-radius: 4px; padding: .1rem .5rem; font-size: .8rem; }
dialog h3 { font-size: .95rem; margin: 1rem 0 .35rem; }
dialog table { border-collapse: collapse; font-size: .82rem; width: 100%; table-layout: fixed; }
dialog col.n { width: 3rem; } dialog col.t { width: 7.5rem; } dialog col.m { width: 4.5rem; }
dialog col.o { width: 8rem; } dialog col.a { width: 13rem; } dialog col.b { width: 10rem; }
dialog td { overflow-wrap: anywhere; }
dialog td.path { font-family: ui-monospace, monospace; font-size: .78rem; }
dialog td, dialog th { border-bottom: 1px solid #d0d7de; padding: .25rem .4rem; text-align: left;
  vertical-align: top; }
tr.injected td { background: #fff1e5; }
pre { background: #f6f8fa; padding: .5rem; overflow: auto; max-height: 20rem; font-size: .8rem; }
.finding { border-left: 4px solid var(--guidance); padding: .25rem .75rem; margin: .5rem 0; }
.finding p { margin: .2rem 0; }
.close { float: right; }
.cell:hover { filter: brightness(1.15); }
"""

SCRIPT = """
document.querySelectorAll('button.cell').forEach(function (button) {
  button.addEventListener('click', function () {
    var dialog = document.getElementById(button.getAttribute('aria-controls'));
    dialog.showModal();
    dialog.querySelector('.close').focus();
  });
});
document.querySelectorAll('dialog').forEach(function (dialog) {
  dialog.querySelector('.close').addEventListener('click', function () { dialog.close(); });
  dialog.addEventListener('close', function () {
    var opener = document.querySelector('[aria-controls="' + dialog.id + '"]');
    if (opener) { opener.focus(); }
  });
  dialog.addEventListener('click', function (event) { if (event.target === dialog) { dialog.close(); } });
});
document.documentElement.classList.add('js');
"""
"""Dialogs open with their button (Enter or Space), close with Escape, the Close button or a click
outside, and give the focus back to the cell that opened them."""


def render(report: SweepReport) -> str:
    """The whole page."""
    runs = report.runs()
    ids = {id(run): f"run-{index}" for index, run in enumerate(runs)}
    command = " ".join(report.command)
    settings = report.settings
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>mockserver sweep: {escape(command[:80])}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>mockserver sweep</h1>",
        f'<p class="meta">Command <code>{escape(command)}</code> · scenario'
        f" <code>{escape(str(settings.get('scenario')))}</code> · revision"
        f" <code>{escape(str(settings.get('apiRevision')))}</code> · time limit {settings.get('timeout')} s ·"
        f" {escape(summary(report))}</p>",
        _legend(),
    ]
    if report.notes:
        parts.append('<div class="notes">' + "".join(f"<p>{escape(n)}</p>" for n in report.notes) + "</div>")
    parts.append(_grid(report, ids))
    parts.append("<p>" + _button(report.baseline, ids, "Baseline run (nothing injected)") + "</p>")
    parts.extend(_dialog(run, ids[id(run)], report) for run in runs)
    parts.append(f"<script>{SCRIPT}</script></body></html>")
    return "\n".join(parts)


def write(report: SweepReport, path: Path) -> None:
    path.write_text(render(report), "utf-8")


def _legend() -> str:
    items = "".join(
        f'<li><span class="swatch {state}"></span><b>{LABELS[state].lower()}</b>'
        f' <span title="{escape(STATES[state])}">{escape(STATES[state])}</span></li>'
        for state in SEVERITY
    )
    return f'<ul class="legend" aria-label="Cell states">{items}</ul>'


def _grid(report: SweepReport, ids: dict[int, str]) -> str:
    if not report.operations:
        return '<p id="matrix">Nothing was swept.</p>'
    head = "".join(f'<th scope="col">{escape(op)}</th>' for op in report.operations)
    rows = []
    for injection in report.rows():
        cells = []
        for operation in report.operations:
            run = report.cell(operation, injection.name)
            if run is None:
                cells.append(
                    f'<td><span class="na" title="{escape(operation)} does not get this">·</span></td>'
                )
            else:
                cells.append(f"<td>{_button(run, ids, LABELS[run.state].lower())}</td>")
        title = escape(injection.description)
        rows.append(f'<tr><th scope="row" title="{title}">{escape(injection.name)}</th>{"".join(cells)}</tr>')
    return (
        '<table class="grid" id="matrix" aria-label="Runs by injection (rows) and operation (columns)">'
        f'<thead><tr><th scope="col">injection</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _button(run: Run, ids: dict[int, str], text: str) -> str:
    label = f"{run.title}: {LABELS[run.state].lower()}"
    return (
        f'<button type="button" class="cell {run.state}" aria-haspopup="dialog"'
        f' aria-controls="{ids[id(run)]}"'
        f' aria-label="{escape(label)}" data-state="{run.state}">{escape(text)}</button>'
    )


def _dialog(run: Run, dialog_id: str, report: SweepReport) -> str:
    exit_text = "killed at the time limit" if run.timed_out else f"exit status {run.exit_status}"
    injected = ""
    if run.injection is not None:
        injected = (
            f"<p>Injected: <b>{escape(run.injection.name)}</b> ({escape(run.injection.description)}) on the"
            f" first {report.settings.get('times', 1)} call(s) of <b>{escape(str(run.operation))}</b>;"
            f" it answered {run.injected} request(s).</p>"
        )
    return "".join(
        [
            f'<dialog id="{dialog_id}" aria-labelledby="{dialog_id}-title">',
            '<button type="button" class="close">Close</button>',
            f'<h2 id="{dialog_id}-title">{escape(run.title)}'
            f' <span class="badge {run.state}">{LABELS[run.state].lower()}</span></h2>',
            f"<p>{escape(STATES[run.state].capitalize())}. The command ended with {exit_text}"
            f" after {run.seconds:.2f} s.</p>",
            injected,
            _findings(run),
            _requests(run),
            "<h3>Output (the end)</h3>",
            f"<pre>{'[earlier output left out]' + chr(10) if run.output_cut else ''}"
            f"{escape(run.output) or '(no output)'}</pre>",
            "</dialog>",
        ]
    )


def _findings(run: Run) -> str:
    if not run.findings:
        return "<h3>Guidance findings</h3><p>None.</p>"
    items = []
    for finding in run.findings:
        refs = "".join(f"<li><code>{escape(str(ref))}</code></li>" for ref in finding.requests)
        items.append(
            f'<div class="finding"><p><b>[{escape(finding.id)}]</b> {escape(finding.request)}:'
            f" {escape(finding.detail)}</p><p>Guidance: {escape(finding.rule)}</p>"
            f"<ul>{refs}</ul><p>Fix: {escape(finding.fix)}</p></div>"
        )
    return f"<h3>Guidance findings ({len(run.findings)})</h3>" + "".join(items)


_INJECTED = ' class="injected"'
_COLUMNS = (
    '<colgroup><col class="n"><col class="t"><col class="m"><col><col class="o"><col class="a">'
    '<col class="b"></colgroup>'
)


PATH_SHOWN = 100
"""Characters of a request's path and query shown (a presigned link's query is long); all in its title."""


def _short(path: str) -> str:
    return path if len(path) <= PATH_SHOWN else path[:PATH_SHOWN] + "\u2026"


def _requests(run: Run) -> str:
    rows: Iterable[str] = (
        f"<tr{_INJECTED if seen.injected else ''}><td>{seen.id}</td>"
        f'<td title="{escape(seen.time)}">{escape(seen.time[11:23])}</td><td>{escape(seen.method)}</td>'
        f'<td class="path" title="{escape(seen.path)}">{escape(_short(seen.path))}</td>'
        f"<td>{escape(seen.operation or '')}</td><td>{escape(seen.outcome)}</td>"
        f"<td>{escape(seen.answered_by)}{' (injected)' if seen.injected else ''}</td></tr>"
        for seen in run.requests
    )
    body = "".join(rows) or '<tr><td colspan="7">The mock saw no request.</td></tr>'
    return (
        f"<h3>Requests the mock saw ({len(run.requests)})</h3><table>{_COLUMNS}"
        "<thead><tr><th>#</th><th>time</th><th>method</th><th>path</th><th>operation</th><th>answer</th>"
        "<th>answered by</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
