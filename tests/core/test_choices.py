"""The long lists' choice labels say what Django's ``get_FOO_display()`` says."""

import pytest
from django.db.models import Model
from django.utils import translation

from salescope.customers.choices import CustomerKind
from salescope.customers.models import Customer
from salescope.ledger.choices import LineKind
from salescope.ledger.models import SalesLine

CASES = [(Customer, CustomerKind), (SalesLine, LineKind)]


def django_display(row: Model, name: str) -> object:
    """Django's own answer, which the models' ``get_kind_display`` replaces."""
    return Model._get_FIELD_display(row, row._meta.get_field(name))  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
@pytest.mark.parametrize(("model", "choices"), CASES, ids=["customer", "sales-line"])
def test_kind_label_is_djangos_in_every_language(model, choices, language):
    with translation.override(language):
        for value in [*choices.values, "no-such-kind", ""]:
            row = model(kind=value)
            assert row.get_kind_display() == django_display(row, "kind"), value


def test_kind_label_follows_the_active_language():
    row = Customer(kind=CustomerKind.DEALER)
    with translation.override("zh-hans"):
        assert row.get_kind_display() == "经销商"
    with translation.override("en"):
        assert row.get_kind_display() == "Dealer"
