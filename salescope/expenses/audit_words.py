"""How the expense app's audit actions read in the history tables (``core.audit_labels``)."""

from django.utils.translation import gettext_lazy as _

from salescope.core.audit_labels import register_labels


def register() -> None:
    register_labels(
        verbs={
            "rejected": _("rejected"),
            "paid": _("paid"),
            "manager_approved": _("approved by the manager"),
        },
        models={
            "expenses.record": "expenses.expense",
            "expenses.category": "expenses.expensecategory",
        },
    )
