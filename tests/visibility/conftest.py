import pytest
from django.db import connection, transaction

from salescope.org.models import User
from tests.conftest import PERSONAS
from tests.visibility.widgets import Widget


@pytest.fixture(scope="session", autouse=True)
def widget_table(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201 - pytest-django
    """Create the test-only Widget table once in the test database."""
    with django_db_blocker.unblock():
        tables = connection.introspection.table_names()
        if Widget._meta.db_table not in tables:
            with connection.schema_editor() as editor:
                editor.create_model(Widget)
    return Widget


@pytest.fixture(autouse=True)
def _fresh_content_types() -> None:
    """Content types made inside a rolled-back test must not outlive it in Django's cache."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture(scope="module")
def _persona_world(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN202 - pytest-django
    """The demo organisation, built once per module inside a transaction that is rolled back
    when the module ends. Each test runs in a savepoint inside it (pytest-django's ``db``), so
    it starts from the same world and leaves nothing behind: the matrices' 1,600 cases no
    longer build the organisation 1,600 times."""
    from salescope.org import demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            demo.load(lambda _line: None)
            people = {u.username: u for u in User.objects.unrestricted().select_related("unit")}
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield people
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def personas(_persona_world, db) -> dict[str, User]:  # noqa: ANN001
    """The personas of tests/conftest.py, from the module's shared world (fresh from the
    database for each test, so that no test sees another's changes to them in memory)."""
    fresh = {
        u.pk: u
        for u in User.objects.unrestricted()
        .select_related("unit")
        .filter(pk__in=[u.pk for u in _persona_world.values()])
    }
    return {role: fresh[_persona_world[username].pk] for role, username in PERSONAS.items()}
