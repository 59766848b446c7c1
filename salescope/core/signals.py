"""Sign-ins, sign-outs and failed sign-ins go to the audit trail (R14)."""

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from salescope.core import audit
from salescope.core.middleware import SESSION_LOGIN_AT, SESSION_RENEWED_AT


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        # The absolute session lifetime counts from here (SessionLifetimeMiddleware, R19).
        now = time.time()
        request.session[SESSION_LOGIN_AT] = now
        request.session[SESSION_RENEWED_AT] = now
    audit.record(actor=user, action="core.session.logged_in", obj=user)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action="core.session.logged_out", obj=user)


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        actor=None,
        action="core.session.login_failed",
        object_type="org.user",
        object_repr=username,
    )
