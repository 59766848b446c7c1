"""The inbox's writes (R5): everyone reads and marks their own notifications, nobody else's."""

from salescope.org.permissions import ADMIN_ONLY, EVERY_ROLE, declare

INBOX_CHANGE = declare("notifications.inbox.change", roles=EVERY_ROLE, scoped=True)
WEBHOOK_CHANGE = declare("notifications.webhook.change", roles=ADMIN_ONLY)
