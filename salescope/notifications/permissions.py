"""The inbox's writes (R5): everyone reads and marks their own notifications, nobody else's."""

from salescope.org.permissions import EVERY_ROLE, declare

INBOX_CHANGE = declare("notifications.inbox.change", roles=EVERY_ROLE, scoped=True)
