from django.contrib import admin

from salescope.core.admin import ReadOnlyAdmin
from salescope.plans.models import Acknowledgement, ActionStep, Plan, Target


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("name", "fiscal_year", "quarter", "scope_unit", "owner", "status", "revision")
    list_filter = ("status", "fiscal_year")
    readonly_fields = ("status", "revision", "version", "approved_at", "approved_by")


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    """Targets change through the grid so they keep adding up."""

    list_display = ("plan", "metric", "label", "value", "bottom_up", "locked")
    list_filter = ("metric",)
    list_select_related = ("plan", "unit", "person", "category", "customer")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("plan", "person", "revision", "acknowledged_at")


@admin.register(ActionStep)
class ActionStepAdmin(ReadOnlyAdmin):
    list_display = ("what", "assignee", "due_date", "status", "plan")
