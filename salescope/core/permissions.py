"""The shared kernel's writes, declared for the role × action table (R5).

Same pattern as ``salescope.org.permissions``: each write is declared once with the roles that
may make it; services call ``require`` and routes name the code.
"""

from salescope.org.permissions import ADMIN_ONLY, declare

# The work calendar (public holidays and make-up working days) is company-wide settings.
CALENDAR_CHANGE = declare("core.calendar.change", roles=ADMIN_ONLY)
