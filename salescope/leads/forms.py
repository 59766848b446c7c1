"""Forms of the leads pages; choices are what the viewer may see."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salescope.core.forms import DateInput, StyledForm
from salescope.leads import queries
from salescope.leads.choices import CriterionKind, LeadSource, RuleStrategy


class LeadForm(StyledForm):
    contact_name = forms.CharField(label=_("Contact"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    province = forms.CharField(label=_("Province"), max_length=30, required=False)
    city = forms.CharField(label=_("City"), max_length=30, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=60, required=False)
    product_line = forms.ModelChoiceField(label=_("Product line"), queryset=None, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices)
    medium = forms.CharField(
        label=pgettext_lazy("lead source", "Medium"), max_length=60, required=False
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    need = forms.CharField(
        label=_("Need"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = queries.list_campaigns(viewer=viewer)
        self.fields["product_line"].queryset = queries.product_lines(viewer=viewer)


class CampaignForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices)
    medium = forms.CharField(
        label=pgettext_lazy("lead source", "Medium"), max_length=60, required=False
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput(), required=False)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput(), required=False)
    budget = forms.DecimalField(label=_("Budget"), min_value=0, decimal_places=2, max_digits=15)
    actual_cost = forms.DecimalField(
        label=_("Actual cost"), min_value=0, decimal_places=2, max_digits=15, initial=0
    )


class CampaignCostForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput())
    actual_cost = forms.DecimalField(
        label=_("Actual cost"), min_value=0, decimal_places=2, max_digits=15
    )


class VersionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput())


class ContactForm(VersionForm):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ReassignForm(VersionForm):
    owner = forms.ModelChoiceField(label=_("New owner"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = queries.assignable_people(viewer=viewer)


class ConvertForm(VersionForm):
    name = forms.CharField(label=_("Opportunity name"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Expected amount"), min_value=0, decimal_places=2, max_digits=15, required=False
    )
    expected_close = forms.DateField(label=_("Expected close"), widget=DateInput(), required=False)
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=None, required=False)
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, required=False)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = queries.pipelines_for_conversion(viewer=viewer)
        self.fields["customer"].queryset = queries.customer_choices(viewer=viewer)


class EvaluateForm(VersionForm):
    """One field per criterion of the lead's model: its options, or a number on its scale."""

    revisit_on = forms.DateField(label=_("Look again on"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, criteria: list, answers: dict, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            name = f"c{criterion.pk}"
            label = f"{criterion.name} (×{criterion.weight})"
            initial = answers.get(str(criterion.pk))
            if criterion.kind == CriterionKind.OPTIONS:
                choices = [("", "—")] + [
                    (str(o.pk), f"{o.label} · {o.points}") for o in criterion.options.all()
                ]
                field: forms.Field = forms.ChoiceField(
                    label=label, choices=choices, required=False, initial=initial
                )
            else:
                field = forms.DecimalField(
                    label=f"{label} [{criterion.scale_min}–{criterion.scale_max}]",
                    required=False,
                    initial=initial,
                    max_digits=14,
                    decimal_places=2,
                )
            self.fields[name] = field
        self.order_fields([f"c{c.pk}" for c in criteria] + ["revisit_on", "version"])
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def answers(self) -> dict[str, str]:
        out = {}
        for criterion in self.criteria:
            value = self.cleaned_data.get(f"c{criterion.pk}")
            if value not in (None, ""):
                out[str(criterion.pk)] = str(value)
        return out


class RuleForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    priority = forms.IntegerField(label=_("Priority"), min_value=0, max_value=100000)
    provinces = forms.CharField(label=_("Provinces"), max_length=300, required=False)
    cities = forms.CharField(label=_("Cities"), max_length=300, required=False)
    product_line = forms.ModelChoiceField(label=_("Product line"), queryset=None, required=False)
    strategy = forms.ChoiceField(label=_("Strategy"), choices=RuleStrategy.choices)
    members = forms.ModelMultipleChoiceField(label=_("Salespeople"), queryset=None)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_line"].queryset = queries.product_lines(viewer=viewer)
        self.fields["members"].queryset = queries.assignable_people(viewer=viewer)
        self.fields["members"].widget.attrs["size"] = 6


class ModelForm(StyledForm):
    """An evaluation model; its criteria one per line: ``需求紧迫度 | 3 | 急需=10, 一般=6``
    (options with points) or ``采购预算 | 2 | 0-500000`` (a number scale)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    threshold = forms.DecimalField(
        label=_("Threshold (of 100)"), min_value=0, max_value=100, decimal_places=1
    )
    product_line = forms.ModelChoiceField(label=_("Product line"), queryset=None, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=60, required=False)
    criteria = forms.CharField(
        label=_("Criteria"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line: name | weight | option=points, … or name | weight | min-max"),
    )

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_line"].queryset = queries.product_lines(viewer=viewer)

    def clean_criteria(self) -> list[dict[str, Any]]:
        specs = []
        for number, line in enumerate(self.cleaned_data["criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            if len(parts) != 3:  # noqa: PLR2004 - name | weight | answers
                raise forms.ValidationError(
                    _("Line %(line)d: write name | weight | answers.") % {"line": number}
                )
            name, weight, answers = parts
            spec: dict[str, Any] = {"name": name, "weight": weight}
            scale = re.fullmatch(r"(-?[\d.]+)\s*[-~～–]\s*(-?[\d.]+)", answers)
            if scale:
                spec |= {"kind": "scale", "min": scale.group(1), "max": scale.group(2)}
            else:
                options = []
                for item in re.split(r"[,，、;；]", answers):
                    label, _sep, points = item.rpartition("=")
                    if not label.strip() or not points.strip().isdigit():
                        raise forms.ValidationError(
                            _("Line %(line)d: options are label=points, separated by commas.")
                            % {"line": number}
                        )
                    options.append({"label": label.strip(), "points": int(points)})
                spec |= {"kind": "options", "options": options}
            specs.append(spec)
        return specs
