from django.contrib import admin

from salescope.customers.models import Contact, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "tier", "owner", "territory", "status", "deleted_at"]
    list_filter = ["kind", "tier", "status"]
    search_fields = ["code", "name", "phone", "tax_number"]
    raw_id_fields = ["owner", "parent", "merged_into"]
    inlines = [ContactInline]
