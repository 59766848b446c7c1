"""How the API knows who calls: a personal bearer token, or the browser's session with its
CSRF token (R18). Tokens are the organisation's (``org.services.authenticate_token``)."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from ninja.utils import check_csrf

from salescope.core.errors import PermissionDenied
from salescope.core.request_memo import SAFE_METHODS
from salescope.org import services as org_services


class BearerTokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # A GET changes nothing: the token's read also reads what its holder manages.
        user = org_services.authenticate_token(token, read_only=request.method in SAFE_METHODS)
        if user is not None:
            request.user = user
        return user


class SessionCsrfAuth(SessionAuth):
    """The browser's session, for htmx and the docs page; writes must carry the CSRF token (R18).

    Unlike ninja's ``django_auth``, an anonymous request is not CSRF-checked first, so it gets
    401 rather than 403, and a script whose bearer token failed is told it is unauthenticated.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDenied(_("CSRF check failed: reload the page and try again."))
        return request.user


# Bearer first: a script's token is not an ambient credential, so it needs no CSRF token.
# ``csrf=True`` (the default) also tells the docs page to send the token with "Try it out".
api_auth = [BearerTokenAuth(), SessionCsrfAuth()]
