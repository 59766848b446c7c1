from django.contrib import admin

from salescope.plans.models import Acknowledgement, ActionStep, Plan, Target


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "fiscal_year", "quarter", "scope_unit", "owner", "status", "revision")
    list_filter = ("status", "fiscal_year")
    readonly_fields = ("status", "revision", "version", "approved_at", "approved_by")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """Read-only here: targets change through the grid so they keep adding up."""

    list_display = ("plan", "metric", "label", "value", "bottom_up", "locked")
    list_filter = ("metric",)
    list_select_related = ("plan", "unit", "person", "category", "customer")

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ("plan", "person", "revision", "acknowledged_at")


@admin.register(ActionStep)
class ActionStepAdmin(admin.ModelAdmin):
    list_display = ("what", "assignee", "due_date", "status", "plan")
