"""Every write of field activity: plan, check in and out, photos, checklist answers, coverage
rules, work reports and their review. Keyword-only, ``actor`` first, one transaction each,
audited; records are reached through the one rule (``action="change"``)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.activities import permissions as perms
from salescope.activities import rules
from salescope.activities.choices import (
    ItemKind,
    ReportKind,
    ReportStatus,
    VisitOutcome,
    VisitStatus,
    VisitType,
)
from salescope.activities.models import (
    CalendarFeed,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistTemplate,
    CoverageRule,
    CustomerLocation,
    Visit,
    VisitPhoto,
    WorkReport,
)
from salescope.core import audit
from salescope.core.calendar import holidays_and_workdays
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, PermissionDenied, ValidationFailed
from salescope.core.images import clean_image
from salescope.core.permissions import require
from salescope.customers.models import Customer
from salescope.ledger.models import Collection, Order
from salescope.notifications.services import notify
from salescope.org.queries import unit_chain
from salescope.org.visibility import get_visible
from salescope.timeline.choices import EventKind
from salescope.timeline.services import record_event

VISIT_FIELDS = ["owner", "customer", "visit_type", "purpose", "planned_date", "planned_time"]
PHOTO_MAX_BYTES = 8 * 1024 * 1024


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(fields={field: [message]})


def _customer_for(actor: Any, customer: Customer | int) -> Customer:
    pk = customer.pk if isinstance(customer, Customer) else customer
    return get_visible(Customer.objects.all(), viewer=actor, pk=pk)


def _check_choice(field: str, value: str, choices: Any) -> None:
    if value not in choices.values:
        raise _invalid(field, _("Choose one of the listed values."))


# --- visit plans (D1) ----------------------------------------------------------------------


@transaction.atomic
def plan_visit(
    *,
    actor: Any,
    customer: Customer | int,
    planned_date: dt.date,
    planned_time: dt.time | None = None,
    visit_type: str = VisitType.ROUTINE,
    purpose: str = "",
    owner: Any = None,
) -> Visit:
    """Plan a visit of a customer the actor may see; for themselves, or (a manager) for a
    person of the team."""
    require(actor, perms.VISIT_PLAN.code)
    _check_choice("visit_type", visit_type, VisitType)
    found = _customer_for(actor, customer)
    owner = owner or actor
    if owner.pk != actor.pk:
        from salescope.org.models import User

        owner = get_visible(User.objects.all(), viewer=actor, pk=owner.pk, action="change")
    if planned_date is None:
        raise _invalid("planned_date", _("Give the visit's date."))
    visit = Visit.objects.create(
        owner=owner,
        customer=found,
        planned_date=planned_date,
        planned_time=planned_time,
        visit_type=visit_type,
        purpose=(purpose or "").strip()[:300],
    )
    audit.record(
        actor=actor,
        action="activities.visit.planned",
        obj=visit,
        changes=audit.diff({}, audit.snapshot(visit, VISIT_FIELDS)),
    )
    return visit


@transaction.atomic
def cancel_visit(*, actor: Any, visit: Visit, expected_version: int) -> Visit:
    require(actor, perms.VISIT_CHANGE.code)
    visit = get_visible(Visit.objects.all(), viewer=actor, pk=visit.pk, action="change")
    if visit.status != VisitStatus.PLANNED:
        raise Conflict(_("Only a visit not yet started can be cancelled."))
    update_versioned(visit, expected_version=expected_version, changes={"status": "cancelled"})
    audit.record(
        actor=actor,
        action="activities.visit.cancelled",
        obj=visit,
        changes={"status": [VisitStatus.PLANNED, VisitStatus.CANCELLED]},
    )
    return visit


@transaction.atomic
def apply_coverage_rules(*, actor: Any, owner: Any, start: dt.date, end: dt.date) -> list[Visit]:
    """Plan the visits the tier rules ask for between ``start`` and ``end`` for ``owner``'s
    customers, beyond those already planned or made in each rule's period; spread over
    working days. Running it twice plans nothing more."""
    require(actor, perms.VISIT_PLAN.code)
    if end < start or (end - start).days > 62:
        raise _invalid("end", _("Choose a range of at most two months."))
    if actor is not None and owner.pk != actor.pk:  # None: the system plans for everyone
        from salescope.org.models import User

        owner = get_visible(User.objects.all(), viewer=actor, pk=owner.pk, action="change")
    rules_by_tier = {r.tier: r for r in CoverageRule.objects.unrestricted()}
    customers = list(
        Customer.live.unrestricted()
        .filter(owner=owner, status="active", tier__in=list(rules_by_tier))
        .values_list("pk", "tier")
    )
    holidays, workdays = holidays_and_workdays(start, end)
    made: list[Visit] = []
    for tier, rule in sorted(rules_by_tier.items()):
        members = [(cid, t) for cid, t in customers if t == tier]
        if not members:
            continue
        for p_start, p_end in sorted(
            {rules.period_of(d, rule.period) for d in rules.days(start, end)}
        ):
            counted = dict(
                Visit.objects.unrestricted()
                .filter(
                    customer_id__in=[cid for cid, _t in members],
                    planned_date__gte=p_start,
                    planned_date__lte=p_end,
                )
                .exclude(status=VisitStatus.CANCELLED)
                .values_list("customer_id")
                .annotate(n=Count("pk"))
                .order_by()
            )
            window = [
                d
                for d in rules.days(max(p_start, start), min(p_end, end))
                if d not in holidays and (d.weekday() < 5 or d in workdays)
            ]
            for gap in rules.coverage_gaps(members, {tier: rule.visits}, counted):
                made.extend(
                    Visit.objects.create(
                        owner=owner,
                        customer_id=gap.customer_id,
                        planned_date=day,
                        visit_type=VisitType.ROUTINE,
                        purpose=_("Regular coverage visit"),
                        from_rule=True,
                    )
                    for day in rules.spread(window, gap.missing, gap.customer_id)
                )
    if made:
        audit.record(
            actor=actor,
            action="activities.visit.planned_by_rules",
            object_type="activities.visit",
            object_repr=f"{owner.get_username()} {start}–{end}",
            changes={"visits": [v.pk for v in made], "owner": owner.pk},
        )
    return made


# --- visits as they happen (D2) --------------------------------------------------------------


def _position(latitude: Any, longitude: Any, field: str) -> tuple[float, float] | None:
    if latitude in (None, "") and longitude in (None, ""):
        return None
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise _invalid(field, _("The location is not a valid position.")) from None
    if not rules.valid_position(lat, lon):
        raise _invalid(field, _("The location is not a valid position."))
    return lat, lon


def _distance(customer: Customer, position: tuple[float, float] | None) -> int | None:
    if position is None:
        return None
    place = CustomerLocation.objects.unrestricted().filter(customer=customer).first()
    if place is None:
        return None
    return rules.distance_m(place.latitude, place.longitude, *position)


@transaction.atomic
def check_in(
    *,
    actor: Any,
    visit: Visit,
    latitude: Any = None,
    longitude: Any = None,
    accuracy: Any = None,
    at: dt.datetime | None = None,
) -> Visit:
    """Check in at a planned visit: the time, the browser's position where given, and its
    distance from the customer's registered location (flagged beyond ``FAR_METRES``)."""
    require(actor, perms.VISIT_RECORD.code)
    visit = get_visible(Visit.objects.all(), viewer=actor, pk=visit.pk, action="change")
    if visit.owner_id != actor.pk:
        raise PermissionDenied(_("Only the salesperson on the visit checks in."))
    if visit.status != VisitStatus.PLANNED:
        raise Conflict(_("This visit is already checked in or closed."))
    position = _position(latitude, longitude, "location")
    changes = {
        "status": VisitStatus.IN_PROGRESS,
        "checked_in_at": at or timezone.now(),
        "checkin_latitude": position[0] if position else None,
        "checkin_longitude": position[1] if position else None,
        "checkin_accuracy": _float_or_none(accuracy),
        "distance_m": _distance(visit.customer, position),
    }
    update_versioned(visit, expected_version=visit.version, changes=changes)
    audit.record(
        actor=actor,
        action="activities.visit.checked_in",
        obj=visit,
        changes={
            "status": [VisitStatus.PLANNED, VisitStatus.IN_PROGRESS],
            "distance_m": [None, visit.distance_m],
        },
    )
    record_event(
        actor=actor,
        customer=visit.customer,
        kind=EventKind.VISIT,
        summary=_("Checked in for a %(type)s visit") % {"type": visit.get_visit_type_display()},
        subject=visit,
        at=visit.checked_in_at,
    )
    return visit


def _float_or_none(value: Any) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def _cost_fen(cost: Any) -> int:
    if cost in (None, ""):
        return 0
    try:
        amount = Decimal(str(cost))
    except InvalidOperation:
        raise _invalid("cost", _("Enter the cost as a number, e.g. 35.50.")) from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("1000000"):
        raise _invalid("cost", _("Enter a cost between 0 and 1,000,000."))
    return int((amount * 100).to_integral_value())


@transaction.atomic
def check_out(
    *,
    actor: Any,
    visit: Visit,
    outcome: str,
    notes: str = "",
    cost: Any = None,
    order_number: str = "",
    latitude: Any = None,
    longitude: Any = None,
    at: dt.datetime | None = None,
) -> Visit:
    """Close a checked-in visit with its outcome, notes, cost and the order taken (a number
    of the ledger's orders, checked)."""
    require(actor, perms.VISIT_RECORD.code)
    visit = get_visible(Visit.objects.all(), viewer=actor, pk=visit.pk, action="change")
    if visit.owner_id != actor.pk:
        raise PermissionDenied(_("Only the salesperson on the visit checks out."))
    if visit.status != VisitStatus.IN_PROGRESS:
        raise Conflict(_("Check in before checking out."))
    _check_choice("outcome", outcome, VisitOutcome)
    cost_fen = _cost_fen(cost)
    order_number = (order_number or "").strip()
    if (
        order_number
        and not Order.objects.unrestricted()
        .filter(number=order_number, customer=visit.customer)
        .exists()
    ):
        raise _invalid("order_number", _("No order of this customer has this number."))
    position = _position(latitude, longitude, "location")
    ended = at or timezone.now()
    if visit.checked_in_at is not None and ended < visit.checked_in_at:
        ended = visit.checked_in_at
    update_versioned(
        visit,
        expected_version=visit.version,
        changes={
            "status": VisitStatus.DONE,
            "checked_out_at": ended,
            "checkout_latitude": position[0] if position else None,
            "checkout_longitude": position[1] if position else None,
            "outcome": outcome,
            "notes": (notes or "").strip(),
            "cost_fen": cost_fen,
            "order_number": order_number,
        },
    )
    audit.record(
        actor=actor,
        action="activities.visit.checked_out",
        obj=visit,
        changes={
            "status": [VisitStatus.IN_PROGRESS, VisitStatus.DONE],
            "outcome": ["", outcome],
            "cost_fen": [0, cost_fen],
        },
    )
    _to_timeline(visit)
    return visit


def _to_timeline(visit: Visit) -> None:
    """The customer timeline gets the closed visit: its outcome, minutes and notes. The event
    belongs to the visit's owner and is read only by those who may see the visit."""
    minutes = visit.minutes
    summary = _("Visit done (%(type)s): %(outcome)s") % {
        "type": visit.get_visit_type_display(),
        "outcome": visit.get_outcome_display(),
    }
    if minutes:
        summary += _(", %(minutes)d minutes") % {"minutes": minutes}
    if visit.order_number:
        summary += _(", order %(number)s") % {"number": visit.order_number}
    if visit.notes:
        summary += f" — {visit.notes}"
    record_event(
        actor=visit.owner,
        customer=visit.customer,
        kind=EventKind.VISIT,
        summary=summary,
        subject=visit,
        at=visit.checked_out_at,
    )


@transaction.atomic
def record_offline_visit(
    *,
    actor: Any,
    client_id: Any,
    customer: Customer | int,
    checked_in_at: dt.datetime,
    checked_out_at: dt.datetime,
    outcome: str,
    visit_type: str = VisitType.ROUTINE,
    notes: str = "",
    cost: Any = None,
    latitude: Any = None,
    longitude: Any = None,
    visit: Visit | None = None,
) -> tuple[Visit, bool]:
    """A visit the phone kept while offline, sent when back online: stored once by the
    phone's ``client_id`` (a second send returns the first visit and ``False``). It closes
    ``visit`` (a planned one) when given, else becomes a visit of its own."""
    require(actor, perms.VISIT_RECORD.code)
    try:
        key = uuid.UUID(str(client_id))
    except ValueError:
        raise _invalid("client_id", _("The phone's visit id is not valid.")) from None
    existing = Visit.objects.unrestricted().filter(client_id=key).first()
    if existing is not None:
        if existing.owner_id != actor.pk:
            raise _invalid("client_id", _("The phone's visit id is not valid."))
        return existing, False
    if checked_out_at < checked_in_at:
        raise _invalid("checked_out_at", _("Check-out must come after check-in."))
    if checked_in_at > timezone.now() + dt.timedelta(minutes=5):
        raise _invalid("checked_in_at", _("A visit cannot be in the future."))
    _check_choice("outcome", outcome, VisitOutcome)
    if visit is None:
        visit = plan_visit(
            actor=actor,
            customer=customer,
            planned_date=timezone.localtime(checked_in_at).date(),
            visit_type=visit_type,
        )
    visit.client_id = key
    try:
        with transaction.atomic():
            Visit.objects.unrestricted().filter(pk=visit.pk).update(client_id=key)
    except IntegrityError:  # the same visit sent at the same moment by two requests
        existing = Visit.objects.unrestricted().get(client_id=key)
        return existing, False
    visit.refresh_from_db()
    check_in(actor=actor, visit=visit, latitude=latitude, longitude=longitude, at=checked_in_at)
    check_out(actor=actor, visit=visit, outcome=outcome, notes=notes, cost=cost, at=checked_out_at)
    visit.refresh_from_db()
    return visit, True


@transaction.atomic
def add_photo(*, actor: Any, visit: Visit, data: bytes, caption: str = "") -> VisitPhoto:
    """A photo of the visit (shelf, poster): JPEG, PNG or WebP judged by its content, at most
    8 MB, re-encoded so its metadata (EXIF: camera, GPS, time) is gone."""
    require(actor, perms.VISIT_RECORD.code)
    visit = get_visible(Visit.objects.all(), viewer=actor, pk=visit.pk, action="change")
    if visit.owner_id != actor.pk:
        raise PermissionDenied(_("Only the salesperson on the visit adds photos."))
    if not data:
        raise _invalid("photo", _("Choose a photo."))
    if len(data) > PHOTO_MAX_BYTES:
        raise _invalid("photo", _("A photo may be at most 8 MB."))
    clean = clean_image(data)
    if clean is None:
        raise _invalid("photo", _("The file is not a JPEG, PNG or WebP photo."))
    photo = VisitPhoto(
        visit=visit,
        content_type=clean.content_type,
        size=len(clean.content),
        caption=(caption or "").strip()[:200],
        uploaded_by=actor,
    )
    photo.image.save(
        f"{secrets.token_urlsafe(16)}.{clean.extension}", ContentFile(clean.content), False
    )
    photo.save()
    audit.record(
        actor=actor,
        action="activities.photo.added",
        obj=photo,
        changes={"visit": [None, visit.pk], "size": [None, photo.size]},
    )
    return photo


@transaction.atomic
def set_customer_location(
    *, actor: Any, customer: Customer | int, latitude: Any, longitude: Any
) -> CustomerLocation:
    """Register where a customer is (e.g. from a check-in at its door)."""
    require(actor, perms.VISIT_CHANGE.code)
    found = get_visible(
        Customer.objects.all(),
        viewer=actor,
        pk=customer.pk if isinstance(customer, Customer) else customer,
        action="change",
    )
    position = _position(latitude, longitude, "location")
    if position is None:
        raise _invalid("location", _("The location is not a valid position."))
    place = CustomerLocation.objects.unrestricted().filter(customer=found).first()
    before = (place.latitude, place.longitude) if place else None
    if place is None:
        place = CustomerLocation(customer=found)
    place.latitude, place.longitude = position
    place.save()
    audit.record(
        actor=actor,
        action="activities.location.set",
        obj=place,
        changes={"position": [before, list(position)]},
    )
    return place


# --- checklists (D3) -------------------------------------------------------------------------


def checklist_items(visit: Visit) -> list[ChecklistItem]:
    return list(
        ChecklistItem.objects.unrestricted().filter(
            template__visit_type=visit.visit_type, active=True
        )
    )


@transaction.atomic
def answer_item(
    *,
    actor: Any,
    visit: Visit,
    item: ChecklistItem | int,
    done: bool,
    feedback: str = "",
    number: Any = None,
) -> ChecklistAnswer:
    """Tick (or untick) a checklist item of the visit, with feedback (text or a number)."""
    require(actor, perms.CHECKLIST_ANSWER.code)
    visit = get_visible(Visit.objects.all(), viewer=actor, pk=visit.pk, action="change")
    if visit.owner_id != actor.pk:
        raise PermissionDenied(_("Only the salesperson on the visit works its checklist."))
    item_pk = item.pk if isinstance(item, ChecklistItem) else item
    found = next((i for i in checklist_items(visit) if i.pk == item_pk), None)
    if found is None:
        raise _invalid("item", _("This item is not on the visit's checklist."))
    value = None
    if number not in (None, ""):
        try:
            value = Decimal(str(number))
        except InvalidOperation:
            raise _invalid("number", _("Enter a number.")) from None
        if not value.is_finite() or abs(value) >= Decimal("1e12"):
            raise _invalid("number", _("Enter a number."))
    elif found.kind == ItemKind.NUMBER and done:
        raise _invalid("number", _("This item asks for a number."))
    answer = ChecklistAnswer.objects.unrestricted().filter(visit=visit, item=found).first()
    before = {"done": answer.done, "feedback": answer.feedback} if answer else {}
    if answer is None:
        answer = ChecklistAnswer(visit=visit, item=found)
    answer.done, answer.feedback, answer.number = bool(done), (feedback or "")[:500], value
    answer.save()
    audit.record(
        actor=actor,
        action="activities.checklist.answered",
        obj=answer,
        changes=audit.diff(before, {"done": answer.done, "feedback": answer.feedback}),
    )
    return answer


@transaction.atomic
def save_checklist_template(
    *, actor: Any, visit_type: str, name: str, items: list[tuple[str, str]]
) -> ChecklistTemplate:
    """The checklist of a visit type: its items (text, kind) in order; items no longer
    listed are retired (kept for the answers already given)."""
    require(actor, perms.SETUP_CHANGE.code)
    _check_choice("visit_type", visit_type, VisitType)
    if not name.strip():
        raise _invalid("name", _("Give the checklist a name."))
    for line, (text, kind) in enumerate(items, start=1):
        if not text.strip() or kind not in ItemKind.values:
            raise _invalid("items", _("Item %(line)d needs a text and a kind.") % {"line": line})
    template, _created = ChecklistTemplate.objects.unrestricted().update_or_create(
        visit_type=visit_type, defaults={"name": name.strip()}
    )
    existing = {i.text: i for i in ChecklistItem.objects.unrestricted().filter(template=template)}
    keep = []
    for position, (text, kind) in enumerate(items):
        item = existing.get(text.strip()) or ChecklistItem(template=template, text=text.strip())
        item.kind, item.position, item.active = kind, position, True
        item.save()
        keep.append(item.pk)
    ChecklistItem.objects.unrestricted().filter(template=template).exclude(pk__in=keep).update(
        active=False
    )
    audit.record(
        actor=actor,
        action="activities.checklist_template.saved",
        obj=template,
        changes={"items": [None, [t for t, _k in items]]},
    )
    return template


@transaction.atomic
def set_coverage_rule(*, actor: Any, tier: str, visits: int, period: str) -> CoverageRule | None:
    """How often customers of ``tier`` are to be visited; ``visits=0`` removes the rule."""
    require(actor, perms.SETUP_CHANGE.code)
    if tier not in {"A", "B", "C", "D"}:
        raise _invalid("tier", _("Choose one of the listed values."))
    if period not in {"week", "month"}:
        raise _invalid("period", _("Choose one of the listed values."))
    if not 0 <= int(visits) <= 31:
        raise _invalid("visits", _("Enter between 0 and 31 visits."))
    rule = CoverageRule.objects.unrestricted().filter(tier=tier).first()
    before = {"visits": rule.visits, "period": rule.period} if rule else {}
    if int(visits) == 0:
        if rule:
            audit.record(
                actor=actor,
                action="activities.coverage.removed",
                obj=rule,
                changes=audit.diff(before, {}),
            )
            rule.delete()
        return None
    rule = rule or CoverageRule(tier=tier)
    rule.visits, rule.period = int(visits), period
    rule.save()
    audit.record(
        actor=actor,
        action="activities.coverage.set",
        obj=rule,
        changes=audit.diff(before, {"visits": rule.visits, "period": rule.period}),
    )
    return rule


# --- work reports (D4) -----------------------------------------------------------------------


def report_period(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The days a report of ``kind`` covers: the day, its week (Monday–Sunday) or its month."""
    if kind == ReportKind.DAILY:
        return day, day
    return rules.month_of(day) if kind == ReportKind.MONTHLY else rules.week_of(day)


def facts_for(person: Any, start: dt.date, end: dt.date) -> dict:
    """The recorded facts of ``person`` between ``start`` and ``end`` (the system reads)."""
    return facts_of_many([person.pk], start, end)[person.pk]


def facts_of_many(people: list[int], start: dt.date, end: dt.date) -> dict[int, dict]:
    """:func:`facts_for` of each person (by id) at once: one query per kind of fact for all
    of them, not one per person (the evening job drafts thousands of reports)."""
    visits: dict[int, list[rules.VisitFact]] = {pk: [] for pk in people}
    rows = (
        Visit.objects.unrestricted()
        .filter(owner_id__in=people, planned_date__gte=start, planned_date__lte=end)
        .order_by("owner_id", "planned_date", "planned_time", "pk")
        .values_list(
            "owner_id",
            "customer__name",
            "status",
            "outcome",
            "checked_in_at",
            "checked_out_at",
            "cost_fen",
            "distance_m",
        )
    )
    for owner, customer, status, outcome, came, left, cost, distance in rows.iterator(2000):
        visit = Visit(checked_in_at=came, checked_out_at=left, distance_m=distance)
        visits[owner].append(
            rules.VisitFact(
                customer=customer,
                status=status,
                outcome=outcome,
                minutes=visit.minutes,
                cost_fen=cost,
                far=visit.is_far,
            )
        )
    checklist = {
        row["visit__owner_id"]: row
        for row in ChecklistAnswer.objects.unrestricted()
        .filter(
            visit__owner_id__in=people,
            visit__planned_date__gte=start,
            visit__planned_date__lte=end,
        )
        .order_by()
        .values("visit__owner_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(done=True)))
    }
    orders = {
        row["owner_id"]: row
        for row in Order.objects.unrestricted()
        .filter(owner_id__in=people, date__gte=start, date__lte=end)
        .order_by()
        .values("owner_id")
        .annotate(total=Sum("amount_fen"), n=Count("pk"))
    }
    collected = {
        row["owner_id"]: row["total"]
        for row in Collection.objects.unrestricted()
        .filter(owner_id__in=people, date__gte=start, date__lte=end)
        .order_by()
        .values("owner_id")
        .annotate(total=Sum("amount_fen"))
    }
    tz = timezone.get_current_timezone()
    new: dict[int, list[str]] = {pk: [] for pk in people}
    for owner, name in (
        Customer.live.unrestricted()
        .filter(
            owner_id__in=people,
            created_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            created_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )
        .values_list("owner_id", "name")
    ):
        new[owner].append(name)
    facts = {}
    for pk in people:
        order = orders.get(pk, {})
        answers = checklist.get(pk, {})
        facts[pk] = rules.report_facts(
            visits[pk],
            orders_fen=order.get("total") or 0,
            order_count=order.get("n") or 0,
            collections_fen=collected.get(pk) or 0,
            new_customers=new[pk],
            checklist_done=answers.get("done") or 0,
            checklist_total=answers.get("total") or 0,
        )
    return facts


@transaction.atomic
def draft_reports(*, kind: str, day: dt.date, people: list[Any]) -> int:
    """The system drafts (or brings up to date, while still drafts) the reports of ``kind``
    for the period holding ``day`` of everyone in ``people``: the facts read for all of them
    at once, the new reports written and audited in batches. The number drafted or updated."""
    _check_choice("kind", kind, ReportKind)
    start, end = report_period(kind, day)
    ids = [p.pk for p in people]
    facts = facts_of_many(ids, start, end)
    existing = {
        r.author_id: r
        for r in WorkReport.objects.unrestricted().filter(
            author_id__in=ids, kind=kind, period_start=start
        )
    }
    made = [
        WorkReport(author_id=pk, kind=kind, period_start=start, period_end=end, facts=facts[pk])
        for pk in ids
        if pk not in existing
    ]
    stale = []
    for pk, report in existing.items():
        if report.status == ReportStatus.DRAFT and report.facts != facts[pk]:
            report.facts = facts[pk]
            stale.append(report)
    WorkReport.objects.bulk_create(made, batch_size=500)
    if not all(r.pk for r in made):  # a database that does not return the new ids
        keyed = {
            r.author_id: r
            for r in WorkReport.objects.unrestricted().filter(
                author_id__in=[r.author_id for r in made], kind=kind, period_start=start
            )
        }
        made = [keyed[r.author_id] for r in made]
    audit.record_many(
        actor=None,
        action="activities.report.drafted",
        entries=[(r, {"period": [None, f"{start}–{end}"]}) for r in made],
    )
    WorkReport.objects.bulk_update(stale, ["facts"], batch_size=500)
    return len(made) + len(stale)


@transaction.atomic
def draft_report(*, actor: Any, kind: str, day: dt.date, author: Any = None) -> WorkReport:
    """The actor's report of ``kind`` for the period holding ``day``, its facts drafted (or
    brought up to date while still a draft) from what was recorded."""
    require(actor, perms.REPORT_WRITE.code)
    _check_choice("kind", kind, ReportKind)
    if author is not None and actor is not None and author.pk != actor.pk:
        raise PermissionDenied(_("Only the author writes a report."))
    author = author or actor
    start, end = report_period(kind, day)
    report = (
        WorkReport.objects.unrestricted()
        .filter(author=author, kind=kind, period_start=start)
        .first()
    )
    facts = facts_for(author, start, end)
    if report is None:
        report = WorkReport.objects.create(
            author=author, kind=kind, period_start=start, period_end=end, facts=facts
        )
        audit.record(
            actor=actor,
            action="activities.report.drafted",
            obj=report,
            changes={"period": [None, f"{start}–{end}"]},
        )
    elif report.status == ReportStatus.DRAFT and report.facts != facts:
        WorkReport.objects.unrestricted().filter(pk=report.pk).update(facts=facts)
        report.facts = facts
    return report


@transaction.atomic
def write_report(
    *,
    actor: Any,
    report: WorkReport,
    expected_version: int,
    summary: str,
    problems: str,
    next_plan: str,
    submit: bool = False,
) -> WorkReport:
    """The person's own lines on their report; ``submit`` sends it to the manager, with the
    facts as they stand now."""
    require(actor, perms.REPORT_WRITE.code)
    report = get_visible(WorkReport.objects.all(), viewer=actor, pk=report.pk, action="change")
    if report.author_id != actor.pk:
        raise PermissionDenied(_("Only the author writes a report."))
    if report.status != ReportStatus.DRAFT:
        raise Conflict(_("The report is already submitted."))
    changes: dict[str, Any] = {
        "summary": (summary or "").strip(),
        "problems": (problems or "").strip(),
        "next_plan": (next_plan or "").strip(),
    }
    if submit:
        changes.update(
            status=ReportStatus.SUBMITTED,
            submitted_at=timezone.now(),
            facts=facts_for(report.author, report.period_start, report.period_end),
        )
    before = audit.snapshot(report, ["summary", "problems", "next_plan", "status"])
    update_versioned(report, expected_version=expected_version, changes=changes)
    after = audit.snapshot(report, ["summary", "problems", "next_plan", "status"])
    audit.record(
        actor=actor,
        action="activities.report.submitted" if submit else "activities.report.written",
        obj=report,
        changes=audit.diff(before, after),
    )
    if submit:
        _notify_manager(report)
    return report


def manager_of(person: Any) -> Any:
    """The nearest manager above ``person`` (their unit's, or the parent unit's when they
    manage their own unit)."""
    for unit in reversed(unit_chain(person.unit)):
        if unit.manager_id and unit.manager_id != person.pk:
            return unit.manager
    return None


def _notify_manager(report: WorkReport) -> None:
    manager = manager_of(report.author)
    if manager is not None:
        notify(
            recipients=[manager],
            kind="activities.report.submitted",
            title=_("%(name)s submitted a %(kind)s")
            % {
                "name": report.author.display_name,
                "kind": report.get_kind_display(),
            },
            link=reverse("activities:report", args=[report.pk]),
            subject=report,
        )


@transaction.atomic
def review_report(
    *, actor: Any, report: WorkReport, expected_version: int, comment: str, rating: Any
) -> WorkReport:
    """A manager's comment and rating (点评, 1–5) on a submitted report of the team; the
    author is told in the inbox."""
    require(actor, perms.REPORT_REVIEW.code)
    report = get_visible(WorkReport.objects.all(), viewer=actor, pk=report.pk, action="change")
    if report.author_id == actor.pk:
        raise PermissionDenied(_("A report is reviewed by a manager, not its author."))
    if report.status == ReportStatus.DRAFT:
        raise Conflict(_("The report is not submitted yet."))
    comment = (comment or "").strip()
    try:
        score = int(rating)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise _invalid("rating", _("Rate from 1 to 5."))
    if not comment:
        raise _invalid("comment", _("Write a comment."))
    before = {"comment": report.comment, "rating": report.rating, "status": report.status}
    update_versioned(
        report,
        expected_version=expected_version,
        changes={
            "comment": comment,
            "rating": score,
            "reviewer": actor,
            "reviewed_at": timezone.now(),
            "status": ReportStatus.REVIEWED,
        },
    )
    audit.record(
        actor=actor,
        action="activities.report.reviewed",
        obj=report,
        changes=audit.diff(
            before, {"comment": comment, "rating": score, "status": ReportStatus.REVIEWED}
        ),
    )
    notify(
        recipients=[report.author],
        kind="activities.report.reviewed",
        title=_("%(name)s commented on your %(kind)s")
        % {
            "name": actor.display_name,
            "kind": report.get_kind_display(),
        },
        body=comment,
        link=reverse("activities:report", args=[report.pk]),
        subject=report,
    )
    return report


def people_in_the_field() -> list[Any]:
    """Every active salesperson and manager (the system's jobs draft and plan for them)."""
    from salescope.core.roles import Role
    from salescope.org.models import User

    return list(
        User.objects.unrestricted()
        .filter(is_active=True, role__in=[Role.SALESPERSON, Role.MANAGER])
        .order_by("username")
    )


# --- the calendar feed -----------------------------------------------------------------------


@transaction.atomic
def renew_feed(*, actor: Any) -> CalendarFeed:
    """The actor's secret calendar address, new (the old one stops working)."""
    require(actor, perms.FEED_RENEW.code)
    feed = CalendarFeed.objects.unrestricted().filter(person=actor).first() or CalendarFeed(
        person=actor
    )
    feed.token = secrets.token_urlsafe(32)
    feed.save()
    audit.record(actor=actor, action="activities.feed.renewed", obj=feed, changes={})
    return feed
