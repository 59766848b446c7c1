"""Feedback's forms; every choice list is what the viewer may see."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salescope.feedback import queries
from salescope.feedback.choices import CaseOutcome, GuidanceKind, IntelKind, Severity

DATE = forms.DateInput(attrs={"type": "date"})


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, so the form reads well on a phone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class IntelligenceForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=IntelKind.choices)
    title = forms.CharField(label=pgettext_lazy("feedback entry", "Title"), max_length=200)
    body = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, required=False)
    product = forms.ModelChoiceField(label=_("Product"), queryset=None, required=False)
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, required=False)
    competitor = forms.CharField(label=_("Competitor"), max_length=100, required=False)
    observed_on = forms.DateField(label=_("Observed on"), widget=DATE, required=False)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = queries.region_choices(viewer=viewer)
        self.fields["product"].queryset = queries.product_choices(viewer=viewer)
        self.fields["customer"].queryset = queries.customer_choices(viewer=viewer)


class ProblemForm(StyledForm):
    title = forms.CharField(label=pgettext_lazy("feedback entry", "Title"), max_length=200)
    body = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    due_on = forms.DateField(label=_("Due on"), widget=DATE, required=False)
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, required=False)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = queries.customer_choices(viewer=viewer)


class ResolveForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class GuidanceForm(StyledForm):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=GuidanceKind.choices)
    body = forms.CharField(label=_("Guidance"), widget=forms.Textarea(attrs={"rows": 4}))
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, required=False)
    due_on = forms.DateField(label=_("Follow up by"), widget=DATE, required=False)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = queries.team_choices(viewer=viewer)
        self.fields["customer"].queryset = queries.customer_choices(viewer=viewer)


class VersionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FollowUpForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Follow-up"), widget=forms.Textarea(attrs={"rows": 3}))


class CaseReviewForm(StyledForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseOutcome.choices)
    title = forms.CharField(label=pgettext_lazy("feedback entry", "Title"), max_length=200)
    body = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    lesson = forms.CharField(
        label=_("Lesson learned"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, required=False)
    opportunity = forms.ModelChoiceField(label=_("Opportunity"), queryset=None, required=False)
    tags = forms.CharField(
        label=_("Tags"), max_length=300, required=False, help_text=_("Separate with commas.")
    )
    share_with_team = forms.BooleanField(
        label=_("Share with my team"), required=False, initial=True
    )

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = queries.customer_choices(viewer=viewer)
        self.fields["opportunity"].queryset = queries.opportunity_choices(viewer=viewer)
        self.fields["share_with_team"].widget.attrs["class"] = "form-check-input"


class LessonForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    is_lesson = forms.BooleanField(required=False, widget=forms.HiddenInput)
