"""The organisation's routes in the leak and permission matrices (tests/visibility)."""

from django.contrib.contenttypes.models import ContentType

from salescope.org import services
from salescope.org.models import RecordShare, Territory
from tests.visibility.registry import Target, register


@register(
    "org:person",
    "org:person-edit",
    "org:person-move",
    "/api/v1/org/people/{person_id}",
    "/api/v1/org/people/{person_id}/memberships",
    "/api/v1/org/people/{person_id}/move",
)
def person(personas, owner):
    return Target(params={"person_id": owner.pk}, obj=owner)


@register("org:unit", "/api/v1/org/units/{unit_id}", "/api/v1/org/units/{unit_id}/members")
def unit(personas, owner):
    # The org chart is open to everyone signed in; only its writes are guarded.
    return Target(params={"unit_id": owner.unit_id}, obj=owner.unit, everyone_sees=True)


@register("/api/v1/org/positions/{position_id}")
def position(personas, owner):
    return Target(params={"position_id": owner.position_id}, obj=owner.position, everyone_sees=True)


@register("org:territory", "/api/v1/org/territories/{territory_id}")
def territory(personas, owner):
    made, _created = Territory.objects.unrestricted().get_or_create(
        code=f"T-{owner.username}", defaults={"name": "T", "unit": owner.unit, "owner": owner}
    )
    return Target(params={"territory_id": made.pk}, obj=made, everyone_sees=True)


@register("org:share-revoke", "/api/v1/org/shares/{share_id}")
def share(personas, owner):
    from tests.visibility.widgets import Widget

    widget = Widget.objects.create(name="shared", owner=owner)
    grantee = personas["finance"] if owner != personas["finance"] else personas["marketing"]
    made = RecordShare.objects.create(
        content_type=ContentType.objects.get_for_model(Widget, for_concrete_model=False),
        object_id=widget.pk,
        grantee=grantee,
        granted_by=owner,
    )
    return Target(params={"share_id": made.pk}, obj=made)


@register("token-revoke", "/api/v1/tokens/{token_id}")
def token(personas, owner):
    issued = services.create_token(actor=owner, user=owner, name="colleague's")
    return Target(params={"token_id": issued.token.pk}, obj=issued.token)
