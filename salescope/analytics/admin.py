from django.contrib import admin

from salescope.analytics.models import Alert
from salescope.core.admin import ReadOnlyAdmin


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("kind", "owner", "manager", "plan", "status", "raised_at")
    list_filter = ("kind", "status")
    readonly_fields = ("key", "facts")
