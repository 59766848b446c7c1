"""Who may run an import at all (each importer adds its own checks, e.g. protected fields).

Declared here, on the ground floor, because every app's importer checks it; the code keeps the
name it was published under.
"""

from salescope.core.permissions import declare
from salescope.core.roles import Role

IMPORTERS = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER, Role.FINANCE}
)
IMPORT_RUN = declare("ledger.import.run", roles=IMPORTERS)
