"""How the commissions' audit actions read in the history tables (``core.audit_labels``)."""

from django.utils.translation import gettext_lazy as _

from salescope.core.audit_labels import register_labels


def register() -> None:
    register_labels(
        events={
            "commissions.statements.computed": _("Commission statements computed"),
            "commissions.statements.exported": _("Commission statements exported for payroll"),
        },
        verbs={"unassigned": _("assignment removed")},
        models={
            "commissions.plan": "commissions.commissionplan",
            "commissions.assignment": "commissions.commissionassignment",
        },
    )
