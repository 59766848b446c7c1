from django.contrib import admin

from salescope.commissions.models import CommissionPlan, Statement
from salescope.core.admin import ReadOnlyAdmin

admin.site.register(CommissionPlan, ReadOnlyAdmin)
admin.site.register(Statement, ReadOnlyAdmin)
