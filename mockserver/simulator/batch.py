"""Batch generation: a job per request, one PDF per row, bundled in a ZIP.

A job is `queued` for the first tenth of its duration (`--batch-seconds`,
default 3; 0 finishes at once), then `processing` with rows finishing evenly,
then `completed` (or `failed` when every row failed). A row fails when it is
not an object or a variable value in it is malformed; such rows are counted
in `failed` and left out of the ZIP. Assumptions where the documentation is
silent: an unknown job, and a download before the job has completed (or of a
job with no successful row), answer 404 PDF_NOT_FOUND — the job's output
does not exist (yet); a batch has at most MAX_ROWS rows (400 INVALID_INPUT).
"""

from __future__ import annotations

from typing import Any

from . import files
from .designs import find as find_design
from .endpoints import API, DESIGN, ApiError, Call, Endpoint, design_param, json_body
from .generation import fill
from .links import LINK_TTL
from .schemas import BatchBody, BatchDownload, BatchQueued, BatchStatus
from .workspace import Job, stamp

MAX_ROWS = 1000


def find(call: Call) -> Job:
    job = call.workspace.jobs.get(call.params["jobId"])
    if job is None:
        raise ApiError("PDF_NOT_FOUND", f"No batch job {call.params['jobId']!r} in this workspace.")
    return job


def submit(call: Call) -> BatchQueued:
    design = find_design(call, design_param(call))
    body = json_body(call, BatchBody)
    if len(body.rows) > MAX_ROWS:
        raise ApiError("INVALID_INPUT", f"A batch has at most {MAX_ROWS} rows, got {len(body.rows)}.")
    failed = set()
    rows: list[dict[str, Any]] = []
    for index, row in enumerate(body.rows):
        try:
            if not isinstance(row, dict):
                raise ApiError("VALIDATION_ERROR", "a row is a data object")
            fill(call, design, row, f"rows[{index}]")
        except ApiError:
            failed.add(index)
        rows.append(row if isinstance(row, dict) else {})
    if not call.workspace.spend(len(rows)):
        raise ApiError(
            "INSUFFICIENT_CREDITS",
            f"Workspace does not have enough credits: the batch needs {len(rows)}, the balance is "
            f"{call.workspace.credits}.",
        )
    job = Job(
        id=call.workspace.new_id("job"),
        design_id=design.id,
        design_name=design.name,
        rows=rows,
        failed_rows=frozenset(failed),
        created_at=call.now,
        duration=call.batch_seconds,
    )
    call.workspace.jobs[job.id] = job
    return BatchQueued(jobId=job.id, status="queued", total=job.total, designId=design.id)


def status(call: Call) -> BatchStatus:
    job = find(call)
    state, completed, failed, updated = job.progress(call.now)
    return BatchStatus(
        jobId=job.id,
        status=state,
        total=job.total,
        completed=completed,
        failed=failed,
        createdAt=stamp(job.created_at),
        updatedAt=stamp(updated),
    )


def download(call: Call) -> BatchDownload:
    job = find(call)
    state, completed, _, _ = job.progress(call.now)
    if state in ("queued", "processing"):
        raise ApiError("PDF_NOT_FOUND", f"Job {job.id} is {state}; poll its status until it is completed.")
    if completed == 0:
        raise ApiError("PDF_NOT_FOUND", f"Job {job.id} has no output: every row failed.")
    design = find_design(call, job.design_id)
    entries = [
        (f"{job.design_name}-{index + 1:04d}.pdf", fill(call, design, row))
        for index, row in enumerate(job.rows)
        if index not in job.failed_rows
    ]
    title, pages = job.design_name, design.pages
    url = call.links.issue(
        call.base_url,
        style="imaginepdf",
        key=("batch", job.id, tuple((name, tuple(lines)) for name, lines in entries), pages),
        filename=f"{job.id}.zip",
        media_type="application/zip",
        now=call.now,
        render=lambda: files.zip_of({name: files.pdf(title, lines, pages) for name, lines in entries}),
    )
    return BatchDownload(url=url, expiresIn=LINK_TTL)


_FEATURE = "batchGenerate"

ENDPOINTS = [
    Endpoint(
        "POST", f"{API}/batch/generate", "Queue one PDF per row (1 credit per row)", submit, BatchQueued,
        status=202, query=(DESIGN,), body=BatchBody, feature=_FEATURE,
        errors=("VALIDATION_ERROR", "INVALID_INPUT", "MISSING_REQUIRED_FIELD", "INSUFFICIENT_CREDITS",
                "DESIGN_NOT_FOUND"),
    ),
    Endpoint(
        "GET", f"{API}/batch/{{jobId}}/status", "A batch job's progress", status, BatchStatus,
        feature=_FEATURE, errors=("PDF_NOT_FOUND",),
    ),
    Endpoint(
        "GET", f"{API}/batch/{{jobId}}/download", "Link to the ZIP of a completed job", download,
        BatchDownload, feature=_FEATURE, errors=("PDF_NOT_FOUND",),
    ),
]  # fmt: skip
