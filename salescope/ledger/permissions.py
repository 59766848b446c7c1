"""The ledger writes and the roles that may make them (R5)."""

# The right to import at all is the import framework's (core), checked by every importer.
from salescope.core.importing.permissions import IMPORT_RUN, IMPORTERS  # noqa: F401
from salescope.org.choices import Role
from salescope.org.permissions import EVERY_ROLE, declare

SALES_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER, Role.SALESPERSON}
)
CREDIT_RELEASE_ROLES = frozenset({Role.ADMINISTRATOR, Role.SALES_DIRECTOR, Role.FINANCE})
RECEIVABLE_WRITERS = frozenset({Role.ADMINISTRATOR, Role.FINANCE, Role.SALES_DIRECTOR})

ORDER_CREATE = declare("ledger.order.create", roles=SALES_ROLES, scoped=True)
ORDER_CONFIRM = declare("ledger.order.confirm", roles=SALES_ROLES, scoped=True)
ORDER_RELEASE = declare("ledger.order.release", roles=CREDIT_RELEASE_ROLES)
INVOICE_ISSUE = declare("ledger.invoice.issue", roles=RECEIVABLE_WRITERS)
COLLECTION_RECORD = declare("ledger.collection.record", roles=RECEIVABLE_WRITERS)
COLLECTION_ALLOCATE = declare("ledger.collection.allocate", roles=RECEIVABLE_WRITERS)
PRESET_SAVE = declare("ledger.import_preset.save", roles=IMPORTERS)
# Everyone keeps their own explorer views (销售分析 saved views); scoped: only their own.
SAVED_VIEW = declare("ledger.saved_view.save", roles=EVERY_ROLE, scoped=True)
