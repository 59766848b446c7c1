"""R1: no record leaks by id, on any route, page or API.

For every route with an object id (from the URL resolver and the OpenAPI schema), 张伟 (a 华东
salesperson) requests an object belonging to 陈静 (华南) with every method the route takes. He
must get exactly what he gets for an id that does not exist, nothing may change, and reaching an
existing invisible record leaves a ``core.access.denied`` entry. Objects every signed-in person
may see (the org chart) are checked for refused writes instead. New routes join by themselves
and fail until their app registers a factory in ``tests/<app>/leaks.py`` (see registry.py).
"""

import re

import pytest
from django.forms.models import model_to_dict

from salescope.core.models import AuditEntry
from salescope.core.ownership import all_records
from tests.visibility import registry
from tests.visibility.routes import (
    PAGE_METHODS,
    WRITE_METHODS,
    api_operations_with_ids,
    call,
    openapi_schema,
    page_routes_with_ids,
)

registry.load_all()

MISSING_ID = 2_147_480_000
PAGES = page_routes_with_ids()
API = api_operations_with_ids()
ATTACKER = "salesperson"
VICTIM = "other_region_salesperson"
CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


def _state(obj):  # noqa: ANN001, ANN202
    if obj is None:
        return None
    fresh = all_records(type(obj)).filter(pk=obj.pk).first()
    return None if fresh is None else model_to_dict(fresh)


def _writes() -> int:
    return AuditEntry.objects.exclude(action="core.access.denied").count()


def _denied(obj) -> int:  # noqa: ANN001
    return AuditEntry.objects.filter(
        action="core.access.denied",
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
    ).count()


def _body(response) -> bytes:  # noqa: ANN001
    """The body without what differs by request anyway: CSRF tokens and the page's own path
    (the language switcher's "next")."""
    path = response.wsgi_request.get_full_path().encode()
    return CSRF.sub(rb"\1-", response.content).replace(path, b"<path>")


def _unregistered() -> list[str]:
    """Routes with an object id and neither a leak-matrix factory nor a stated exemption."""
    keys = [r.name for r in PAGES]
    keys += sorted({op.path for op in API})
    return [key for key in keys if key not in registry.FACTORIES and key not in registry.EXEMPT]


def test_every_route_with_an_id_has_a_factory_or_a_stated_exemption():
    required = _unregistered()
    assert required == [], (
        "Routes with an object id need a leak-matrix factory in tests/<app>/leaks.py "
        f"(see tests/visibility/registry.py): {required}"
    )


def test_the_matrix_sees_the_organisations_routes():
    assert {"org:person", "org:unit", "org:territory", "token-revoke"} <= {r.name for r in PAGES}
    assert {"/api/v1/org/people/{person_id}", "/api/v1/tokens/{token_id}"} <= {
        op.path for op in API
    }


def _check(target, method, colleague, missing) -> None:  # noqa: ANN001
    if target.everyone_sees:
        if method == "get":
            assert colleague.status_code == 200
        else:
            assert colleague.status_code in (403, 405), colleague.content[:300]
        return
    assert colleague.status_code == missing.status_code, colleague.content[:300]
    assert colleague.status_code >= 400, colleague.content[:300]
    assert _body(colleague) == _body(missing)


@pytest.mark.parametrize(
    ("route", "method"),
    [(r, m) for r in PAGES for m in PAGE_METHODS if m == "get" or r.accepts_post],
    ids=lambda value: value.name if hasattr(value, "name") else value,
)
def test_page_returns_the_same_as_missing_for_a_colleagues_object(
    personas, login_client, route, method
):
    factory = registry.FACTORIES.get(route.name)
    if factory is None:
        pytest.skip(registry.EXEMPT.get(route.name, "not registered: see the test above"))
    target = factory(personas, personas[VICTIM])
    client = login_client(personas[ATTACKER])
    before, writes, denied = _state(target.obj), _writes(), _denied(target.obj)

    colleague = getattr(client, method)(route.url(target.params))
    missing = getattr(client, method)(route.url(dict.fromkeys(target.params, MISSING_ID)))

    _check(target, method, colleague, missing)
    assert _state(target.obj) == before
    assert _writes() == writes
    if colleague.status_code == 404:
        assert _denied(target.obj) == denied + 1


@pytest.mark.parametrize("op", API, ids=lambda op: op.key)
def test_api_returns_the_same_as_missing_for_a_colleagues_object(personas, api_client, op):
    factory = registry.FACTORIES.get(op.path)
    if factory is None:
        pytest.skip(registry.EXEMPT.get(op.path, "not registered: see the test above"))
    target = factory(personas, personas[VICTIM])
    client = api_client(personas[ATTACKER])
    root = openapi_schema()
    body = target.bodies.get(op.method.upper())
    before, writes, denied = _state(target.obj), _writes(), _denied(target.obj)

    colleague = call(client, op, target.params, root, body)
    missing = call(client, op, dict.fromkeys(target.params, MISSING_ID), root, body)

    _check(target, op.method, colleague, missing)
    if not target.everyone_sees:
        assert colleague.json()["code"] == missing.json()["code"]
    assert _state(target.obj) == before
    assert _writes() == writes
    if colleague.status_code == 404 and op.method not in WRITE_METHODS:
        assert _denied(target.obj) == denied + 1
