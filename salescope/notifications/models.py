"""The one inbox: a notification for one person (warnings, escalations, instructions, comments).

Every app that tells someone something goes through :func:`salescope.notifications.services.
notify`; a row here is what the person sees in their inbox. A notification belongs to its
recipient alone: not even the managers above them read it (queries narrow to ``own_records``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.core.ownership import ALL, Ownership, RestrictedManager
from salescope.core.roles import Role

# Only the recipient acts on a notification: no company-wide grant, no shares. The managers
# above the recipient would reach it through the org tree, so every read uses own_records.
PRIVATE = Ownership(person="recipient", company_roles={}, shareable=False)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # "<app>.<entity>.<event>", e.g. "activities.report.commented": what happened.
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # A path inside Salescope (never an outside address): where the person goes to act.
    link = models.CharField(_("link"), max_length=300, blank=True)
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed = models.BooleanField(default=False)

    ownership = PRIVATE
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class InboxSetting(models.Model):
    """A person's choices about notifications: email as well as the inbox (off by default)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="inbox_setting",
    )
    email = models.BooleanField(_("also by email"), default=False)

    ownership = Ownership(person="person", company_roles={}, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("inbox setting")
        verbose_name_plural = _("inbox settings")

    def __str__(self) -> str:
        return str(self.person_id)


class WebhookKind(models.TextChoices):
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")


# Only administrators configure and read group robots (their address and secret post into a
# company chat group); nobody owns one.
ADMIN_SETUP = Ownership(company_roles={Role.ADMINISTRATOR: ALL}, shareable=False)


class Webhook(models.Model):
    """A DingTalk or WeCom group robot (群机器人) of an org unit: notifications of the people in
    the unit and the units below it are posted to the group after they are committed
    (``escalations_only``: only escalations). DingTalk's signed mode uses ``secret``."""

    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="webhooks"
    )
    kind = models.CharField(_("platform"), max_length=20, choices=WebhookKind.choices)
    url = models.URLField(_("robot address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    escalations_only = models.BooleanField(_("only escalations"), default=True)
    active = models.BooleanField(_("active"), default=True)

    ownership = ADMIN_SETUP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["unit_id", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit_id}"
