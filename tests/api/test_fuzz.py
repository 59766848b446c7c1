"""R22: schemathesis over the OpenAPI schema with a salesperson's token finds no 5xx.

Every operation gets bounded generated requests (valid and invalid); each answer must not be a
server error, must use a documented status code and content type, and must match the schema.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from salescope.wsgi import application

EXAMPLES_PER_OPERATION = 12
# Business rules may refuse schema-valid input (an end before a start: 422), so schemathesis's
# "valid data accepted" check does not apply; everything else an answer can break, does.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def salesperson_token(personas) -> Iterator[str]:  # noqa: ANN001
    """A salesperson's token; requests keep the test's connection (as Django's test Client
    does), so generated writes roll back with the test."""
    from salescope.org import services

    user = personas["salesperson"]
    raw = services.create_token(actor=user, user=user, name="fuzz").raw
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield raw
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_answers_every_generated_request_without_a_server_error(case, salesperson_token):  # noqa: ANN001
    case.call_and_validate(headers={"Authorization": f"Bearer {salesperson_token}"}, checks=CHECKS)


def test_no_two_output_shapes_share_a_schema_name():
    """The OpenAPI components are keyed by class name: two different classes of one name
    would leave one of them described by the other's fields."""
    import importlib
    import pkgutil

    from ninja import Schema

    import salescope

    for module in pkgutil.walk_packages(salescope.__path__, "salescope."):
        if module.name.endswith(("schemas", "api")):
            importlib.import_module(module.name)
    by_name: dict[str, set[tuple]] = {}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("salescope."):
                props = sub.model_json_schema().get("properties", {})
                shape = tuple(sorted(props.items(), key=str))
                by_name.setdefault(sub.__name__, set()).add(repr(shape))
            walk(sub)

    walk(Schema)
    clashes = sorted(name for name, shapes in by_name.items() if len(shapes) > 1)
    assert clashes == []
