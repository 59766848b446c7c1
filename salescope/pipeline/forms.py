"""Page forms of the pipeline pages (the services validate again; these only parse)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.pipeline.choices import LostReason
from salescope.pipeline.schemas import MAX_AMOUNT


class OpportunityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=None, empty_label=None)
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, required=False)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=0, max_value=MAX_AMOUNT, decimal_places=2
    )
    expected_close = forms.DateField(
        label=_("Expected close"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    source = forms.CharField(label=_("Source"), max_length=60, required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)

    def __init__(self, *args: Any, pipelines: Any, customers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = pipelines
        self.fields["customer"].queryset = customers
        _style(self)


class OpportunityEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=0, max_value=MAX_AMOUNT, decimal_places=2
    )
    expected_close = forms.DateField(
        label=_("Expected close"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )
    decision_maker = forms.CharField(label=_("Decision maker"), max_length=100, required=False)
    competitor = forms.CharField(label=_("Competitor"), max_length=100, required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class MoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    stage = forms.IntegerField(label=_("Move to"))
    override_reason = forms.CharField(label=_("Override reason"), max_length=500, required=False)
    lost_reason = forms.ChoiceField(
        label=_("Lost reason"), choices=[("", "—"), *LostReason.choices], required=False
    )
    lost_note = forms.CharField(label=_("Lost note"), max_length=300, required=False)
    next = forms.CharField(required=False)


class WonOrderForm(forms.Form):
    """The products of a won deal's order, one per line: ``SKU quantity [unit price]``
    (separated by spaces, commas or tabs, as pasted from a spreadsheet)."""

    lines = forms.CharField(
        label=_("Products (SKU, quantity, optional unit price; one per line)"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "CRM-STD 10"}),
        max_length=20000,
    )
    confirm = forms.BooleanField(
        label=_("Confirm now (credit check)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_lines(self) -> list[dict[str, Any]]:
        parsed: list[dict[str, Any]] = []
        errors: list[str] = []
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            parts = raw.replace(",", " ").replace("，", " ").split()
            if not parts:
                continue
            if len(parts) not in {2, 3}:
                errors.append(_("Line %d: write the SKU and the quantity.") % number)
                continue
            try:
                quantity = int(parts[1])
                price = Decimal(parts[2]) if len(parts) == 3 else None  # noqa: PLR2004
            except (ValueError, InvalidOperation):
                errors.append(_("Line %d: the quantity or price is not a number.") % number)
                continue
            if quantity <= 0 or (price is not None and not 0 <= price <= MAX_AMOUNT):
                errors.append(_("Line %d: the quantity or price is out of range.") % number)
                continue
            parsed.append({"sku": parts[0], "quantity": quantity, "unit_price": price})
        if errors:
            raise forms.ValidationError(errors)
        if not parsed:
            raise forms.ValidationError(_("An order needs at least one line."))
        return parsed


class AdjustForm(forms.Form):
    month = forms.DateField(widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label=_("My adjustment"), min_value=0, max_value=MAX_AMOUNT, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class StageForm(forms.Form):
    """A stage's configuration; the checklist is one item per line."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=60)
    probability = forms.IntegerField(label=_("Default probability (%)"), min_value=0, max_value=100)
    forecast_category = forms.ChoiceField(label=_("Forecast category"), choices=())
    required_fields = forms.MultipleChoiceField(
        label=_("Required fields"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    checklist = forms.CharField(
        label=_("Checklist (one item per line)"), required=False, widget=forms.Textarea({"rows": 3})
    )
    guidance = forms.CharField(
        label=_("Guidance"), required=False, widget=forms.Textarea({"rows": 3})
    )
    risks = forms.CharField(
        label=_("Typical risks"), required=False, widget=forms.Textarea({"rows": 2})
    )
    rotting_days = forms.IntegerField(label=_("Stuck after (days)"), min_value=1, required=False)

    def __init__(self, *args: Any, categories: Any, gate_fields: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forecast_category"].choices = categories
        self.fields["required_fields"].choices = gate_fields
        for name, field in self.fields.items():
            if name != "required_fields":
                _style_one(field)

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version")
        data["checklist"] = [
            line.strip() for line in data["checklist"].splitlines() if line.strip()
        ]
        return data


def _style_one(field: forms.Field) -> None:
    widget = field.widget
    if isinstance(widget, forms.HiddenInput):
        return
    css = (
        "form-select form-select-sm"
        if isinstance(widget, forms.Select)
        else "form-control form-control-sm"
    )
    widget.attrs.setdefault("class", css)
