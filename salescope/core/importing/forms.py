"""The upload form of an import page on the framework: the file, an optional column mapping
(``column=field`` per line, as ``--map`` on the command line) and the dry run."""

from collections.abc import Callable
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


def submit_upload(
    request: Any, *, fields: Any, stem: str, run: Callable[..., Any]
) -> tuple[ImportForm, Any, int]:
    """An import page's request: the form, and on a valid POST ``run(path=…, dry_run=…,
    mapping=…)`` over the uploaded file; returns the form (with the service's errors at its
    fields), the result (None until imported) and the page's status."""
    from salescope.core.errors import DomainError
    from salescope.core.importing.uploads import uploaded_path
    from salescope.core.web import form_error

    form = ImportForm(request.POST or None, request.FILES or None, fields=fields)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            with uploaded_path(form.cleaned_data["file"], stem) as path:
                result = run(
                    path=path,
                    dry_run=form.cleaned_data["dry_run"],
                    mapping=form.cleaned_data["mapping"],
                )
        except DomainError as error:
            status = form_error(form, error)
    elif request.method == "POST":
        status = 422
    return form, result, status
