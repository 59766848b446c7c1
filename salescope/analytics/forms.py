from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.plans.choices import Metric, PaceBasis

GROUPINGS = [
    ("region", _("Region")),
    ("unit", _("Team")),
    ("salesperson", _("Salesperson")),
    ("salesperson,month", _("Salesperson × month")),
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("category", _("Product category")),
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
    as_of = forms.DateField(
        label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
