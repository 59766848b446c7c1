"""Feedback's writes: each audited, in one transaction, version-checked where it changes a
record another person may have changed (R7 → 409)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import PermissionDenied, ValidationFailed
from salescope.core.ownership import SALES_WIDE
from salescope.core.permissions import require
from salescope.core.roles import viewer_roles
from salescope.feedback import permissions as perms
from salescope.feedback.choices import (
    ESCALATION_DAYS,
    CaseOutcome,
    GuidanceStatus,
    IntelKind,
    ProblemStatus,
    Severity,
)
from salescope.feedback.models import CaseReview, Guidance, Intelligence, Problem
from salescope.feedback.search import intelligence_search_text, segment
from salescope.notifications.services import notify
from salescope.org.models import User
from salescope.org.queries import unit_chain

INTEL_FIELDS = ["kind", "title", "body", "region_id", "product_id", "category_id"]
INTEL_FIELDS += ["customer_id", "competitor", "observed_on"]
PROBLEM_FIELDS = ["owner_id", "severity", "status", "due_on", "escalation_level", "resolution"]
GUIDANCE_FIELDS = ["status", "follow_up"]


def managers_above(person: User) -> list[User]:
    """The managers above ``person``, nearest first (each once; the person never)."""
    found: list[User] = []
    for unit in reversed(unit_chain(person.unit)) if person.unit_id else []:
        manager = unit.manager
        if manager is not None and manager.pk != person.pk and manager not in found:
            found.append(manager)
    return found


def _company_wide(actor: Any) -> bool:
    return bool(viewer_roles(actor) & {str(r) for r in SALES_WIDE})


def _text(value: str, field: str, *, required: bool = True, limit: int | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(fields={field: [_("This field is required.")]})
    if limit and len(value) > limit:
        raise ValidationFailed(fields={field: [_("At most %(n)d characters.") % {"n": limit}]})
    return value


# --- market intelligence (E1) -----------------------------------------------------------------


@transaction.atomic
def record_intelligence(
    *,
    actor: User,
    kind: str,
    title: str,
    body: str = "",
    region: Any = None,
    product: Any = None,
    category: Any = None,
    customer: Any = None,
    competitor: str = "",
    observed_on: dt.date | None = None,
) -> Intelligence:
    """Record a piece of market intelligence as ``actor`` (its author)."""
    require(actor, perms.INTEL_CREATE.code)
    if kind not in IntelKind.values:
        raise ValidationFailed(fields={"kind": [_("Choose a kind of information.")]})
    today = timezone.localdate()
    observed_on = observed_on or today
    if observed_on > today:
        raise ValidationFailed(fields={"observed_on": [_("The date cannot be in the future.")]})
    entry = Intelligence.objects.create(
        author=actor,
        kind=kind,
        title=_text(title, "title", limit=200),
        body=_text(body, "body", required=False),
        region=region if region is not None else getattr(actor, "unit", None),
        product=product,
        category=category or (product.category if product is not None else None),
        customer=customer,
        competitor=_text(competitor, "competitor", required=False, limit=100),
        observed_on=observed_on,
    )
    entry.search_text = intelligence_search_text(entry)
    entry.save(update_fields=["search_text"])
    audit.record(
        actor=actor,
        action="feedback.intelligence.created",
        obj=entry,
        changes=audit.snapshot(entry, INTEL_FIELDS),
    )
    return entry


# --- problems escalated (E2) ------------------------------------------------------------------


@transaction.atomic
def raise_problem(
    *,
    actor: User,
    title: str,
    body: str = "",
    severity: str = Severity.MEDIUM,
    due_on: dt.date | None = None,
    customer: Any = None,
    owner: User | None = None,
) -> Problem:
    """Raise a problem. Its owner is the raiser or one of their managers (default: the nearest
    manager); the due date defaults by severity."""
    require(actor, perms.PROBLEM_CREATE.code)
    if severity not in Severity.values:
        raise ValidationFailed(fields={"severity": [_("Choose a severity.")]})
    today = timezone.localdate()
    due_on = due_on or today + dt.timedelta(days=ESCALATION_DAYS[Severity(severity)])
    if due_on < today:
        raise ValidationFailed(fields={"due_on": [_("The due date cannot be in the past.")]})
    above = managers_above(actor)
    if owner is None:
        owner = above[0] if above else actor
    elif owner.pk != actor.pk and owner not in above:
        raise ValidationFailed(
            fields={"owner": [_("The owner must be you or one of your managers.")]}
        )
    problem = Problem.objects.create(
        raised_by=actor,
        owner=owner,
        unit=actor.unit,
        title=_text(title, "title", limit=200),
        body=_text(body, "body", required=False),
        severity=severity,
        due_on=due_on,
        customer=customer,
    )
    audit.record(
        actor=actor,
        action="feedback.problem.raised",
        obj=problem,
        changes=audit.snapshot(problem, PROBLEM_FIELDS),
    )
    if owner.pk != actor.pk:  # a problem one keeps for oneself needs no message
        notify(
            recipients=[owner],
            kind="feedback.problem.raised",
            title=_("%(name)s raised a problem: %(title)s")
            % {"name": actor.display_name, "title": problem.title},
            body=problem.body,
            link=reverse("feedback:problem", args=[problem.pk]),
            subject=problem,
        )
    return problem


@transaction.atomic
def resolve_problem(
    *, actor: User, problem: Problem, expected_version: int, resolution: str
) -> Problem:
    """Mark a problem resolved, by its owner, its raiser or a manager above them."""
    require(actor, perms.PROBLEM_RESOLVE.code)
    if problem.status == ProblemStatus.RESOLVED:
        raise ValidationFailed(detail=_("This problem is already resolved."))
    resolution = _text(resolution, "resolution")
    before = audit.snapshot(problem, PROBLEM_FIELDS)
    update_versioned(
        problem,
        expected_version=expected_version,
        changes={
            "status": ProblemStatus.RESOLVED,
            "resolution": resolution,
            "resolved_at": timezone.now(),
        },
    )
    audit.record(
        actor=actor,
        action="feedback.problem.resolved",
        obj=problem,
        changes=audit.diff(before, audit.snapshot(problem, PROBLEM_FIELDS)),
    )
    return problem


def escalate_overdue(*, today: dt.date | None = None) -> int:
    """Hand every open problem past its due date to the next manager up the raiser's tree,
    with a fresh due date by severity; the number escalated. Run daily by the system
    (``feedback.tasks``); a problem already with the top manager stays there, flagged."""
    today = today or timezone.localdate()
    escalated = 0
    overdue = (
        Problem.objects.unrestricted()  # the system escalates every unit's problems
        .filter(status=ProblemStatus.OPEN, due_on__lt=today)
        .select_related("raised_by__unit", "owner")
        .order_by("pk")
    )
    for problem in overdue:
        with transaction.atomic():
            chain = [problem.raised_by, *managers_above(problem.raised_by)]
            ids = [person.pk for person in chain]
            position = ids.index(problem.owner_id) if problem.owner_id in ids else -1
            if position + 1 >= len(chain):
                continue  # at the top of the tree: nobody further to escalate to
            before = audit.snapshot(problem, PROBLEM_FIELDS)
            days = ESCALATION_DAYS.get(Severity(problem.severity), 3)
            update_versioned(
                problem,
                expected_version=problem.version,
                changes={
                    "owner": chain[position + 1],
                    "escalation_level": problem.escalation_level + 1,
                    "escalated_at": timezone.now(),
                    "due_on": today + dt.timedelta(days=days),
                },
            )
            audit.record(
                actor=None,
                action="feedback.problem.escalated",
                obj=problem,
                changes=audit.diff(before, audit.snapshot(problem, PROBLEM_FIELDS)),
            )
            notify(  # the manager above receives the escalation (升级) in their inbox
                recipients=[chain[position + 1]],
                kind="feedback.problem.escalated",
                title=_("Escalated to you: %(title)s (raised by %(name)s)")
                % {"title": problem.title, "name": problem.raised_by.display_name},
                body=problem.body,
                link=reverse("feedback:problem", args=[problem.pk]),
                subject=problem,
            )
            escalated += 1
    return escalated


# --- guidance (B3) ----------------------------------------------------------------------------


def _coaches(actor: Any, person: User) -> bool:
    return _company_wide(actor) or any(m.pk == actor.pk for m in managers_above(person))


@transaction.atomic
def give_guidance(
    *,
    actor: User,
    person: User,
    body: str,
    kind: str = "coaching",
    customer: Any = None,
    due_on: dt.date | None = None,
) -> Guidance:
    """A manager's coaching note or instruction to a person in their team."""
    require(actor, perms.GUIDANCE_CREATE.code)
    if person.pk == actor.pk or not _coaches(actor, person):
        raise ValidationFailed(
            fields={"person": [_("You can give guidance only to people in your team.")]}
        )
    from salescope.feedback.choices import GuidanceKind

    if kind not in GuidanceKind.values:
        raise ValidationFailed(fields={"kind": [_("Choose a kind of guidance.")]})
    guidance = Guidance.objects.create(
        author=actor,
        person=person,
        kind=kind,
        body=_text(body, "body"),
        customer=customer,
        due_on=due_on,
    )
    audit.record(
        actor=actor,
        action="feedback.guidance.given",
        obj=guidance,
        changes={"person": person.pk, "kind": kind, **audit.snapshot(guidance, GUIDANCE_FIELDS)},
    )
    notify(
        recipients=[person],
        kind="feedback.guidance.given",
        title=_("%(name)s gave you guidance: %(kind)s")
        % {"name": actor.display_name, "kind": guidance.get_kind_display()},
        body=guidance.body,
        link=reverse("feedback:guidance-detail", args=[guidance.pk]),
        subject=guidance,
    )
    return guidance


@transaction.atomic
def acknowledge_guidance(*, actor: User, guidance: Guidance, expected_version: int) -> Guidance:
    """The person it is for acknowledges a piece of guidance (已阅)."""
    require(actor, perms.GUIDANCE_ACKNOWLEDGE.code)
    if guidance.person_id != actor.pk:
        raise PermissionDenied()
    if guidance.status != GuidanceStatus.ASSIGNED:
        raise ValidationFailed(detail=_("This guidance is already acknowledged."))
    before = audit.snapshot(guidance, GUIDANCE_FIELDS)
    update_versioned(
        guidance,
        expected_version=expected_version,
        changes={"status": GuidanceStatus.ACKNOWLEDGED, "acknowledged_at": timezone.now()},
    )
    audit.record(
        actor=actor,
        action="feedback.guidance.acknowledged",
        obj=guidance,
        changes=audit.diff(before, audit.snapshot(guidance, GUIDANCE_FIELDS)),
    )
    notify(
        recipients=[guidance.author],
        kind="feedback.guidance.acknowledged",
        title=_("%(name)s acknowledged your guidance") % {"name": actor.display_name},
        body=guidance.body,
        link=reverse("feedback:guidance-detail", args=[guidance.pk]),
        subject=guidance,
    )
    return guidance


@transaction.atomic
def follow_up_guidance(
    *, actor: User, guidance: Guidance, expected_version: int, note: str
) -> Guidance:
    """The manager records how the guidance was followed up (跟进)."""
    require(actor, perms.GUIDANCE_FOLLOW_UP.code)
    if guidance.person_id == actor.pk or not _coaches(actor, guidance.person):
        raise ValidationFailed(detail=_("Only a manager of the person follows up their guidance."))
    note = _text(note, "follow_up")
    before = audit.snapshot(guidance, GUIDANCE_FIELDS)
    update_versioned(
        guidance,
        expected_version=expected_version,
        changes={
            "status": GuidanceStatus.FOLLOWED_UP,
            "follow_up": note,
            "followed_up_at": timezone.now(),
        },
    )
    audit.record(
        actor=actor,
        action="feedback.guidance.followed_up",
        obj=guidance,
        changes=audit.diff(before, audit.snapshot(guidance, GUIDANCE_FIELDS)),
    )
    return guidance


# --- case reviews (G6) ------------------------------------------------------------------------

CASE_FIELDS = ["outcome", "title", "body", "lesson", "customer_id", "opportunity_id", "tags"]
CASE_FIELDS += ["is_lesson", "unit_id"]


def normalise_tags(tags: Any) -> str:
    """Tags as stored: trimmed, lower-cased, each once, comma-joined (at most 300 characters)."""
    if isinstance(tags, str):
        tags = tags.replace("，", ",").split(",")
    seen: dict[str, None] = {}
    for tag in tags or []:
        cleaned = str(tag).strip().lower()[:40]
        if cleaned and "," not in cleaned:
            seen.setdefault(cleaned, None)
    joined = ",".join(seen)
    if len(joined) > 300:
        raise ValidationFailed(fields={"tags": [_("Too many tags.")]})
    return joined


def case_search_text(case: CaseReview) -> str:
    """``search_text`` of a case review: title, what happened, the lesson and its tags."""
    return segment(
        case.title,
        case.body,
        case.lesson,
        case.tags.replace(",", " "),
        case.customer.name if case.customer is not None else "",
        str(case.opportunity) if case.opportunity is not None else "",
    )


@transaction.atomic
def write_case_review(
    *,
    actor: User,
    outcome: str,
    title: str,
    body: str = "",
    lesson: str = "",
    customer: Any = None,
    opportunity: Any = None,
    visits: list[Any] | None = None,
    tags: Any = "",
    share_with_team: bool = True,
) -> CaseReview:
    """Write up a success or a failure as ``actor``. The customer, deal and visits are ones the
    caller fetched as ``actor`` (visible to them). Shared read-only with the author's team
    unless ``share_with_team`` is false."""
    from salescope.org.services import share_record

    require(actor, perms.CASE_CREATE.code)
    if outcome not in CaseOutcome.values:
        raise ValidationFailed(fields={"outcome": [_("Choose success or failure.")]})
    if customer is None and opportunity is not None:
        customer = opportunity.customer
    case = CaseReview.objects.create(
        author=actor,
        unit=getattr(actor, "unit", None),
        outcome=outcome,
        title=_text(title, "title", limit=200),
        body=_text(body, "body", required=False),
        lesson=_text(lesson, "lesson", required=False),
        customer=customer,
        opportunity=opportunity,
        tags=normalise_tags(tags),
    )
    if visits:
        case.visits.set(visits)
    case.search_text = case_search_text(case)
    case.save(update_fields=["search_text"])
    audit.record(
        actor=actor,
        action="feedback.case.created",
        obj=case,
        changes={
            **audit.snapshot(case, CASE_FIELDS),
            "visit_ids": sorted(v.pk for v in visits or []),
        },
    )
    if share_with_team and case.unit is not None:
        share_record(actor=actor, record=case, grantee_unit=case.unit)
    return case


@transaction.atomic
def mark_lesson(
    *, actor: User, case: CaseReview, expected_version: int, is_lesson: bool = True
) -> CaseReview:
    """A manager marks a case as a lesson for onboarding (or takes the mark away). A lesson is
    shared read-only with the whole company, so every newcomer finds it on the lessons page."""
    from salescope.org.models import OrgUnit
    from salescope.org.services import share_record

    require(actor, perms.CASE_MARK_LESSON.code)
    if case.is_lesson == is_lesson:
        return case
    update_versioned(
        case,
        expected_version=expected_version,
        changes={"is_lesson": is_lesson, "marked_by": actor if is_lesson else None},
    )
    audit.record(
        actor=actor,
        action="feedback.case.marked_lesson" if is_lesson else "feedback.case.unmarked_lesson",
        obj=case,
        changes={"is_lesson": [not is_lesson, is_lesson]},
    )
    # visibility: the company unit (the root of the org chart) everyone may read
    company = OrgUnit.objects.unrestricted().filter(parent__isnull=True).order_by("pk").first()
    if company is None:
        return case
    if is_lesson:
        share_record(actor=actor, record=case, grantee_unit=company, note="lesson")
    else:
        _revoke_company_share(actor=actor, case=case, company=company)
    return case


def _revoke_company_share(*, actor: User, case: CaseReview, company: Any) -> None:
    from django.contrib.contenttypes.models import ContentType

    from salescope.org.models import RecordShare
    from salescope.org.services import revoke_share

    # visibility: the share this service made when the case became a lesson
    share = (
        RecordShare.objects.unrestricted()
        .filter(
            content_type=ContentType.objects.get_for_model(CaseReview),
            object_id=case.pk,
            grantee_unit=company,
        )
        .first()
    )
    if share is not None:
        revoke_share(actor=actor, share=share)
