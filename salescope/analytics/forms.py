from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.core.forms import DateInput
from salescope.plans.choices import Metric, PaceBasis

GROUPINGS = [
    ("region", _("Region")),
    ("unit", _("Team")),
    ("salesperson", _("Salesperson")),
    ("salesperson,month", _("Salesperson × month")),
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("category", _("Product category")),
    ("brand", _("Brand")),
    ("category,product", _("Category × SKU")),
    ("product", _("SKU")),
    ("region,month", _("Region × month")),
]


class TrackingForm(forms.Form):
    plan = forms.IntegerField(required=False, widget=forms.HiddenInput)
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices, required=False)
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUPINGS, required=False)
    basis = forms.ChoiceField(
        label=_("Pace basis"),
        choices=[("", _("As in the plan")), *PaceBasis.choices],
        required=False,
    )
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


# --- manual actuals (实绩录入) ---------------------------------------------------------------


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):  # noqa: ANN001, ANN201
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m")
        return value


def manual_metric_choices() -> list[tuple[str, str]]:
    from salescope.analytics.manual import MANUAL_METRICS

    return [(m, label) for m, label in Metric.choices if m in MANUAL_METRICS]


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:  # noqa: ANN001
        return f"{obj.display_name} ({obj.username})"


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:  # noqa: ANN001
        return f"{'— ' * max(obj.depth - 1, 0)}{obj.name}"


class ManualFilterForm(_Styled):
    metric = forms.ChoiceField(label=_("Metric"), required=False)
    month = forms.DateField(
        label=_("Month"), required=False, input_formats=["%Y-%m", "%Y-%m-%d"], widget=MonthInput
    )

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", _("All metrics")), *manual_metric_choices()]


class ManualActualForm(_Styled):
    """Enter one figure: the metric, the month, the cell (person and/or unit, category)."""

    metric = forms.ChoiceField(label=_("Metric"))
    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"], widget=MonthInput
    )
    person = PersonField(label=_("Person"), queryset=None, required=False)
    unit = UnitField(label=_("Unit"), queryset=None, required=False)
    category = forms.ModelChoiceField(label=_("Product category"), queryset=None, required=False)
    value = forms.CharField(
        label=_("Value"),
        max_length=30,
        help_text=_("Amounts in yuan, counts as whole numbers, percentages as 0–100."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, people=None, units=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        from salescope.catalog.models import Category

        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = manual_metric_choices()
        self.fields["person"].queryset = people
        self.fields["unit"].queryset = units
        # The category tree is everyone's to read (catalog.models.CATALOG_OWNERSHIP).
        self.fields["category"].queryset = Category.objects.unrestricted().order_by("path")


class ManualActualEditForm(_Styled):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    value = forms.CharField(label=_("Value"), max_length=30)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
