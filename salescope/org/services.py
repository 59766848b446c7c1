"""Writes to the organisation: units, people, tokens. Each one audited, one transaction."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.errors import ValidationFailed
from salescope.org.models import PATH_STEP, ApiToken, OrgUnit, User, hash_token

TOKEN_PREFIX = "ss_"  # noqa: S105 - a public marker, not a secret


def _next_child_path(parent: OrgUnit | None) -> str:
    prefix = parent.path if parent else ""
    siblings = OrgUnit.objects.filter(parent=parent).aggregate(last=Max("path"))["last"]
    number = int(siblings[len(prefix) : len(prefix) + PATH_STEP]) + 1 if siblings else 1
    return f"{prefix}{number:0{PATH_STEP}d}."


@transaction.atomic
def create_unit(
    *,
    actor: User | None,
    name: str,
    code: str,
    kind: str,
    parent: OrgUnit | None = None,
    manager: User | None = None,
) -> OrgUnit:
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationFailed(fields={"code": [_("A unit with this code already exists.")]})
    unit = OrgUnit.objects.create(
        name=name,
        code=code,
        kind=kind,
        parent=parent,
        manager=manager,
        path=_next_child_path(parent),
    )
    audit.record(
        actor=actor,
        action="org.unit.created",
        obj=unit,
        changes=audit.diff({}, audit.snapshot(unit, ["name", "code", "kind", "parent", "manager"])),
    )
    return unit


@transaction.atomic
def set_language(*, actor: User, language: str) -> User:
    before = actor.language
    if before != language:
        User.objects.filter(pk=actor.pk).update(language=language)
        actor.language = language
        audit.record(
            actor=actor,
            action="org.person.language_changed",
            obj=actor,
            changes={"language": [before, language]},
        )
    return actor


@transaction.atomic
def change_password(*, actor: User, new_password: str) -> User:
    try:
        validate_password(new_password, user=actor)
    except ValidationError as exc:
        raise ValidationFailed(fields={"new_password": list(exc.messages)}) from None
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    # The password value itself never enters the audit trail.
    audit.record(actor=actor, action="org.person.password_changed", obj=actor)
    return actor


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str


@transaction.atomic
def create_token(*, actor: User | None, user: User, name: str) -> IssuedToken:
    name = name.strip()
    if not name:
        raise ValidationFailed(fields={"name": [_("Give the token a name.")]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[: len(TOKEN_PREFIX) + 6], key_hash=hash_token(raw)
    )
    audit.record(
        actor=actor or user,
        action="org.api_token.created",
        obj=token,
        changes={"name": [None, token.name], "user": [None, user.username]},
    )
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def revoke_token(*, actor: User | None, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor or token.user,
        action="org.api_token.revoked",
        obj=token,
        changes={"revoked_at": [None, audit.json_value(token.revoked_at)]},
    )
    return token


def authenticate_token(raw: str) -> User | None:
    """The active user a raw bearer token belongs to, or None. Records when it was used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write the use time at most once a minute so busy scripts do not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
