import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salescope.core.ownership import VIEW, Ownership, RestrictedManager
from salescope.org.choices import Role, ShareAccess, TerritoryKind, UnitKind

PATH_STEP = 4  # each level of OrgUnit.path is a zero-padded 4-digit sibling number


class OrgUnit(models.Model):
    """A node of the sales organisation: company → region → branch → team (any depth).

    ``path`` is a materialised path ("0001.0003.") so a whole subtree is one indexed
    ``path LIKE 'prefix%'`` filter, with no recursion per row.
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    manager = models.ForeignKey(
        "org.User",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_units",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    # Everyone signed in sees the org chart; managers may change their subtree; only
    # administrators restructure the whole company (see org.permissions for who may write).
    ownership = Ownership(
        unit="id", everyone={VIEW}, company_roles={Role.ADMINISTRATOR: "*"}, shareable=False
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // (PATH_STEP + 1)


class Position(models.Model):
    """A position (岗位) with its written duties (岗位职责)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    duties = models.TextField(_("duties"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(everyone={VIEW}, company_roles={Role.ADMINISTRATOR: "*"}, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PeopleManager(RestrictedManager, UserManager):
    """Django's user manager on the restricted queryset. Signing in looks a person up by
    username before anyone is signed in: that one read is the system's. Migrations get a plain
    manager: they move data, they do not read on anyone's behalf."""

    use_in_migrations = False

    def get_by_natural_key(self, username: str | None) -> Any:
        return self.unrestricted().get(**{User.USERNAME_FIELD: username})

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> Any:
        """A superuser is a Salescope administrator: as Django's default role (salesperson)
        every command and page would refuse it. ``salescope createsuperuser`` also puts it in
        the company unit (``org.services.enrol_administrator``)."""
        extra.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person in Salescope. Chinese names are not split, so ``full_name`` is one field."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.SALESPERSON
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holders",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # Roles held besides ``role`` (e.g. a sales manager who is also finance); see roles.
    extra_roles = models.JSONField(_("further roles"), default=list, blank=True)
    duties = models.TextField(_("personal duties"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    # A person is visible to themselves, the managers above them and the company-wide roles.
    ownership = Ownership(person="id", shareable=False)
    objects = PeopleManager()  # type: ignore[misc]  # AbstractUser declares a plain manager

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_of(self.full_name, self.first_name, self.last_name, self.username)

    @staticmethod
    def name_of(full_name: str, first_name: str, last_name: str, username: str) -> str:
        """``display_name`` from the columns, for a list read as values (``core.api.Rows``):
        the full name, else Django's first and last name (``get_full_name``), else the
        username."""
        return full_name or f"{first_name} {last_name}".strip() or username

    @property
    def roles(self) -> list[str]:
        """The main role first, then the further roles, without repeats."""
        return list(dict.fromkeys([self.role, *(self.extra_roles or [])]))


class Territory(models.Model):
    """A sales territory: a province, a city or any named area, held by a unit and a person."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=20, choices=TerritoryKind.choices, default=TerritoryKind.AREA
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="territories",
    )
    owner = models.ForeignKey(
        User,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="territories",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(
        person="owner",
        unit="unit",
        everyone={VIEW},
        owner_actions={VIEW},
        company_roles={Role.ADMINISTRATOR: "*"},
        shareable=False,
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's membership of a unit over a span of days: the history of moves.

    The current unit is ``User.unit`` (visibility follows it); these rows answer "which team
    was she in, in March" for reports. ``ended_on`` is the first day no longer in the unit.
    """

    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["person", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="org_membership_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="org_membership_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["unit", "started_on"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.unit} {self.started_on}–{self.ended_on or ''}"


class ManagerTerm(models.Model):
    """Who managed a unit over a span of days: the history of manager changes."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="manager_terms"
    )
    manager = models.ForeignKey(
        User, verbose_name=_("manager"), on_delete=models.PROTECT, related_name="manager_terms"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("manager term")
        verbose_name_plural = _("manager terms")
        ordering = ["unit", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(ended_on__isnull=True),
                name="org_managerterm_one_open_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manager} → {self.unit} {self.started_on}–{self.ended_on or ''}"


class RecordShare(models.Model):
    """One record shared read-only or read-write with a person or with a unit (and below)."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.CASCADE
    )
    object_id = models.BigIntegerField(_("record id"))
    grantee = models.ForeignKey(
        User,
        verbose_name=_("shared with person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shares_received",
    )
    grantee_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("shared with unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shares_received",
    )
    access = models.CharField(
        _("access"), max_length=10, choices=ShareAccess.choices, default=ShareAccess.VIEW
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    # A share is seen by whoever granted it, its grantee and the company-wide roles.
    ownership = Ownership(person="granted_by", roles={Role.ADMINISTRATOR: "*"}, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grantee__isnull=False, grantee_unit__isnull=True)
                | Q(grantee__isnull=True, grantee_unit__isnull=False),
                name="org_share_one_grantee",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "grantee"],
                condition=Q(grantee__isnull=False),
                name="org_share_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "grantee_unit"],
                condition=Q(grantee_unit__isnull=False),
                name="org_share_once_per_unit",
            ),
        ]
        indexes = [
            models.Index(fields=["grantee", "content_type", "object_id"]),
            models.Index(fields=["grantee_unit", "content_type", "object_id"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.content_type} #{self.object_id} → {self.grantee or self.grantee_unit}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
