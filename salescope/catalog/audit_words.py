"""How the catalogue's audit actions read in the history tables (``core.audit_labels``)."""

from django.utils.translation import gettext_lazy as _

from salescope.core.audit_labels import register_labels


def register() -> None:
    register_labels(
        verbs={
            "adjusted": _("adjusted"),
            "received": _("received"),
            "cancelled": _("cancelled"),
            "removed": _("removed"),
        },
        models={
            "catalog.price": "catalog.pricelistitem",
            "catalog.stock": "catalog.stocklevel",
            "catalog.supply": "catalog.incomingsupply",
        },
    )
