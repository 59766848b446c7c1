"""Commissions' page forms: parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.commissions import queries, rules
from salescope.commissions.choices import Base
from salescope.core.money import to_fen

MONTH = forms.DateInput(attrs={"type": "month", "class": "form-control"})


class MonthField(forms.DateField):
    """A month as ``YYYY-MM`` (the browser's month input) or a date."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]


def parse_tiers(text: str) -> list[tuple[int, int]]:
    """``"0:1, 80:2, 100:3.5"`` (attainment from % : rate %) → tiers in basis points."""
    tiers = []
    for part in text.replace("，", ",").replace("：", ":").split(","):
        if not part.strip():
            continue
        start, _sep, rate = part.partition(":")
        tiers.append((rules.parse_percent(start), rules.parse_percent(rate)))
    return tiers


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    base = forms.ChoiceField(label=_("Commission on"), choices=Base.choices)
    attainment_metric = forms.ChoiceField(label=_("Attainment of"), choices=Base.choices)
    target_plan = forms.ModelChoiceField(
        label=_("Sales plan (targets)"), queryset=None, required=False
    )
    tiers = forms.CharField(
        label=_("Tiers (attainment from %: rate %)"),
        initial="0:1, 80:2, 100:3",
        help_text=_("e.g. 0:1, 80:2, 100:3 — below 80 % pays 1 %, 80–100 % 2 %, above 3 %"),
    )
    cap = forms.DecimalField(label=_("Cap per month"), required=False, min_value=0)
    valid_from = MonthField(label=_("Valid from"), widget=MONTH)
    valid_to = MonthField(label=_("Valid to"), widget=MONTH, required=False)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_plan"].queryset = queries.sales_plans(viewer=viewer)  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if name not in {"valid_from", "valid_to"}:
                css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def clean_tiers(self) -> list[tuple[int, int]]:
        try:
            return parse_tiers(self.cleaned_data["tiers"])
        except ValueError:
            raise forms.ValidationError(_("Write tiers as 0:1, 80:2, 100:3.")) from None

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        cap = data.pop("cap")
        data["cap_fen"] = None if cap is None else to_fen(cap)
        return data


class PlanEditForm(PlanForm):
    """A draft plan's fields again, with the version it was read at (stale → 409)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def initial_of(cls, plan: Any) -> dict[str, Any]:
        from salescope.core.money import from_fen

        return {
            "version": plan.version,
            "name": plan.name,
            "base": plan.base,
            "attainment_metric": plan.attainment_metric,
            "target_plan": plan.target_plan_id,
            "tiers": ", ".join(
                f"{rules.percent_text(start)}:{rules.percent_text(rate)}"
                for start, rate in plan.tiers
            ),
            "cap": None if plan.cap_fen is None else from_fen(plan.cap_fen),
            "valid_from": plan.valid_from,
            "valid_to": plan.valid_to,
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data.pop("version", None)
        return data


class AssignForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = queries.assignable_people(viewer=viewer)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = queries.assignable_units(viewer=viewer)  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PeriodForm(forms.Form):
    period = MonthField(label=_("Month"), widget=MONTH)
