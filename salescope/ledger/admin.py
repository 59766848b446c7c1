from django.contrib import admin

from salescope.core.admin import ReadOnlyAdmin
from salescope.ledger.models import Collection, ImportJob, ImportPreset, Invoice, Order


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "owner", "date", "status", "amount_fen"]
    list_filter = ["status"]
    search_fields = ["number"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "customer",
        "owner",
        "issue_date",
        "due_date",
        "amount_fen",
        "paid_fen",
        "status",
    ]
    list_filter = ["status"]
    search_fields = ["number"]


@admin.register(Collection)
class CollectionAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "date", "amount_fen", "allocated_fen"]
    search_fields = ["number"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "filename", "status", "created_by", "created_at"]
    list_filter = ["status", "kind"]


admin.site.register(ImportPreset, ReadOnlyAdmin)
