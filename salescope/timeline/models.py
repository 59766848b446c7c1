"""The customer-centred timeline (客户时间线, C5): one stream of what happened with a customer or
one of its records (an opportunity, later a visit), newest first.

An event belongs to the person who owns what it is about (``owner``): the opportunity's owner
for its stage changes, the customer's owner for a note on the customer. So the one rule
decides who reads it, and a manager who sees the opportunity sees its events, while a
salesperson who sees the customer does not see events of another person's opportunity.
``subject_type``/``subject_id`` name the record the event is about (``pipeline.opportunity``,
``42``) without a database foreign key, so apps above may add subjects of their own.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.core.ownership import Ownership, RestrictedManager
from salescope.core.roles import Role
from salescope.timeline.choices import EventKind


class Event(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="timeline_events",
        null=True,
        blank=True,
    )
    subject_type = models.CharField(_("about"), max_length=60, blank=True)
    subject_id = models.CharField(max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    summary = models.CharField(_("summary"), max_length=500)
    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="timeline_events",
    )

    ownership = Ownership(person="owner", roles={Role.FINANCE: {"view"}}, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-at"], name="timeline_customer_at"),
            models.Index(fields=["subject_type", "subject_id", "-at"], name="timeline_subject_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"
