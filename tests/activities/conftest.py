import itertools

import pytest
from django.utils import translation

from salescope.activities import services
from salescope.activities.models import CoverageRule
from salescope.customers.models import Customer

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _english_messages():
    """Services speak the active language; these tests assert the English msgids."""
    with translation.override("en"):
        yield


def make_customer(owner, tier="A", name=None, location=(31.2304, 121.4737)):  # noqa: ANN001, ANN201
    n = next(_serial)
    customer = Customer.objects.create(
        code=f"ACT-C{n:04d}", name=name or f"拜访客户{n}", owner=owner, tier=tier
    )
    if location:
        services.set_customer_location(
            actor=owner, customer=customer, latitude=location[0], longitude=location[1]
        )
    return customer


@pytest.fixture
def shop(personas):
    return make_customer(personas["salesperson"], tier="A", name="联华超市(人民广场店)")


@pytest.fixture
def south_shop(personas):
    return make_customer(personas["other_region_salesperson"], tier="A", name="华南便利店")


@pytest.fixture
def checklist(personas):
    return services.save_checklist_template(
        actor=personas["admin"],
        visit_type="routine",
        name="例行拜访清单",
        items=[("确认发货数量", "check"), ("张贴海报", "check"), ("检查库存(箱)", "number")],
    )


@pytest.fixture
def coverage(personas):
    services.set_coverage_rule(actor=personas["admin"], tier="A", visits=1, period="week")
    services.set_coverage_rule(actor=personas["admin"], tier="B", visits=1, period="month")
    return CoverageRule.objects.unrestricted()
