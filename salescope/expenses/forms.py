"""Expense forms; every choice list is what the viewer may see."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.expenses import queries

DATE = forms.DateInput(attrs={"type": "date"})


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ExpenseForm(StyledForm):
    category = forms.ModelChoiceField(label=_("Category"), queryset=None)
    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=14, decimal_places=2)
    visit = forms.ModelChoiceField(label=_("Visit"), queryset=None, required=False)
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, required=False)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = queries.categories(viewer=viewer)
        self.fields["visit"].queryset = queries.visit_choices(viewer=viewer)
        self.fields["customer"].queryset = queries.customer_choices(viewer=viewer)


class ClaimForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)


class RejectForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CategoryForm(StyledForm):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=60)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0, required=False)
