"""The upload form of an import page on the framework: the file, an optional column mapping
(``column=field`` per line, as ``--map`` on the command line) and the dry run; on a valid POST
the file is queued as a background import job and the page goes to the job's page."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.core.importing.common import parse_map_options


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    mapping = forms.CharField(
        label=_("Column mapping (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "列名=field"}),
        help_text=_("One per line: the column as written = field; leave empty to guess."),
    )
    dry_run = forms.BooleanField(label=_("Dry run (check only)"), required=False)

    def __init__(self, *args: Any, fields: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known_fields = list(fields)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean_mapping(self) -> dict[str, str]:
        lines = [line for line in self.cleaned_data["mapping"].splitlines() if line.strip()]
        try:
            return parse_map_options(lines, self.known_fields)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Bad mapping %(line)s: use column=field with a known field (%(fields)s).")
                % {"line": exc, "fields": ", ".join(self.known_fields)}
            ) from None


def submit_upload(request: Any, *, fields: Any, kind: str) -> tuple[ImportForm, str | None, int]:
    """An import page's request: the form, and on a valid POST the uploaded file queued as a
    background job of ``kind`` (see :func:`queue_upload`)."""
    form = ImportForm(request.POST or None, request.FILES or None, fields=fields)
    job_url, status = queue_upload(request, form, kind=kind)
    return form, job_url, status


def queue_upload(request: Any, form: Any, *, kind: str) -> tuple[str | None, int]:
    """Queue the file of a valid POSTed import ``form`` (``file``, ``dry_run``, an optional
    ``mapping``) as one background job of ``kind`` (a kind registered with
    ``core.tasks.register_import_kind``): the file is kept bound to the person and the job by
    an id the server issued, and the worker imports it. Returns the job page to go to (None
    until queued) and the page's status; a refused file's error is put at its field."""
    from salescope.core.errors import DomainError
    from salescope.core.tasks import import_jobs
    from salescope.core.web import form_error

    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 422
    options = {
        "dry_run": bool(form.cleaned_data.get("dry_run")),
        "mapping": dict(form.cleaned_data.get("mapping") or {}),
    }
    runner = import_jobs()
    try:
        job = runner.submit(
            actor=request.user, kind=kind, upload=form.cleaned_data["file"], options=options
        )
    except DomainError as error:
        return None, form_error(form, error)
    return runner.job_url(job), 302
