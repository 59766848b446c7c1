"""Reads of plans and targets; every one takes the viewer and starts from ``org.visibility``."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from salescope.core.errors import NotFound
from salescope.org.choices import Role, UnitKind
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import can, get_visible, managed_subtree, visible
from salescope.plans.choices import SECTIONS, Metric
from salescope.plans.models import (
    Acknowledgement,
    ActionStep,
    Plan,
    PlanSnapshot,
    Target,
    TargetComment,
)


def list_plans(*, viewer: User) -> QuerySet[Plan]:
    """Plans the viewer may see, and plans in which they may see a target (theirs, their
    team's): everyone who must deliver a part of a plan may read it."""
    return Plan.objects.visible_to(viewer).select_related("scope_unit", "owner")


def get_plan(*, viewer: User, pk: Any, action: str = "view") -> Plan:
    """A plan for ``action``; for viewing, also a plan in which the viewer has targets."""
    plans = Plan.objects.select_related("scope_unit", "owner", "approved_by")
    return get_visible(plans, viewer=viewer, pk=pk, action=action)


def _cells() -> QuerySet[Target]:
    return Target.objects.select_related("unit", "person", "category", "customer", "plan")


def get_target(*, viewer: User, pk: Any, action: str = "view") -> Target:
    return get_visible(_cells(), viewer=viewer, pk=pk, action=action)


def visible_cells(*, viewer: User, plan: Plan) -> QuerySet[Target]:
    qs = _cells().filter(plan=plan).order_by("metric", "depth", "parent_id", "position", "id")
    return visible(qs, viewer=viewer)


def root_targets(*, viewer: User, plan: Plan) -> list[Target]:
    return list(visible(_cells().filter(plan=plan, parent=None), viewer=viewer))


def top_targets(*, viewer: User, plan: Plan) -> list[Target]:
    """The highest cells of the plan the viewer may see: the roots for whoever sees the whole
    plan; for a salesperson or a manager, their own cells (and their teams') whose parent they
    may not see — the places where their part of the plan starts."""
    if can(viewer, Target, "view"):
        return root_targets(viewer=viewer, plan=plan)
    seen = visible(Target.objects.filter(plan=plan), viewer=viewer).values("pk")
    cells = visible(_cells().filter(plan=plan), viewer=viewer).exclude(parent_id__in=seen)
    return list(cells.order_by("metric", "depth", "position", "id"))


def customer_ids_by_code(codes: list[str]) -> dict[str, int]:
    """Ids of the live customers with these codes: the key customers a planner names."""
    from salescope.customers.models import Customer

    # visibility: codes a planner typed, resolved to ids (a key customer is a plan's axis)
    return dict(Customer.live.unrestricted().filter(code__in=codes).values_list("code", "pk"))


def child_targets(*, viewer: User, parent: Target) -> list[Target]:
    """The children of a cell with their comment counts (the reconciliation grid rows)."""
    qs = (
        _cells()
        .filter(parent=parent)
        .annotate(comment_count=Count("comments"))
        .order_by("position", "id")
    )
    return list(visible(qs, viewer=viewer))


def ancestors(target: Target, *, viewer: User) -> list[Target]:
    """The cells above ``target``, top first (the breadcrumb); each says in ``viewer_may_see``
    whether the viewer may open it (a salesperson sees their cell, not their team's)."""
    chain = []
    cell = target
    while cell.parent_id:
        # visibility: the breadcrumb names the cells above; each says if the viewer may open it
        cell = (
            Target.objects.unrestricted()
            .select_related("unit", "person", "category", "customer")
            .get(pk=cell.parent_id)
        )
        chain.append(cell)
    seen = set(
        visible(Target.objects.filter(pk__in=[c.pk for c in chain]), viewer=viewer).values_list(
            "pk", flat=True
        )
    )
    for up in chain:
        up.viewer_may_see = up.pk in seen
    return list(reversed(chain))


def target_comments(*, viewer: User, target: Target) -> list[TargetComment]:
    qs = TargetComment.objects.filter(target=target).select_related("author")
    return list(visible(qs, viewer=viewer))


def my_targets(*, viewer: User, plan: Plan | None = None) -> QuerySet[Target]:
    """The viewer's own cells: the person's cells (or, for a manager, their unit's cells)."""
    qs = _cells().filter(Q(person=viewer) | Q(person=None, unit__manager=viewer))
    if plan is not None:
        qs = qs.filter(plan=plan)
    return visible(qs, viewer=viewer)


def plannable_units(*, viewer: User) -> QuerySet[OrgUnit]:
    """Units the viewer may create a plan for: all sales units for planners, else the units
    they manage and those below."""
    units = OrgUnit.objects.unrestricted().exclude(kind=UnitKind.DEPARTMENT)
    if can(viewer, Plan, "change"):
        return units
    return units.filter(pk__in=managed_subtree(viewer))


def get_unit(*, pk: Any) -> OrgUnit:
    """A unit by id (the org chart is visible to everyone signed in)."""
    unit = OrgUnit.objects.unrestricted().filter(pk=pk).first()
    if unit is None:
        raise NotFound()
    return unit


def get_person(*, pk: Any) -> User:
    """An active person by id, to assign work to."""
    # visibility: anyone active may be given a step; the step service checks the plan's scope
    people = User.objects.unrestricted().filter(is_active=True)
    person = people.filter(pk=pk).first() if str(pk).isdigit() else None
    if person is None:
        raise NotFound()
    return person


def plan_people(*, plan: Plan) -> QuerySet[User]:
    """People in the plan's scope (who can be given an action step)."""
    # visibility: the names of the people a plan's owner may assign work to (its scope)
    return (
        User.objects.unrestricted()
        .filter(unit__path__startswith=plan.scope_unit.path, is_active=True)
        .order_by("unit__path", "username")
    )


@dataclass
class Unassigned:
    units: list[OrgUnit]
    people: list[User]


def unassigned(*, viewer: User, plan: Plan, metric: str = Metric.SALES_AMOUNT) -> Unassigned:
    """Sales units and salespeople under the plan's scope with no target in it (A5)."""
    # visibility: which units and people have a cell at all; only visible ones are listed
    cells = Target.objects.unrestricted().filter(plan=plan, metric=metric)
    unit_ids = set(cells.filter(person=None).values_list("unit_id", flat=True))
    person_ids = set(cells.exclude(person=None).values_list("person_id", flat=True))
    scope = plan.scope_unit.path
    units = [
        u
        for u in visible(
            OrgUnit.objects.filter(path__startswith=scope).exclude(kind=UnitKind.DEPARTMENT),
            viewer=viewer,
        ).select_related("manager")
        if u.pk not in unit_ids
    ]
    people = [
        p
        for p in visible(
            User.objects.filter(
                unit__path__startswith=scope, role=Role.SALESPERSON, is_active=True
            ).select_related("unit"),
            viewer=viewer,
        )
        if p.pk not in person_ids
    ]
    return Unassigned(units=units, people=people)


def acknowledgements(*, viewer: User, plan: Plan) -> list[Acknowledgement]:
    qs = Acknowledgement.objects.filter(plan=plan, revision=plan.revision).select_related(
        "person", "person__unit"
    )
    return list(visible(qs, viewer=viewer).order_by("acknowledged_at", "person__username"))


def pending_acknowledgements(*, viewer: User) -> list[Acknowledgement]:
    qs = Acknowledgement.objects.filter(
        person=viewer, acknowledged_at=None, revision=F("plan__revision")
    ).select_related("plan")  # a replaced version is no longer to confirm
    return list(visible(qs, viewer=viewer))


def get_acknowledgement(*, viewer: User, pk: Any, action: str = "view") -> Acknowledgement:
    return get_visible(
        Acknowledgement.objects.select_related("plan", "person"),
        viewer=viewer,
        pk=pk,
        action=action,
    )


def list_steps(*, viewer: User, plan: Plan | None = None) -> QuerySet[ActionStep]:
    qs = ActionStep.objects.select_related("assignee", "plan")
    if plan is not None:
        qs = qs.filter(plan=plan)
    return visible(qs, viewer=viewer)


def get_step(*, viewer: User, pk: Any, action: str = "view") -> ActionStep:
    return get_visible(
        ActionStep.objects.select_related("assignee", "plan"), viewer=viewer, pk=pk, action=action
    )


# --- versions ------------------------------------------------------------------------------


@dataclass
class SectionChange:
    key: str
    label: str
    before: str
    after: str
    diff: list[tuple[str, str]]  # (kind "+"/"-"/" ", line)


@dataclass
class CellChange:
    label: str
    metric: str
    before: int | None
    after: int | None


@dataclass
class PlanDiff:
    from_revision: int
    to_revision: int | str
    sections: list[SectionChange]
    cells: list[CellChange]


def snapshots(*, viewer: User, plan: Plan) -> list[PlanSnapshot]:
    return list(visible(PlanSnapshot.objects.filter(plan=plan), viewer=viewer))


def plan_diff(*, viewer: User, plan: Plan, from_revision: int | None = None) -> PlanDiff:
    """What changed from an approved version (default: the latest) to the plan as it is now."""
    versions = visible(PlanSnapshot.objects.filter(plan=plan), viewer=viewer)
    if from_revision is not None:
        versions = versions.filter(revision=from_revision)
    base = versions.order_by("-revision").first()
    if base is None:
        raise NotFound()
    current_cells = {}
    # visibility: the plan's cells beside a version of it the viewer may read (all its cells)
    for cell in (
        Target.objects.unrestricted()
        .filter(plan=plan)
        .select_related("unit", "person", "category", "customer")
    ):
        current_cells[cell.key()] = [cell.label, cell.metric, cell.value]
    cells = []
    for key in sorted(set(base.targets) | set(current_cells)):
        old, new = base.targets.get(key), current_cells.get(key)
        if old is None or new is None or old[2] != new[2]:
            source = new or old
            cells.append(
                CellChange(
                    label=source[0],
                    metric=str(Metric(source[1]).label),
                    before=old[2] if old else None,
                    after=new[2] if new else None,
                )
            )
    sections = []
    for key, label in SECTIONS:
        before, after = base.sections.get(key, ""), plan.sections.get(key, "")
        if before != after:
            lines = difflib.ndiff(before.splitlines(), after.splitlines())
            diff = [(line[0], line[2:]) for line in lines if line[:1] in "+- "]
            sections.append(SectionChange(key, str(label), before, after, diff))
    to = plan.revision if plan.revision != base.revision else "current"
    return PlanDiff(from_revision=base.revision, to_revision=to, sections=sections, cells=cells)
