from django.http import HttpRequest

from salescope.notifications import queries


def inbox(request: HttpRequest) -> dict:
    """The page shell's inbox link: the signed-in person's unread count (one indexed count)."""
    if not request.user.is_authenticated:
        return {}
    return {"inbox_unread": queries.unread_count(viewer=request.user)}
