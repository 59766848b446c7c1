from salescope.core.models import AuditEntry
from salescope.org import demo
from salescope.org.models import ManagerTerm, Membership, OrgUnit, Territory, User


def test_demo_organisation_is_complete_and_loading_it_twice_changes_nothing(db):
    demo.load(lambda _line: None)
    counts = (
        OrgUnit.objects.unrestricted().count(),
        User.objects.unrestricted().count(),
        Territory.objects.unrestricted().count(),
        Membership.objects.count(),
        ManagerTerm.objects.count(),
        AuditEntry.objects.count(),
    )
    demo.load(lambda _line: None)
    assert counts == (24, 41, 17, 42, 24, 24 + 17)
    assert (
        OrgUnit.objects.unrestricted().count(),
        User.objects.unrestricted().count(),
        Territory.objects.unrestricted().count(),
        Membership.objects.count(),
        ManagerTerm.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    assert not OrgUnit.objects.unrestricted().filter(manager__isnull=True).exists()
    assert not User.objects.unrestricted().filter(position__isnull=True).exists()
    assert sorted(
        Territory.objects.unrestricted().filter(owner__isnull=True).values_list("code", flat=True)
    ) == [
        "CN-FJ",
        "CN-JS",
        "CN-YN",
    ]
