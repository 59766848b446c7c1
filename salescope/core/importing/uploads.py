"""An uploaded file as the import framework reads it (a path with the right suffix), for the
import pages and API endpoints that import at once (no job): kept in a temporary folder only
while the import runs."""

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from salescope.core.errors import ValidationFailed

SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm"}


@contextmanager
def uploaded_path(upload: Any, stem: str = "upload") -> Iterator[Path]:
    """``upload`` (a Django ``UploadedFile``) written to a temporary file; its path."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationFailed(fields={"file": [_("Use a CSV or XLSX file.")]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{stem}{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield path


def mapping_from_json(raw: str) -> dict[str, str]:
    """The API's ``mapping`` form field: a JSON object, source header → field."""
    try:
        columns = json.loads(raw or "{}")
    except ValueError:
        columns = None
    if not isinstance(columns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise ValidationFailed(fields={"mapping": [_("A JSON object: source header → field.")]})
    return columns
