"""The inbox in the leak matrix: a colleague's notification is missing to everyone else."""

from salescope.notifications import services
from tests.visibility.registry import Target, register


@register("notifications:open", "notifications:read", "/api/v1/inbox/{notification_id}/read")
def notification(personas, owner):
    (made,) = services.notify(recipients=[owner], kind="tests.leak", title="给你的通知")
    return Target(params={"pk": made.pk, "notification_id": made.pk}, obj=made)


@register("/api/v1/webhooks/{webhook_id}")
def webhook(personas, owner):
    """A group robot of the owner's unit: only administrators see or change one."""
    from salescope.notifications.models import Webhook

    made = Webhook.objects.create(
        unit=owner.unit, kind="wecom", url="https://qyapi.weixin.qq.com/x", secret=""
    )
    body = {"unit_id": owner.unit_id, "kind": "wecom", "url": "https://example.com/robot"}
    return Target(params={"webhook_id": made.pk}, obj=made, bodies={"PUT": body})
