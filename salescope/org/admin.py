from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

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
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "unit", "position", "is_active"]
    list_filter = ["role", "is_active", "unit"]
    search_fields = ["username", "full_name", "email"]
    # Moves keep the membership history: make them on the person page (调动), not here.
    readonly_fields = ["unit"]
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
class OrgUnitAdmin(admin.ModelAdmin):
    """Read-mostly: units are created, moved and given managers on the org pages, through the
    services that keep paths, manager history and the audit trail right."""

    list_display = ["name", "code", "kind", "parent", "manager", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "parent", "manager"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "owner"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["unit", "owner", "parent"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "unit", "started_on", "ended_on"]
    search_fields = ["person__username", "person__full_name", "unit__name"]

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(RecordShare)
class RecordShareAdmin(admin.ModelAdmin):
    list_display = ["content_type", "object_id", "grantee", "grantee_unit", "access", "granted_by"]

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name", "duties"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
