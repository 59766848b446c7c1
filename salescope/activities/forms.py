from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.activities.choices import VisitOutcome, VisitType


class _Styled(forms.Form):
    """Bootstrap's classes on every widget."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if select else "form-control")


class PlanVisitForm(_Styled):
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int)
    planned_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    planned_time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    visit_type = forms.ChoiceField(label=_("Visit type"), choices=VisitType.choices)
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)

    def __init__(self, *args, customers=(), **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [(c.pk, str(c)) for c in customers]


class CheckOutForm(_Styled):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VisitOutcome.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cost = forms.CharField(label=_("Cost (yuan)"), required=False)
    order_number = forms.CharField(label=_("Order number"), required=False, max_length=60)
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)


class ReportForm(_Styled):
    summary = forms.CharField(
        label=_("What I did"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    problems = forms.CharField(
        label=_("Problems and help needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_plan = forms.CharField(
        label=_("Plan for next time"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(_Styled):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    rating = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)]
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
