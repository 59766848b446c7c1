"""Editing the parts of a target like a spreadsheet, bottom-up drafts and negotiation comments
(A3, A4, A8)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.errors import StaleVersion, ValidationFailed
from salescope.org.models import User
from salescope.org.permissions import require
from salescope.plans import permissions as perms
from salescope.plans.choices import METRICS
from salescope.plans.models import Target, TargetComment
from salescope.plans.services.common import (
    ensure_can_draft,
    ensure_can_plan_under,
    ensure_editable,
    lock_plan,
)
from salescope.plans.services.targets.respread import _respread_below, _split
from salescope.plans.services.targets.values import _check_version, check_range


@dataclass
class CellEdit:
    target_id: int
    expected_version: int
    value: int | None = None  # hundredths; None = leave the value
    locked: bool | None = None
    draft_given: bool = False  # set ``bottom_up`` (None clears the draft)
    bottom_up: int | None = None


@transaction.atomic
def edit_cells(*, actor: User, parent: Target, edits: Sequence[CellEdit]) -> list[Target]:
    """Edit children of ``parent`` like a spreadsheet: typed values are kept (and locked), the
    other free children absorb the difference so the children still sum to ``parent``; every
    changed cell's own children are re-spread below it.

    The parts of a level (a percentage) are each their own level: a typed value is kept as
    typed, no other cell changes (siblings, parent, the parts below) and locks are stored as
    given, without effect."""
    require(actor, perms.TARGET_PLAN.code)
    plan = lock_plan(parent.plan)
    ensure_editable(plan)
    ensure_can_plan_under(actor, parent)
    kids = list(Target.objects.unrestricted().filter(parent=parent).order_by("position", "id"))
    by_id = {k.pk: k for k in kids}
    errors = {
        str(e.target_id): [_("Not a part of this target.")]
        for e in edits
        if e.target_id not in by_id
    }
    if errors:
        raise ValidationFailed(fields=errors)
    for edit in edits:
        _check_version(by_id[edit.target_id], edit.expected_version)
    for edit in edits:
        check_range(parent.metric, {str(edit.target_id): edit.value})
        check_range(parent.metric, {str(edit.target_id): edit.bottom_up})
    before = {k.pk: (k.value, k.locked, k.bottom_up) for k in kids}
    additive = METRICS[parent.metric].additive
    for edit in edits:
        kid = by_id[edit.target_id]
        if edit.draft_given:
            kid.bottom_up = edit.bottom_up
        if edit.locked is not None:
            kid.locked = edit.locked
        if edit.value is not None:
            kid.value = edit.value
            if additive and edit.locked is None:
                kid.locked = True
    if additive:
        parent.value = Target.objects.unrestricted().get(pk=parent.pk).value
        for kid, value in zip(kids, _split(parent, kids), strict=True):
            kid.value = value
    changed = []
    for kid in kids:
        if (kid.value, kid.locked, kid.bottom_up) != before[kid.pk]:
            kid.version += 1
            changed.append(kid)
    Target.objects.bulk_update(
        changed, ["value", "locked", "bottom_up", "version"], batch_size=2000
    )
    respread = _respread_below([k for k in changed if k.value != before[k.pk][0]])
    audit.record(
        actor=actor,
        action="plans.target.edited",
        obj=parent,
        changes={
            **{kid.label: [list(before[kid.pk]), [kid.value, kid.locked]] for kid in changed},
            "cells_respread": respread,
        },
    )
    return kids


@transaction.atomic
def set_bottom_up(
    *, actor: User, target: Target, value: int | None, expected_version: int
) -> Target:
    """A team's bottom-up draft for a cell (two-way planning, A4)."""
    require(actor, perms.TARGET_DRAFT.code)
    plan = lock_plan(target.plan)
    ensure_editable(plan)
    ensure_can_draft(actor, target)
    check_range(target.metric, {"bottom_up": value})
    before = target.bottom_up
    matched = (
        Target.objects.unrestricted()
        .filter(pk=target.pk, version=expected_version)
        .update(bottom_up=value, version=F("version") + 1)
    )
    if matched != 1:
        target.refresh_from_db()
        raise StaleVersion(extra={"current_version": target.version, "id": target.pk})
    target.refresh_from_db()
    audit.record(
        actor=actor,
        action="plans.target.bottom_up_set",
        obj=target,
        changes={"bottom_up": [before, value]},
    )
    return target


@transaction.atomic
def comment_on_target(*, actor: User, target: Target, text: str) -> TargetComment:
    require(actor, perms.TARGET_DRAFT.code)
    text = text.strip()
    if not text:
        raise ValidationFailed(fields={"text": [_("Write a comment.")]})
    ensure_can_draft(actor, target)
    comment = TargetComment.objects.create(target=target, author=actor, text=text[:4000])
    audit.record(
        actor=actor,
        action="plans.target_comment.created",
        obj=comment,
        changes={"target": [None, target.pk], "text": [None, comment.text]},
    )
    return comment
