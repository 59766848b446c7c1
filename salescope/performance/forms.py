import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    criterion = forms.CharField(label=_("Criterion"))
    score = forms.IntegerField(label=_("Score"), min_value=1)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PlanForm(forms.Form):
    goals = forms.CharField(
        label=_("Goals"),
        help_text=_("One goal a line: the deadline (YYYY-MM-DD), a space, the goal."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_goals(self) -> list[tuple[str, dt.date]]:
        found = []
        for line in self.cleaned_data["goals"].splitlines():
            line = line.strip()
            if not line:
                continue
            day, _sep, text = line.partition(" ")
            try:
                found.append((text.strip(), dt.date.fromisoformat(day)))
            except ValueError:
                raise forms.ValidationError(
                    _("Start each line with a date (YYYY-MM-DD).")
                ) from None
        return found


class FollowUpForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Follow-up"), widget=forms.Textarea(attrs={"rows": 2}))
    done = forms.BooleanField(label=_("Done"), required=False)
