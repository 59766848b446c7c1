from django.contrib import admin

from salescope.analytics.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("kind", "owner", "manager", "plan", "status", "raised_at")
    list_filter = ("kind", "status")
    readonly_fields = ("key", "facts")
