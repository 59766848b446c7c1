"""The organisation's declared permissions (R5); the machinery is ``core.permissions``."""

from salescope.core.permissions import (  # noqa: F401 - the machinery, re-exported for callers
    ADMIN_ONLY,
    EVERY_ROLE,
    REGISTRY,
    Permission,
    allows,
    api_permission,
    declare,
    require,
    requires,
    roles_of,
)

# The organisation's writes. Restructuring the company is the administrator's job; sharing a
# record is open to anyone who may change that record (checked through visibility).
UNIT_CREATE = declare("org.unit.create", roles=ADMIN_ONLY)
UNIT_CHANGE = declare("org.unit.change", roles=ADMIN_ONLY)
UNIT_DELETE = declare("org.unit.delete", roles=ADMIN_ONLY)
PERSON_CREATE = declare("org.person.create", roles=ADMIN_ONLY)
PERSON_CHANGE = declare("org.person.change", roles=ADMIN_ONLY)
PERSON_MOVE = declare("org.person.move", roles=ADMIN_ONLY)
PERSON_DEACTIVATE = declare("org.person.deactivate", roles=ADMIN_ONLY)
POSITION_CREATE = declare("org.position.create", roles=ADMIN_ONLY)
POSITION_CHANGE = declare("org.position.change", roles=ADMIN_ONLY)
POSITION_DELETE = declare("org.position.delete", roles=ADMIN_ONLY)
TERRITORY_CREATE = declare("org.territory.create", roles=ADMIN_ONLY)
TERRITORY_CHANGE = declare("org.territory.change", roles=ADMIN_ONLY)
TERRITORY_DELETE = declare("org.territory.delete", roles=ADMIN_ONLY)
ORG_IMPORT = declare("org.import.run", roles=ADMIN_ONLY)
SHARE_CREATE = declare("org.share.create", roles=EVERY_ROLE, scoped=True)
SHARE_DELETE = declare("org.share.delete", roles=EVERY_ROLE, scoped=True)
# Personal settings every signed-in person may change for themselves only.
SELF_SERVICE = declare("org.self.change", roles=EVERY_ROLE, scoped=True)
