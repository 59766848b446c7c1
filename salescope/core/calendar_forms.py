"""The work calendar's page forms: they parse input; ``core.calendar`` decides and validates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.core.forms import DateInput, StyledForm
from salescope.core.models import CalendarDayKind


class CalendarDayForm(StyledForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDayKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("For example 春节 or 国庆节."),
    )
