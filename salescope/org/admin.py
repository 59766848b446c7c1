from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from salescope.core.admin import ReadOnlyAdmin
from salescope.org.models import (
    ApiToken,
    Membership,
    OrgUnit,
    Position,
    RecordShare,
    Territory,
    User,
)


@admin.register(User)
class UserAdmin(ReadOnlyAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "unit", "position", "is_active"]
    list_filter = ["role", "is_active", "unit"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Salescope"),
            {
                "fields": (
                    "full_name",
                    "role",
                    "extra_roles",
                    "unit",
                    "position",
                    "duties",
                    "phone",
                    "language",
                )
            },
        ),
    )


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    """Units are created, moved and given managers on the org pages, through the services
    that keep paths, manager history and the audit trail right."""

    list_display = ["name", "code", "kind", "parent", "manager", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Territory)
class TerritoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "unit", "owner"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["person", "unit", "started_on", "ended_on"]
    search_fields = ["person__username", "person__full_name", "unit__name"]


@admin.register(RecordShare)
class RecordShareAdmin(ReadOnlyAdmin):
    list_display = ["content_type", "object_id", "grantee", "grantee_unit", "access", "granted_by"]


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ["name"]
    search_fields = ["name", "duties"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
