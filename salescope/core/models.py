from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salescope.core.audit_context import AuditSource
from salescope.core.ownership import VIEW, Ownership, RestrictedManager
from salescope.core.roles import Role


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit entry (R15)."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One write, as it happened: who, when, what, old → new, and through which door.

    Rows are only ever inserted. The ORM refuses updates and deletes here, and database
    triggers refuse UPDATE (migration 0003), DELETE and, on PostgreSQL, TRUNCATE (0005) for any
    client; only ``salescope flush``, which empties every table, lifts them in its transaction.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=AuditSource.choices)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries are append-only.")

    @property
    def action_label(self) -> str:
        """What happened, in the reader's language (``core.audit_labels``)."""
        from salescope.core.audit_labels import describe

        return describe(self.action, self.object_type)


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Make-up working day")


class CalendarDay(models.Model):
    """One exception to the Monday–Friday week: a public holiday, or a weekend day worked in
    exchange (调休上班). Seeded from the State Council's schedule (``salescope calendar load``)
    and editable by an administrator; pace by working days reads it through
    :func:`salescope.core.calendar.holidays_and_workdays`."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    # Everyone signed in reads the calendar; only administrators change it (core.permissions).
    ownership = Ownership(everyone={VIEW}, company_roles={Role.ADMINISTRATOR: "*"}, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("work calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name or self.get_kind_display()}"


class ScheduledRun(models.Model):
    """One day's run of a daily task (``core.tasks.daily``), claimed by the first worker that
    finds it due: the unique (task, day) pair is what keeps two workers from enqueuing it twice.
    System data, read by nobody but the worker."""

    task = models.CharField(_("task"), max_length=200)
    day = models.DateField(_("day"))
    enqueued_at = models.DateTimeField(_("enqueued at"), default=timezone.now)
    result_id = models.CharField(_("task result"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["task", "day"], name="core_scheduledrun_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.day:%Y-%m-%d}"
