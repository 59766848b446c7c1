"""Import jobs: an ``ImportJob`` row for the people who follow it, run by a task
(``ledger.tasks.run_import``) that ``salescope worker`` picks up (``core.tasks``).

Queuing a job writes its row and its task in one transaction. The import itself is one
transaction: if the worker dies mid-import nothing of that run is stored, the task goes back to
the queue once the worker is gone, and the next worker runs the job again from the start (at
most ``MAX_ATTEMPTS`` runs in all) — re-running an import gives the same final state.
"""

import csv
import hashlib
import logging
import re
import secrets
import uuid
from collections.abc import Collection
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.errors import DomainError, NotFound, ValidationFailed
from salescope.core.importing import common
from salescope.core.importing.headers import normalize_header
from salescope.core.importing.readers import read_table
from salescope.core.tasks import ImportJobs, ImportKindEntry, import_kind
from salescope.ledger.choices import ImportKind, JobStatus
from salescope.ledger.importing import masterdata
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import ImportJob, ImportUpload, RememberedMapping
from salescope.ledger.permissions import IMPORT_RUN
from salescope.org.permissions import require

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
KEEP_ERRORS = 1000  # errors kept in the job row; all of them go to the downloadable report


def import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


UPLOAD_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm"}
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def store_upload(*, actor: Any, name: str, chunks: Any, kind: str = "") -> ImportUpload:
    """Keep an uploaded file under ``var/imports`` and bind it to ``actor``: the answer's
    ``token`` is the only way any later step (preview, queue, worker) reaches the file. A
    ``kind`` another app registered (``core.tasks.register_import_kind``) needs that kind's
    permissions instead of the ledger's."""
    _require(actor, kind)
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ValidationFailed(fields={"file": [_("Use a CSV or XLSX file.")]})
    target = import_dir() / f"upload-{uuid.uuid4().hex}{suffix}"
    with target.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return ImportUpload.objects.create(
        token=secrets.token_urlsafe(24),
        owner=actor,
        filename=Path(name).name[:255] or "upload",
        stored_path=str(target),
    )


def upload_for(*, actor: Any, token: Any) -> ImportUpload:
    """The upload ``token`` names, if ``actor`` uploaded it and it is still waiting for its job;
    anything else (another person's token, a file name, ``..``, a used token) is not found."""
    raw = str(token or "")
    if not _TOKEN.match(raw):
        raise NotFound()
    # visibility: an upload is its uploader's alone, whatever the viewer's role sees.
    upload = (
        ImportUpload.objects.unrestricted().filter(token=raw, owner=actor, job__isnull=True).first()
    )
    if upload is None:
        raise NotFound()
    path = Path(upload.stored_path)
    if path.parent.resolve() != import_dir().resolve() or not path.is_file():
        raise NotFound()
    return upload


def header_set_key(kind: str, headers: list[str]) -> str:
    """The same for the same headers in any order (compared folded, like the guess)."""
    folded = sorted({normalize_header(h) for h in headers if str(h or "").strip()})
    return hashlib.sha256("\x1f".join([kind, *folded]).encode()).hexdigest()


def remembered_mapping(*, kind: str, headers: list[str]) -> dict[str, str] | None:
    """The mapping confirmed last for these headers, limited to them; None if none was."""
    # visibility: a mapping of header names is shared by every importer (everyone may view).
    found = (
        RememberedMapping.objects.unrestricted()
        .filter(kind=kind, header_set=header_set_key(kind, headers))
        .first()
    )
    if found is None:
        return None
    return {s: f for s, f in found.mapping.items() if s in headers}


def _remember(actor: Any, kind: str, headers: list[str], mapping: dict[str, str]) -> None:
    RememberedMapping.objects.unrestricted().update_or_create(
        kind=kind,
        header_set=header_set_key(kind, headers),
        defaults={"headers": list(headers), "mapping": dict(mapping), "confirmed_by": actor},
    )


def _require(actor: Any, kind: str) -> None:
    entry = import_kind(kind)
    for code in entry.permissions if entry is not None else (IMPORT_RUN.code,):
        require(actor, code)


def _known(kind: str) -> bool:
    return kind == ImportKind.SALES_LINES or kind in masterdata.IMPORTS or bool(import_kind(kind))


def registered(job: ImportJob) -> ImportKindEntry | None:
    """The entry of a job whose kind another app registered (None for the ledger's own)."""
    return import_kind(job.kind)


@transaction.atomic
def enqueue_import(
    *,
    actor: Any,
    kind: str,
    upload: ImportUpload,
    options: dict,
    filename: str = "",
    headers: list[str] | None = None,
) -> ImportJob:
    """Queue the import of ``upload`` (``actor``'s own, not yet queued) as one job. With the
    file's ``headers`` and the page's complete mapping, the mapping is remembered for the next
    file with the same headers."""
    from salescope.core.tasks import enqueue
    from salescope.ledger.tasks import run_import

    if not _known(kind):
        raise ValidationFailed(fields={"kind": [_("This import kind is not available yet.")]})
    _require(actor, kind)
    # The row is locked and checked again, so one upload makes at most one job.
    claimed = (
        ImportUpload.objects.unrestricted()
        .select_for_update()
        .filter(pk=upload.pk, owner=actor, job__isnull=True)
        .first()
    )
    if claimed is None:
        raise NotFound()
    filename = filename or claimed.filename
    job = ImportJob.objects.create(
        kind=kind,
        filename=filename,
        stored_path=claimed.stored_path,
        options=options,
        created_by=actor,
    )
    claimed.job = job
    claimed.save(update_fields=["job"])
    if headers is not None and options.get("complete_mapping"):
        _remember(actor, kind, headers, options.get("mapping") or {})
    audit.record(
        actor=actor,
        action="ledger.import_job.queued",
        obj=job,
        changes={"file": filename, "kind": kind},
    )
    enqueue(run_import, job.pk)
    return job


def options_from(data: dict) -> ImportOptions:
    return ImportOptions(
        mapping=dict(data.get("mapping") or {}),
        create_missing=bool(data.get("create_missing")),
        dry_run=bool(data.get("dry_run")),
        date_format=str(data.get("date_format") or "auto"),
        complete_mapping=bool(data.get("complete_mapping")),
    )


def framework_options(data: dict) -> common.ImportOptions:
    """The options of a job of a registered kind (``core.importing.common``)."""
    return common.ImportOptions(
        mapping=dict(data.get("mapping") or {}),
        dry_run=bool(data.get("dry_run")),
        date_format=str(data.get("date_format") or "auto"),
        complete_mapping=bool(data.get("complete_mapping")),
    )


def result_of(job: ImportJob) -> common.ImportResult:
    """A finished job's stored result as the framework's ``ImportResult`` (what the import
    pages render): its extra keys (e.g. ``incomplete``) go back under ``extra``."""
    data = dict(job.result or {})
    known = {name: data.pop(name) for name in _RESULT_FIELDS if name in data}
    return common.ImportResult(**known, extra=data)


_RESULT_FIELDS = (
    "kind",
    "accepted",
    "rejected",
    "created",
    "updated",
    "unchanged",
    "rounded",
    "errors",
    "findings",
    "dry_run",
    "encoding",
    "mapping",
)


def claim(job_id: int) -> ImportJob | None:
    """Mark job ``job_id`` running for this run of its task, or None when there is nothing to
    run: the job is gone or finished, or (marked failed here) its runs were cut short too often.
    A job found running was being run by a worker that died (the task runs once at a time)."""
    job = ImportJob.objects.unrestricted().filter(pk=job_id).first()
    if job is None or job.status not in {JobStatus.PENDING, JobStatus.RUNNING}:
        return None
    if job.attempts >= MAX_ATTEMPTS:
        ImportJob.objects.unrestricted().filter(pk=job.pk, attempts=job.attempts).update(
            status=JobStatus.FAILED,
            error=_("The worker stopped too often; nothing was stored."),
            finished_at=timezone.now(),
        )
        return None
    now = timezone.now()
    claimed = (
        ImportJob.objects.unrestricted()
        .filter(pk=job.pk, status=job.status, attempts=job.attempts)
        .update(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            processed_rows=0,
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    progress_path(job).unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def _write_error_report(job: ImportJob, errors: Collection[dict]) -> Path:
    """Each refused line with its column and reason, then the line's own cells under the
    file's headers: fix the cells in Excel and import the report itself again (its first
    three columns are not mapped). Written as the errors are read: ``errors`` in line order
    (a sales-line import's, read back from its file) need one pass over the upload, holding
    one batch of its rows."""
    path = error_report_path(job)
    cells = _RefusedCells(job.stored_path if errors else None)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([_("Line"), _("Column"), _("Reason"), *map(_safe, cells.headers)])
        for error in errors:
            row = cells.of(error["line"])
            writer.writerow(
                [error["line"], _safe(error["column"]), _safe(error["reason"]), *map(_safe, row)]
            )
    return path


class _RefusedCells:
    """The upload's headers and the cells of a line, read forward batch by batch as lines are
    asked for; a line before the batch at hand starts the reading again."""

    BATCH = 20_000

    def __init__(self, stored_path: str | None) -> None:
        self.path = stored_path if stored_path and Path(stored_path).exists() else None
        table = read_table(self.path) if self.path else None
        self.headers: list[str] = table.headers if table else []
        self._batches = table.batches(self.BATCH) if table else None
        self._cells: dict[int, list[Any]] = {}
        self._first = self._last = 0  # the lines of the batch at hand

    def of(self, line: int) -> list[Any]:
        if self.path is None:
            return []
        if self._batches is None or line < self._first:
            self._batches = read_table(self.path).batches(self.BATCH)
            self._cells, self._first, self._last = {}, 0, 0
        while line > self._last:
            batch = next(self._batches, None)
            if batch is None:  # past the file's last line
                self._cells, self._first, self._last = {}, line, line
                break
            lines, rows = batch
            if lines:
                self._cells = {
                    n: ["" if cell is None else cell for cell in row]
                    for n, row in zip(lines, rows, strict=True)
                }
                self._first, self._last = lines[0], lines[-1]
        return self._cells.get(line, [])


def _safe(text: Any) -> str:
    from salescope.ledger.export import safe_cell

    return safe_cell(text)


def error_report_path(job: ImportJob) -> Path:
    """Beside the job's own upload (a name nobody can guess), never a name from a form."""
    return Path(f"{job.stored_path}.errors.csv")


def run_job(job: ImportJob) -> ImportJob:
    """Run one claimed job to the end; the job row records progress and the result."""

    def progress(done: int, total: int) -> None:
        # The import's own transaction is open on this connection; progress goes through a
        # second connection so the page sees it while the import runs.
        _report_progress(job, done, total)

    entry = registered(job)
    if entry is not None:
        run, options = entry.run, framework_options(job.options)
    elif job.kind == ImportKind.SALES_LINES:
        run, options = import_sales_lines, options_from(job.options)
    else:
        run, options = masterdata.IMPORTS[job.kind].run, masterdata.options_from(job.options)
    try:
        result = run(
            actor=job.created_by,
            path=job.stored_path,
            options=options,
            progress=progress,
            job=job,
        )
    except DomainError as exc:
        ImportJob.objects.unrestricted().filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=exc.detail,
            finished_at=timezone.now(),
            result={"fields": exc.fields},
        )
    except Exception as exc:  # noqa: BLE001 - the job records any failure for its owner
        logger.exception("import job %s failed", job.pk)
        ImportJob.objects.unrestricted().filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
    else:
        data = result.as_dict()
        # A sales-line import's errors are all read back from its file; others are in data.
        every = getattr(result, "refused", None)
        _write_error_report(job, data["errors"] if every is None else every)
        data["errors"] = data["errors"][:KEEP_ERRORS]
        if "findings" in data:
            data["findings"] = data["findings"][:KEEP_ERRORS]
        ImportJob.objects.unrestricted().filter(pk=job.pk).update(
            status=JobStatus.DONE,
            result=data,
            finished_at=timezone.now(),
            processed_rows=result.accepted + result.rejected,
            total_rows=result.accepted + result.rejected,
        )
    job.refresh_from_db()
    return job


def progress_path(job: ImportJob) -> Path:
    """Beside the (uniquely named) upload, so no other job ever reads it."""
    return Path(f"{job.stored_path}.progress")


def _report_progress(job: ImportJob, done: int, total: int) -> None:
    # The import's transaction holds the database (SQLite has one writer), so progress goes to
    # a small file beside the upload, which the page and the heartbeat read.
    progress_path(job).write_text(f"{done} {total} {timezone.now().isoformat()}")


def read_progress(job: ImportJob) -> tuple[int, int]:
    """(rows processed, rows in the file) of a job, live while it runs."""
    if job.status != JobStatus.RUNNING:
        return job.processed_rows, job.total_rows
    try:
        done, total, _when = progress_path(job).read_text().split(" ", 2)
        return int(done), int(total)
    except (OSError, ValueError):
        return 0, job.total_rows


def work(*, once: bool = False, sleep: float = 1.0) -> int:
    """Run queued tasks in this process (``once``: until none is ready); how many ran.
    Kept for callers of the old queue; ``core.tasks.run_worker`` is the worker."""
    from salescope.core.tasks import run_pending, run_worker

    return run_pending() if once else run_worker(interval=sleep)


def remove_upload(job: ImportJob) -> None:
    path = Path(job.stored_path)
    if path.exists() and path.parent == import_dir():
        path.unlink()


class Runner(ImportJobs):
    """The job runner the other apps' upload pages reach through ``core.tasks.import_jobs``
    (registered in ``LedgerConfig.ready``)."""

    def submit(self, *, actor: Any, kind: str, upload: Any, options: dict[str, Any]) -> ImportJob:
        if import_kind(kind) is None:
            raise ValidationFailed(fields={"kind": [_("This import kind is not available yet.")]})
        stored = store_upload(
            actor=actor, name=upload.name or "", chunks=upload.chunks(), kind=kind
        )
        return enqueue_import(actor=actor, kind=kind, upload=stored, options=options)

    def job_url(self, job: Any) -> str:
        from django.urls import reverse

        return reverse("ledger:import-job", kwargs={"pk": job.pk})
