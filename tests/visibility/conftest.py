import pytest
from django.db import connection

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
