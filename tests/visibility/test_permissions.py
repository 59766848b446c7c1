"""R5: every write has a declared permission, and a role × action table decides who may.

The API's writes name their permission in the OpenAPI schema (``x-permission``), page writes
carry it on the view (``org.permissions.requires``). For every declared write and every
persona, a role outside the table is refused with 403 (or 404 when the object is invisible)
and nothing changes; a role inside it is not refused for its role. Anonymous requests get 401.
"""

import pytest

from salescope.core.models import AuditEntry
from salescope.org import permissions
from salescope.org.visibility import viewer_roles
from tests.visibility import registry
from tests.visibility.routes import (
    WRITE_METHODS,
    api_operations,
    call,
    openapi_schema,
    page_routes,
    view_permission,
)

registry.load_all()

API_WRITES = [op for op in api_operations() if op.method in WRITE_METHODS]
PERSONAS = [
    "salesperson",
    "team_lead",
    "regional_manager",
    "director",
    "finance",
    "marketing",
    "admin",
]
# Page writes that act only on the signed-in person, or happen before signing in.
PAGE_EXEMPT = {
    "login": "signing in",
    "logout": "signing out",
    "switch-language": "the person's own language",
    "password_change": "the person's own password",
    "token-create": "the person's own API token",
    "token-revoke": "the person's own API token (others' are 404: leak matrix)",
}
ANONYMOUS_ALLOWED = {"GET /api/v1/health"}


def _undeclared() -> list[str]:
    """Write routes (API and pages taking POST) without a declared permission."""
    api = [op.key for op in API_WRITES if op.permission not in permissions.REGISTRY]
    pages = [
        route.name
        for route in page_routes()
        if route.accepts_post
        and route.name not in PAGE_EXEMPT
        and view_permission(route.pattern.callback) not in permissions.REGISTRY
    ]
    return api + pages


def test_every_write_route_names_a_declared_permission():
    required = _undeclared()
    assert required == [], (
        "API writes need openapi_extra=permissions.api_permission('<app>.<entity>.<verb>'), "
        "page views taking POST @org.permissions.requires(...), with the permission declared "
        f"through org.permissions.declare: {required}"
    )


def test_an_undeclared_permission_allows_nobody(personas):
    assert not permissions.allows(personas["admin"], "org.nothing.done")
    with pytest.raises(KeyError):
        permissions.api_permission("org.nothing.done")


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize(
    "op",
    [op for op in API_WRITES if op.permission in permissions.REGISTRY],
    ids=lambda op: op.key,
)
def test_role_table_decides_each_api_write(personas, api_client, op, who):
    permission = permissions.REGISTRY[op.permission]
    actor = personas[who]
    params = {}
    if op.params:
        factory = registry.FACTORIES.get(op.path)
        if factory is None:
            pytest.skip("no factory registered (the leak matrix reports it)")
        params = factory(personas, actor).params
    client = api_client(actor)
    writes = AuditEntry.objects.exclude(action="core.access.denied").count()

    response = call(client, op, params, openapi_schema())

    allowed = bool(viewer_roles(actor) & permission.roles)
    if allowed:
        assert response.status_code != 403 or permission.scoped, response.content[:300]
    else:
        # 422: the schema-made body failed validation before any handler ran; still refused.
        assert response.status_code in (403, 404, 422), response.content[:300]
        assert AuditEntry.objects.exclude(action="core.access.denied").count() == writes


@pytest.mark.parametrize("op", api_operations(), ids=lambda op: op.key)
def test_anonymous_api_requests_get_401(db, client, op):
    if op.key in ANONYMOUS_ALLOWED:
        pytest.skip("public by design")
    params = dict.fromkeys(op.params, 1)
    response = call(client, op, params, openapi_schema())
    assert response.status_code == 401, response.content[:300]
    assert response.json()["code"] == "not_authenticated"
