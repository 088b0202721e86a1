"""Batch generation: a job per request, one PDF per row, bundled in a ZIP.

A job is `queued` for the first tenth of its duration (`--batch-seconds`,
default 3; 0 finishes at once), then `processing` with rows finishing evenly,
then `completed` (or `failed` when every row failed). A row fails when it is
not an object or a value in it does not fit its variable; such rows are
counted in `failed` and left out of the ZIP. A job keeps the design's tree
and the rows as submitted: the ZIP shows what was asked for.

Assumptions where the documentation is silent: an unknown job, and a
download before the job has completed (or of a job with no successful row),
answer 404 PDF_NOT_FOUND; failed rows are charged (the whole cost is taken
when the job is queued, as the docs describe the check); A and B have no
published row maximum, the mock takes at most 1,000 (400 INVALID_INPUT).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from . import authoring, bodies, files, render
from .designs import answer, design_id
from .designs import find as find_design
from .endpoints import API, DESIGN, ApiError, Call, Endpoint, json_body
from .generation import check_values
from .publish import LINK_TTL, image_bytes, link
from .schemas import BatchDownloadUrl, BatchQueued, BatchStatus, BatchUrl
from .workspace import Job, stamp


def find(call: Call) -> Job:
    job = call.workspace.jobs.get(call.params["jobId"])
    if job is None:
        raise ApiError("PDF_NOT_FOUND", f"No batch job {call.params['jobId']!r} in this workspace.")
    return job


def submit(call: Call) -> BatchQueued:
    design = find_design(call, design_id(call))
    body = json_body(call, call.endpoint.body or bodies.BatchBody)
    assert isinstance(body, bodies.BatchBody)
    limit = call.profile.max_batch_rows
    if len(body.rows) > limit:
        raise ApiError("INVALID_INPUT", f"A batch has at most {limit} rows, got {len(body.rows)}.")
    failed = set()
    rows: list[dict[str, Any]] = []
    for index, row in enumerate(body.rows):
        try:
            if not isinstance(row, dict):
                raise ApiError("VALIDATION_ERROR", "a row is a data object")
            check_values(call, design.tree, row, f"rows[{index}]")
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
        tree=design.tree,
        rows=rows,
        failed_rows=frozenset(failed),
        created_at=call.now,
        duration=call.batch_seconds,
        profile=dict(body).get("pdfProfile") or "standard",
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


def download(call: Call) -> BaseModel:
    job = find(call)
    state, completed, _, _ = job.progress(call.now)
    if state in ("queued", "processing"):
        raise ApiError("PDF_NOT_FOUND", f"Job {job.id} is {state}; poll its status until it is completed.")
    if completed == 0:
        raise ApiError("PDF_NOT_FOUND", f"Job {job.id} has no output: every row failed.")
    images, vocabulary = image_bytes(dict(call.workspace.images)), call.profile.vocabulary

    def make() -> bytes:
        return files.zip_of(
            {
                f"{job.design_name}-{index + 1:04d}.pdf": render.pdf(
                    authoring.fill(job.tree, row, vocabulary),
                    title=job.design_name,
                    profile=job.profile,
                    image=images,
                )
                for index, row in enumerate(job.rows)
                if index not in job.failed_rows
            }
        )

    url = link(call, ("zip", job.id), f"{job.id}.zip", "application/zip", make)
    return answer(call, {"url": url, "downloadUrl": url, "expiresIn": LINK_TTL})


_FEATURE = "batchGenerate"
_SUBMIT_ERRORS = (
    "VALIDATION_ERROR", "INVALID_INPUT", "MISSING_REQUIRED_FIELD", "INSUFFICIENT_CREDITS", "DESIGN_NOT_FOUND",
)  # fmt: skip
_SUMMARY = "Queue one PDF per row (1 credit per row)"

SUBMIT_QUERY = Endpoint(
    "batch.create", "POST", f"{API}/batch/generate", _SUMMARY, submit, BatchQueued, status=202,
    query=(DESIGN,), body=bodies.BatchBody, feature=_FEATURE, errors=_SUBMIT_ERRORS,
)  # fmt: skip
SUBMIT_PATH = Endpoint(
    "batch.create", "POST", f"{API}/designs/{{designId}}/batch", _SUMMARY, submit, BatchQueued, status=202,
    body=bodies.BatchBody, feature=_FEATURE, errors=_SUBMIT_ERRORS,
)  # fmt: skip
SUBMIT_WITH_PROFILE = Endpoint(
    "batch.create", "POST", f"{API}/designs/{{designId}}/batch", _SUMMARY, submit, BatchQueued, status=202,
    body=bodies.BatchWithProfile, feature=_FEATURE, errors=_SUBMIT_ERRORS,
)  # fmt: skip
STATUS_QUERY = Endpoint(
    "batch.status", "GET", f"{API}/batch/{{jobId}}/status", "A batch job's progress", status, BatchStatus,
    feature=_FEATURE, errors=("PDF_NOT_FOUND",),
)  # fmt: skip
STATUS_PATH = Endpoint(
    "batch.status", "GET", f"{API}/batches/{{jobId}}", "A batch job's progress", status, BatchStatus,
    feature=_FEATURE, errors=("PDF_NOT_FOUND",),
)  # fmt: skip
DOWNLOAD_QUERY = Endpoint(
    "batch.download", "GET", f"{API}/batch/{{jobId}}/download", "Link to the ZIP of a completed job",
    download, BatchUrl, feature=_FEATURE, errors=("PDF_NOT_FOUND",),
)  # fmt: skip
DOWNLOAD_PATH = Endpoint(
    "batch.download", "GET", f"{API}/batches/{{jobId}}/download", "Link to the ZIP of a completed job",
    download, BatchDownloadUrl, feature=_FEATURE, errors=("PDF_NOT_FOUND",),
)  # fmt: skip
