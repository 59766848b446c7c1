"""How target cells are stored for speed keeps the rules: a master record a target names
cannot be deleted, and the decomposition's audit entry summarises the whole write."""

import pytest
from django.db.models import ProtectedError

from salescope.catalog.models import Category
from salescope.core.models import AuditEntry
from salescope.plans import services
from salescope.plans.choices import Axis
from salescope.plans.models import Target
from salescope.plans.services import Step


def test_a_category_named_by_a_target_cannot_be_deleted(plan, personas):
    """The coordinates carry no database constraint (bench_plans.py): Django's PROTECT still
    refuses the delete."""
    category = Category.objects.create(code="S1", name="饮料", path="80/")
    root = plan.targets.get(parent=None)
    services.decompose_target(
        actor=personas["director"],
        target=root,
        steps=[Step(Axis.ORG)] * 4 + [Step(Axis.PRODUCT)],
    )
    assert Target.objects.unrestricted().filter(plan=plan, category=category).exists()
    with pytest.raises(ProtectedError):
        category.delete()
    assert Category.objects.unrestricted().filter(pk=category.pk).exists()


def test_one_audit_entry_records_a_whole_decomposition(plan, personas):
    root = plan.targets.get(parent=None)
    before = AuditEntry.objects.count()
    created = services.decompose_target(
        actor=personas["director"],
        target=root,
        steps=[Step(Axis.ORG)] * 4 + [Step(Axis.MONTH)],
    )
    entries = AuditEntry.objects.filter(action="plans.target.decomposed")
    assert AuditEntry.objects.count() == before + 1
    assert (
        entries.get().changes["cells_created"]
        == created
        == Target.objects.unrestricted().filter(plan=plan).count() - 1
    )
