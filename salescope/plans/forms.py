"""Parsing of the plan pages' forms into service arguments (no business rules here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.core.errors import ValidationFailed
from salescope.core.forms import DateInput
from salescope.org.models import OrgUnit
from salescope.plans import queries
from salescope.plans.choices import SECTIONS, Axis, Method, Metric, PaceBasis
from salescope.plans.services import CellEdit, Step, parse_value


class StyledForm(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-control form-control-sm")


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order, each indented under its parent (公司 › 大区 › 分公司 › 组)."""

    def label_from_instance(self, obj: OrgUnit) -> str:
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


class PlanForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Whole year")), (1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")],
    )
    scope_unit = UnitChoiceField(label=_("Scope"), queryset=OrgUnit.objects.none())
    deadline = forms.DateField(
        label=_("Submission deadline"),
        required=False,
        widget=DateInput,
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["scope_unit"].queryset = units.order_by("path")
        self.style()


class DocumentForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    deadline = forms.DateField(
        label=_("Submission deadline"),
        required=False,
        widget=DateInput,
    )
    pace_basis = forms.ChoiceField(label=_("Pace basis"), choices=PaceBasis.choices)
    warning_threshold = forms.IntegerField(
        label=_("Warn when behind pace by more than (%)"), min_value=0, max_value=100
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in SECTIONS:
            self.fields[f"section_{key}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
        self.style()

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "deadline": data["deadline"],
            "pace_basis": data["pace_basis"],
            "warning_threshold": data["warning_threshold"],
            "sections": {key: data.get(f"section_{key}", "") for key, _label in SECTIONS},
        }


class TotalForm(StyledForm):
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    value = forms.CharField(label=_("Target"))


MAX_STEPS = 6  # a chain such as region → branch → team → person → month → category


class DecomposeForm(StyledForm):
    """A chain of up to six steps, each with its own method: step 1 is ``axis``/``method``
    (with its weights and parts), step 2 ``then_by``/``method_2``, steps 3–6
    ``axis_3``/``method_3`` …; a blank method follows step 1's (equal after custom weights)."""

    axis = forms.ChoiceField(label=_("Decompose by"), choices=Axis.choices[1:])
    then_by = forms.ChoiceField(
        label=_("then by"), required=False, choices=[("", "—"), *Axis.choices[1:]]
    )
    method = forms.ChoiceField(label=_("Decomposition method"), choices=Method.choices)
    weights = forms.CharField(
        label=_("Custom weights (one per part, comma separated)"), required=False
    )
    members = forms.CharField(
        label=_("Only these parts (key customers by code; ids for other parts)"), required=False
    )
    each_child = forms.BooleanField(
        label=_("Apply the same to every part of this target (keeps the parts as they are)"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        method_choices = [("", _("as step 1")), *Method.choices]
        self.fields["method_2"] = forms.ChoiceField(
            label=_("method"), required=False, choices=method_choices
        )
        for n in range(3, MAX_STEPS + 1):
            self.fields[f"axis_{n}"] = forms.ChoiceField(
                label=_("then by"), required=False, choices=[("", "—"), *Axis.choices[1:]]
            )
            self.fields[f"method_{n}"] = forms.ChoiceField(
                label=_("method"), required=False, choices=method_choices
            )
        self.style()

    def chain_fields(self) -> list[tuple[int, Any, Any]]:
        """(step number, axis field, method field) for the template, steps 1…6."""
        rows = [(1, self["axis"], self["method"]), (2, self["then_by"], self["method_2"])]
        rows += [(n, self[f"axis_{n}"], self[f"method_{n}"]) for n in range(3, MAX_STEPS + 1)]
        return rows

    def steps(self) -> list[Step]:
        data = self.cleaned_data
        weights = None
        if data["method"] == Method.CUSTOM:
            try:
                weights = [Decimal(w.strip()) for w in data["weights"].split(",") if w.strip()]
            except InvalidOperation:
                raise ValidationFailed(fields={"weights": [_("Enter numbers.")]}) from None
        members = _members(data["axis"], data["members"])
        steps = [Step(data["axis"], data["method"], weights, members or None)]
        following = data["method"] if data["method"] != Method.CUSTOM else Method.EQUAL
        axes = [(data.get("then_by"), data.get("method_2"))]
        axes += [(data.get(f"axis_{n}"), data.get(f"method_{n}")) for n in range(3, MAX_STEPS + 1)]
        for number, (axis, method) in enumerate(axes, start=2):
            if not axis:
                continue
            if method == Method.CUSTOM:
                field_name = "method_2" if number == 2 else f"method_{number}"  # noqa: PLR2004
                raise ValidationFailed(
                    fields={field_name: [_("Custom weights apply to the first step only.")]}
                )
            steps.append(Step(axis, method or following))
        return steps


def _members(axis: str, text: str) -> list[int]:
    """The parts to keep, as typed: customers by their code (K083810) or id, other parts by
    id; anything else is an error at the field, not a server error."""
    tokens = [t.strip() for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip()]
    ids = [int(t) for t in tokens if t.isdigit()]
    codes = [t for t in tokens if not t.isdigit()]
    if codes and axis == Axis.CUSTOMER:
        found = queries.customer_ids_by_code(codes)
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationFailed(
                fields={"members": [_("Unknown customer codes: %s") % ", ".join(unknown)]}
            )
        ids += [found[c] for c in codes]
    elif codes:
        raise ValidationFailed(fields={"members": [_("Enter ids separated by commas.")]})
    return ids


def grid_edits(post: Any, *, locks: bool = True) -> list[CellEdit]:
    """The grid posts ``value-<id>``, ``version-<id>``, ``orig-<id>``, ``locked-<id>``,
    ``was_locked-<id>``, ``bottom_up-<id>``, ``orig_bottom_up-<id>``; only changes count.
    ``locks`` False: the grid of a level, which has no lock column (locks are left alone)."""
    edits: list[CellEdit] = []
    errors: dict[str, list[str]] = {}
    for name in post:
        if not name.startswith("version-"):
            continue
        pk = int(name.removeprefix("version-"))
        version = int(post[name])
        try:
            value = parse_value(post.get(f"value-{pk}", ""), f"value-{pk}")
            original = int(post.get(f"orig-{pk}", value))
        except ValidationFailed as error:
            errors.update(error.fields)
            continue
        locked = post.get(f"locked-{pk}") == "on"
        was_locked = post.get(f"was_locked-{pk}") == "on"
        edit = CellEdit(pk, version)
        if value != original:
            edit.value = value
        if locks and (locked != was_locked or value != original):
            edit.locked = locked or value != original
        raw_draft = post.get(f"bottom_up-{pk}", "").strip()
        if raw_draft != post.get(f"orig_bottom_up-{pk}", "").strip():
            try:
                edit.bottom_up = parse_value(raw_draft) if raw_draft else None
                edit.draft_given = True
            except ValidationFailed:
                errors[f"bottom_up-{pk}"] = [str(_("Enter a number."))]
        if edit.value is not None or edit.locked is not None or edit.draft_given:
            edits.append(edit)
    if errors:
        raise ValidationFailed(fields=errors)
    return edits


def parse_date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
