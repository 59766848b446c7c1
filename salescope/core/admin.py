from django.contrib import admin

from salescope.core.models import AuditEntry, CalendarDay


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only (R15)."""

    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "source"]
    list_filter = ["source", "action"]
    search_fields = ["actor_label", "action", "object_repr", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Read-only here: changes go through the work calendar page or API, which audit them."""

    list_display = ["date", "kind", "name", "version"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
