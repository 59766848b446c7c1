"""The inbox in the leak matrix: a colleague's notification is missing to everyone else."""

from salescope.notifications import services
from tests.visibility.registry import Target, register


@register("notifications:open", "notifications:read", "/api/v1/inbox/{notification_id}/read")
def notification(personas, owner):
    (made,) = services.notify(recipients=[owner], kind="tests.leak", title="给你的通知")
    return Target(params={"pk": made.pk, "notification_id": made.pk}, obj=made)
