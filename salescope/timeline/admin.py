from django.contrib import admin

from salescope.core.admin import ReadOnlyAdmin
from salescope.timeline.models import Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "customer", "subject_type", "subject_id", "owner", "actor"]
    list_filter = ["kind"]
    raw_id_fields = ["customer", "actor", "owner"]
