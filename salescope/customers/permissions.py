"""The customer writes and the roles that may make them (R5); records are still checked
through ``org.visibility`` (``scoped`` = any sales role, on records it may change)."""

from salescope.org.choices import Role
from salescope.org.permissions import declare

SALES_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER, Role.SALESPERSON}
)
MANAGER_ROLES = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER})
# Who may be given a book of customers (a handover's new owner): the people who sell, a sales
# director included (key accounts are often his own).
OWNER_ROLES = frozenset({Role.SALESPERSON, Role.MANAGER, Role.SALES_DIRECTOR})
# Who sets credit limits and payment terms (信用额度、账期): finance among them, on every customer
# it may see, without being able to change anything else of the customer.
CREDIT_ROLES = frozenset({Role.ADMINISTRATOR, Role.SALES_DIRECTOR, Role.FINANCE})

CUSTOMER_CREATE = declare("customers.customer.create", roles=SALES_ROLES)
CUSTOMER_CHANGE = declare("customers.customer.change", roles=SALES_ROLES, scoped=True)
CUSTOMER_DELETE = declare("customers.customer.delete", roles=SALES_ROLES, scoped=True)
CUSTOMER_ARCHIVE = declare("customers.customer.archive", roles=SALES_ROLES, scoped=True)
CUSTOMER_RESTORE = declare("customers.customer.restore", roles=SALES_ROLES, scoped=True)
CONTACT_CREATE = declare("customers.contact.create", roles=SALES_ROLES, scoped=True)
CONTACT_CHANGE = declare("customers.contact.change", roles=SALES_ROLES, scoped=True)
CREDIT_TERMS_CHANGE = declare("customers.credit_terms.change", roles=CREDIT_ROLES)
CUSTOMER_MERGE = declare("customers.customer.merge", roles=MANAGER_ROLES)
OWNER_HAND_OVER = declare("customers.owner.hand_over", roles=MANAGER_ROLES)
