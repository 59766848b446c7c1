from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from salescope.core.api import ErrorOut
from salescope.core.bounds import Id, Version
from salescope.org import imports, permissions, queries, services
from salescope.org.models import ApiToken, OrgUnit, Position, RecordShare, Territory, User
from salescope.org.schemas import (
    ChartNodeOut,
    ImportOut,
    IssuedTokenOut,
    MembershipOut,
    MeOut,
    MoveIn,
    PersonIn,
    PersonOut,
    PersonPatch,
    PositionIn,
    PositionOut,
    PositionPatch,
    ShareIn,
    ShareOut,
    TerritoryIn,
    TerritoryOut,
    TerritoryPatch,
    TokenIn,
    TokenOut,
    UnassignedOut,
    UnitIn,
    UnitOut,
    UnitPatch,
)

router = Router(tags=["org"])


@router.get("/me", response=MeOut, summary="The signed-in person")
def me(request: HttpRequest) -> User:
    return request.user


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(queries.list_own_tokens(viewer=request.user))


@router.post(
    "/tokens",
    response={201: IssuedTokenOut, 422: ErrorOut},
    summary="Create an API token (the raw value is returned once)",
    openapi_extra={"x-permission": "org.self.change"},
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status:
    issued = services.create_token(actor=request.user, user=request.user, name=payload.name)
    body = TokenOut.from_orm(issued.token).dict()
    return Status(201, {**body, "token": issued.raw})


@router.delete(
    "/tokens/{token_id}",
    response={200: TokenOut, 404: ErrorOut},
    summary="Revoke an API token",
    openapi_extra={"x-permission": "org.self.change"},
)
def revoke_token(request: HttpRequest, token_id: Id) -> ApiToken:
    token = queries.get_own_token(viewer=request.user, pk=token_id)
    return services.revoke_token(actor=request.user, token=token)


# --- the organisation ------------------------------------------------------------------------
# Lists are paged with ?limit=&offset= and return {"items": [...], "count": n}. Writes carry
# their declared permission in the schema (x-permission) and take the record's version.

W = permissions.api_permission
UPLOAD = File(...)
NOT_FOUND = {404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _unit_ref(viewer: User, pk: int | None) -> OrgUnit | None:
    return queries.get_unit(viewer=viewer, pk=pk) if pk is not None else None


def _person_ref(viewer: User, pk: int | None) -> User | None:
    return queries.get_person(viewer=viewer, pk=pk) if pk is not None else None


@router.get("/org/chart", response=list[ChartNodeOut], summary="The org chart with head counts")
def org_chart(request: HttpRequest) -> list:
    return queries.org_chart(viewer=request.user)


@router.get("/org/unassigned", response=UnassignedOut, summary="What has no responsible person")
def unassigned(request: HttpRequest) -> dict:
    return queries.unassigned(viewer=request.user)


@router.get("/org/units", response=list[UnitOut], summary="Org units")
@paginate
def list_units(
    request: HttpRequest, kind: str | None = None, under: Id | None = None, q: str | None = None
) -> QuerySet:
    return queries.list_units(viewer=request.user, kind=kind, under=under, search=q)


@router.get("/org/units/{unit_id}", response={200: UnitOut, **NOT_FOUND}, summary="One unit")
def get_unit(request: HttpRequest, unit_id: Id) -> OrgUnit:
    return queries.get_unit(viewer=request.user, pk=unit_id)


@router.get(
    "/org/units/{unit_id}/members",
    response={200: list[PersonOut], **NOT_FOUND},
    summary="People in a unit and below, today or on a past date",
)
def unit_members(request: HttpRequest, unit_id: Id, on: date | None = None) -> QuerySet:
    unit = queries.get_unit(viewer=request.user, pk=unit_id)
    if on is None:
        return queries.list_people(viewer=request.user, unit=unit.pk)
    return queries.members_on(viewer=request.user, unit=unit, day=on).select_related(
        "unit", "position"
    )


@router.post(
    "/org/units",
    response={201: UnitOut, **WRITE},
    summary="Create a unit",
    openapi_extra=W("org.unit.create"),
)
def create_unit(request: HttpRequest, payload: UnitIn) -> Status:
    unit = services.create_unit(
        actor=request.user,
        name=payload.name,
        code=payload.code,
        kind=payload.kind,
        parent=_unit_ref(request.user, payload.parent_id),
        manager=_person_ref(request.user, payload.manager_id),
    )
    return Status(201, unit)


@router.patch(
    "/org/units/{unit_id}",
    response={200: UnitOut, **WRITE},
    summary="Rename, move or change the manager of a unit",
    openapi_extra=W("org.unit.change"),
)
def update_unit(request: HttpRequest, unit_id: Id, payload: UnitPatch) -> OrgUnit:
    unit = queries.get_unit(viewer=request.user, pk=unit_id)
    changes: dict = payload.dict(include={"name", "code", "kind"}, exclude_none=True)
    if payload.parent_id is not None:
        changes["parent"] = _unit_ref(request.user, payload.parent_id)
    if payload.manager_id is not None or payload.clear_manager:
        changes["manager"] = _person_ref(request.user, payload.manager_id)
    return services.update_unit(
        actor=request.user,
        unit=unit,
        expected_version=payload.version,
        manager_effective_on=payload.manager_effective_on,
        **changes,
    )


@router.delete(
    "/org/units/{unit_id}",
    response={204: None, **WRITE},
    summary="Delete a unit nothing depends on",
    openapi_extra=W("org.unit.delete"),
)
def delete_unit(request: HttpRequest, unit_id: Id) -> Status:
    services.delete_unit(actor=request.user, unit=queries.get_unit(viewer=request.user, pk=unit_id))
    return Status(204, None)


@router.get("/org/people", response=list[PersonOut], summary="People")
@paginate
def list_people(
    request: HttpRequest,
    unit: Id | None = None,
    role: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
) -> QuerySet:
    return queries.list_people(
        viewer=request.user, unit=unit, role=role, search=q, include_inactive=include_inactive
    )


@router.get("/org/people/{person_id}", response={200: PersonOut, **NOT_FOUND}, summary="One person")
def get_person(request: HttpRequest, person_id: Id) -> User:
    return queries.get_person(viewer=request.user, pk=person_id)


@router.get(
    "/org/people/{person_id}/memberships",
    response={200: list[MembershipOut], **NOT_FOUND},
    summary="A person's units over time",
)
def person_memberships(request: HttpRequest, person_id: Id) -> list:
    person = queries.get_person(viewer=request.user, pk=person_id)
    return queries.person_history(viewer=request.user, person=person)["memberships"]


@router.post(
    "/org/people",
    response={201: PersonOut, **WRITE},
    summary="Add a person",
    openapi_extra=W("org.person.create"),
)
def create_person(request: HttpRequest, payload: PersonIn) -> Status:
    person = services.create_person(
        actor=request.user,
        unit=_unit_ref(request.user, payload.unit_id),
        position=(
            queries.get_position(viewer=request.user, pk=payload.position_id)
            if payload.position_id is not None
            else None
        ),
        **payload.dict(exclude={"unit_id", "position_id"}),
    )
    return Status(201, person)


@router.patch(
    "/org/people/{person_id}",
    response={200: PersonOut, **WRITE},
    summary="Change a person's name, contacts, roles, position or duties",
    openapi_extra=W("org.person.change"),
)
def update_person(request: HttpRequest, person_id: Id, payload: PersonPatch) -> User:
    person = queries.get_person(viewer=request.user, pk=person_id)
    changes = payload.dict(
        include={"full_name", "email", "phone", "role", "extra_roles", "duties"},
        exclude_none=True,
    )
    if payload.position_id is not None or payload.clear_position:
        changes["position"] = (
            queries.get_position(viewer=request.user, pk=payload.position_id)
            if payload.position_id is not None
            else None
        )
    return services.update_person(
        actor=request.user, person=person, expected_version=payload.version, **changes
    )


@router.post(
    "/org/people/{person_id}/move",
    response={200: PersonOut, **WRITE},
    summary="Move a person to another unit from a date",
    openapi_extra=W("org.person.move"),
)
def move_person(request: HttpRequest, person_id: Id, payload: MoveIn) -> User:
    person = queries.get_person(viewer=request.user, pk=person_id)
    return services.move_person(
        actor=request.user,
        person=person,
        unit=queries.get_unit(viewer=request.user, pk=payload.unit_id),
        expected_version=payload.version,
        effective_on=payload.effective_on,
    )


@router.delete(
    "/org/people/{person_id}",
    response={200: PersonOut, **WRITE},
    summary="Deactivate a person (their records stay)",
    openapi_extra=W("org.person.deactivate"),
)
def deactivate_person(request: HttpRequest, person_id: Id, version: Version) -> User:
    person = queries.get_person(viewer=request.user, pk=person_id)
    return services.deactivate_person(actor=request.user, person=person, expected_version=version)


@router.get("/org/positions", response=list[PositionOut], summary="Positions and their duties")
@paginate
def list_positions(request: HttpRequest, q: str | None = None) -> QuerySet:
    return queries.list_positions(viewer=request.user, search=q)


@router.get(
    "/org/positions/{position_id}", response={200: PositionOut, **NOT_FOUND}, summary="One position"
)
def get_position(request: HttpRequest, position_id: Id) -> Position:
    return queries.get_position(viewer=request.user, pk=position_id)


@router.post(
    "/org/positions",
    response={201: PositionOut, **WRITE},
    summary="Create a position",
    openapi_extra=W("org.position.create"),
)
def create_position(request: HttpRequest, payload: PositionIn) -> Status:
    return Status(201, services.create_position(actor=request.user, **payload.dict()))


@router.patch(
    "/org/positions/{position_id}",
    response={200: PositionOut, **WRITE},
    summary="Rename a position or change its duties",
    openapi_extra=W("org.position.change"),
)
def update_position(request: HttpRequest, position_id: Id, payload: PositionPatch) -> Position:
    position = queries.get_position(viewer=request.user, pk=position_id)
    return services.update_position(
        actor=request.user,
        position=position,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}, exclude_none=True),
    )


@router.delete(
    "/org/positions/{position_id}",
    response={204: None, **WRITE},
    summary="Delete a position nobody holds",
    openapi_extra=W("org.position.delete"),
)
def delete_position(request: HttpRequest, position_id: Id) -> Status:
    position = queries.get_position(viewer=request.user, pk=position_id)
    services.delete_position(actor=request.user, position=position)
    return Status(204, None)


@router.get("/org/territories", response=list[TerritoryOut], summary="Sales territories")
@paginate
def list_territories(
    request: HttpRequest,
    unit: Id | None = None,
    owner: Id | None = None,
    unassigned: bool = False,
    q: str | None = None,
) -> QuerySet:
    return queries.list_territories(
        viewer=request.user, unit=unit, owner=owner, unassigned=unassigned, search=q
    )


@router.get(
    "/org/territories/{territory_id}",
    response={200: TerritoryOut, **NOT_FOUND},
    summary="One territory",
)
def get_territory(request: HttpRequest, territory_id: Id) -> Territory:
    return queries.get_territory(viewer=request.user, pk=territory_id)


def _territory_refs(viewer: User, payload: TerritoryIn | TerritoryPatch) -> dict:
    refs: dict = {}
    if payload.parent_id is not None:
        refs["parent"] = queries.get_territory(viewer=viewer, pk=payload.parent_id)
    if payload.unit_id is not None:
        refs["unit"] = queries.get_unit(viewer=viewer, pk=payload.unit_id)
    if payload.owner_id is not None:
        refs["owner"] = queries.get_person(viewer=viewer, pk=payload.owner_id)
    return refs


@router.post(
    "/org/territories",
    response={201: TerritoryOut, **WRITE},
    summary="Create a territory",
    openapi_extra=W("org.territory.create"),
)
def create_territory(request: HttpRequest, payload: TerritoryIn) -> Status:
    territory = services.create_territory(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        **_territory_refs(request.user, payload),
    )
    return Status(201, territory)


@router.patch(
    "/org/territories/{territory_id}",
    response={200: TerritoryOut, **WRITE},
    summary="Rename or reassign a territory",
    openapi_extra=W("org.territory.change"),
)
def update_territory(request: HttpRequest, territory_id: Id, payload: TerritoryPatch) -> Territory:
    territory = queries.get_territory(viewer=request.user, pk=territory_id)
    changes = payload.dict(include={"code", "name", "kind"}, exclude_none=True)
    changes.update(_territory_refs(request.user, payload))
    changes.update({name: None for name in payload.clear if name in {"parent", "unit", "owner"}})
    return services.update_territory(
        actor=request.user, territory=territory, expected_version=payload.version, **changes
    )


@router.delete(
    "/org/territories/{territory_id}",
    response={204: None, **WRITE},
    summary="Delete a territory",
    openapi_extra=W("org.territory.delete"),
)
def delete_territory(request: HttpRequest, territory_id: Id) -> Status:
    territory = queries.get_territory(viewer=request.user, pk=territory_id)
    services.delete_territory(actor=request.user, territory=territory)
    return Status(204, None)


@router.get("/org/shares", response=list[ShareOut], summary="Record shares")
@paginate
def list_shares(
    request: HttpRequest, record_type: str | None = None, record_id: Id | None = None
) -> QuerySet:
    return queries.list_shares(viewer=request.user, record_type=record_type, record_id=record_id)


@router.get("/org/shares/{share_id}", response={200: ShareOut, **NOT_FOUND}, summary="One share")
def get_share(request: HttpRequest, share_id: Id) -> RecordShare:
    return queries.get_share(viewer=request.user, pk=share_id)


@router.post(
    "/org/shares",
    response={201: ShareOut, **WRITE},
    summary="Share a record read-only (view) or read-write (change) with a person or unit",
    openapi_extra=W("org.share.create"),
)
def create_share(request: HttpRequest, payload: ShareIn) -> Status:
    record = queries.get_shareable(
        viewer=request.user, record_type=payload.record_type, record_id=payload.record_id
    )
    share = services.share_record(
        actor=request.user,
        record=record,
        grantee=_person_ref(request.user, payload.grantee_id),
        grantee_unit=_unit_ref(request.user, payload.grantee_unit_id),
        access=payload.access,
        note=payload.note,
    )
    return Status(201, share)


@router.delete(
    "/org/shares/{share_id}",
    response={204: None, **WRITE},
    summary="Revoke a share",
    openapi_extra=W("org.share.delete"),
)
def delete_share(request: HttpRequest, share_id: Id) -> Status:
    share = queries.get_share(viewer=request.user, pk=share_id)
    services.revoke_share(actor=request.user, share=share)
    return Status(204, None)


@router.post(
    "/org/import",
    response={200: ImportOut, **WRITE},
    summary="Import units and people from a CSV or XLSX file",
    openapi_extra=W("org.import.run"),
)
def import_org(request: HttpRequest, file: UploadedFile = UPLOAD) -> object:
    return imports.import_org(actor=request.user, name=file.name or "", content=file.read())
