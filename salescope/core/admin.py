"""The Django admin is a read-only window for administrators: every change goes through the
pages, the API or the command line, whose services check versions and write the audit trail
(R14). Nothing here adds, changes or deletes a record."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from salescope.core.models import AuditEntry, CalendarDay, ScheduledRun
from salescope.core.ownership import all_records


class _AllRecordsRelatedFilter(admin.RelatedFieldListFilter):
    """A filter by a related record, offering every one of them (as the list shows all)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        records = all_records(field.related_model)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            records = records.order_by(*ordering)
        return [(record.pk, str(record)) for record in records]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows records, whoever owns them (the admin is the administrators'); no
    add, change or delete."""

    def get_list_filter(self, request: HttpRequest) -> list:
        filters = []
        for name in super().get_list_filter(request):
            field = self.model._meta.get_field(name) if isinstance(name, str) else None
            related = (
                isinstance(name, str)
                and field is not None
                and field.is_relation
                and "__" not in name
            )
            filters.append((name, _AllRecordsRelatedFilter) if related else name)
        return filters

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = all_records(self.model)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return all_records(self.model)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail is append-only (R15)."""

    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "source"]
    list_filter = ["source", "action"]
    search_fields = ["actor_label", "action", "object_repr", "object_id"]
    date_hierarchy = "at"


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    """Changes go through the work calendar page or API, which audit them."""

    list_display = ["date", "kind", "name", "version"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    """The daily tasks' runs (core.tasks.daily); the tasks themselves are under Tasks DB."""

    list_display = ("task", "day", "enqueued_at", "result_id")
    list_filter = ("task",)
    ordering = ("-day", "task")
