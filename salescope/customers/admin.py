from django.contrib import admin

from salescope.core.admin import ReadOnlyAdmin, ReadOnlyInline
from salescope.customers.models import Contact, Customer


class ContactInline(ReadOnlyInline):
    model = Contact


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "tier", "owner", "territory", "status", "deleted_at"]
    list_filter = ["kind", "tier", "status"]
    search_fields = ["code", "name", "phone", "tax_number"]
    raw_id_fields = ["owner", "parent", "merged_into"]
    inlines = [ContactInline]
