"""Form pieces every app's pages share."""

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """``<input type="date">`` takes only ``YYYY-MM-DD``; Django would localise the value
    (``2026/10/10`` under zh-Hans) and the browser would show the field empty."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None, format: str = "%Y-%m-%d") -> None:  # noqa: A002 - Django's name
        super().__init__(attrs, format=format)


class StyledForm(forms.Form):
    """Gives the widgets Bootstrap's classes (no inline styles: the CSP forbids them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = css
