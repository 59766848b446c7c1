import datetime as dt
from decimal import Decimal
from typing import Any

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


class CriterionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    scale_max = forms.IntegerField(label=_("Scale (1 to)"), min_value=2, max_value=10, initial=5)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


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


MONTH = forms.DateInput(attrs={"type": "month", "class": "form-control form-control-sm"})


class MonthField(forms.DateField):
    """A month as ``YYYY-MM`` (the browser's month input) or a date."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]


class TemplateForm(forms.Form):
    """A scorecard template's head: name, role, first month, how many are marked."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.ChoiceField(label=_("Role"))
    effective_from = MonthField(label=_("Effective from (month)"), widget=MONTH)
    reward_top = forms.IntegerField(
        label=_("Rewarded per unit"), min_value=0, max_value=100, initial=1
    )
    improve_bottom = forms.IntegerField(
        label=_("Improvement plans per unit"), min_value=0, max_value=100, initial=1
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from salescope.org.choices import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if name != "effective_from":
                css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
                field.widget.attrs.setdefault("class", f"{css} form-control-sm")


def parse_bands(text: str) -> list[list[str]]:
    """``"0:0, 60:80, 100:100"`` (from value : score) → ``[["0", "0"], ["60", "80"], …]``."""
    bands = []
    for part in text.replace("，", ",").replace("：", ":").split(","):
        if not part.strip():
            continue
        low, sep, score = part.partition(":")
        try:
            bands.append([str(Decimal(low.strip())), str(Decimal(score.strip()))])
        except (ArithmeticError, ValueError):
            raise forms.ValidationError(
                _("Write each band as value:score, e.g. 0:0, 60:80.")
            ) from None
        if not sep:
            raise forms.ValidationError(_("Write each band as value:score, e.g. 0:0, 60:80."))
    return bands


def bands_text(bands: list[list[Any]]) -> str:
    return ", ".join(f"{low}:{score}" for low, score in bands or [])


def measure_choices() -> list[tuple[str, Any]]:
    """Every measure a line may score: the KPIs, the plan metrics, the rating criteria."""
    from salescope.performance.models import RatingCriterion
    from salescope.performance.queries import ATTAINMENT_METRICS
    from salescope.performance.rules import KPIS
    from salescope.plans.choices import Metric

    criteria = [
        (c.code, c.name)
        # visibility: the criteria are the company's setup, the same list for everyone
        for c in RatingCriterion.objects.unrestricted().order_by("code")
    ]
    return [
        ("", "—"),
        (_("KPI"), [(k.code, k.label) for k in KPIS.values()]),
        (_("Attainment of a plan metric"), [(m, Metric(m).label) for m in ATTAINMENT_METRICS]),
        (_("Manager's rating"), criteria),
    ]


class ItemForm(forms.Form):
    """One line of a template: what is scored, its weight and scoring rule."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    code = forms.ChoiceField(label=_("Measure"), required=False)
    weight = forms.IntegerField(label=_("Weight (%)"), min_value=1, max_value=100, required=False)
    rule = forms.ChoiceField(label=_("Scoring rule"), required=False)
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=16, decimal_places=2)
    threshold = forms.DecimalField(
        label=_("Threshold"), required=False, max_digits=16, decimal_places=2
    )
    cap = forms.IntegerField(
        label=_("Cap (score)"), min_value=1, max_value=1000, initial=120, required=False
    )
    bands = forms.CharField(
        label=_("Bands (value:score)"), required=False, help_text=_("e.g. 0:0, 60:80, 100:100")
    )

    def __init__(self, *args: Any, measures: list | None = None, **kwargs: Any) -> None:
        from salescope.performance.choices import ItemKind, ScoringRule

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *ItemKind.choices]  # type: ignore[attr-defined]
        self.fields["rule"].choices = ScoringRule.choices  # type: ignore[attr-defined]
        self.fields["code"].choices = measures or measure_choices()  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")

    def clean_bands(self) -> list[list[str]]:
        return parse_bands(self.cleaned_data.get("bands") or "")

    def clean(self) -> dict[str, Any]:
        from salescope.performance.choices import ItemKind, ScoringRule
        from salescope.performance.queries import ATTAINMENT_METRICS
        from salescope.performance.rules import KPIS

        data = super().clean() or {}
        kind, code, rule = data.get("kind"), data.get("code"), data.get("rule")
        if not (kind or code or data.get("weight")) and not self.errors:
            self.cleaned_data = {}  # an empty line: dropped
            return {}
        for name in ("kind", "code", "weight", "rule"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("This field is required."))
        if kind == ItemKind.KPI and code and code not in KPIS:
            self.add_error("code", _("Choose a KPI for a KPI line."))
        if kind == ItemKind.ATTAINMENT and code and code not in ATTAINMENT_METRICS:
            self.add_error("code", _("Choose a plan metric for an attainment line."))
        if kind == ItemKind.RATING and code and (code in KPIS or code in ATTAINMENT_METRICS):
            self.add_error("code", _("Choose a rating criterion for a rating line."))
        target = data.get("target")
        if kind == ItemKind.KPI and rule != ScoringRule.BANDS and (target is None or target <= 0):
            self.add_error("target", _("A KPI scored to target needs a target above 0."))
        if rule == ScoringRule.BANDS and "bands" in data and not data["bands"]:
            self.add_error("bands", _("The bands rule needs bands."))
        return data

    def item(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "code": data["code"],
            "weight": data["weight"],
            "rule": data["rule"],
            "target": data.get("target"),
            "threshold": data.get("threshold"),
            "cap": data.get("cap") or 120,
            "bands": data.get("bands") or [],
        }


class BaseItemFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measures = measure_choices()

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "measures": self.measures}

    def items(self) -> list[dict[str, Any]]:
        return [f.item() for f in self.forms if getattr(f, "cleaned_data", None)]


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=3, max_num=30)


def item_initial(items: Any) -> list[dict[str, Any]]:
    """A template's lines as the formset's initial rows."""
    return [
        {
            "kind": i.kind,
            "code": i.code,
            "weight": i.weight,
            "rule": i.rule,
            "target": i.target,
            "threshold": i.threshold,
            "cap": i.cap,
            "bands": bands_text(i.bands),
        }
        for i in items
    ]
