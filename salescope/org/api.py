from django.http import HttpRequest
from ninja import Router

from salescope.core.api import ErrorOut
from salescope.org import queries, services
from salescope.org.models import ApiToken, User
from salescope.org.schemas import IssuedTokenOut, MeOut, TokenIn, TokenOut

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
)
def create_token(request: HttpRequest, payload: TokenIn) -> tuple[int, dict]:
    issued = services.create_token(actor=request.user, user=request.user, name=payload.name)
    body = TokenOut.from_orm(issued.token).dict()
    return 201, {**body, "token": issued.raw}


@router.delete(
    "/tokens/{token_id}", response={200: TokenOut, 404: ErrorOut}, summary="Revoke an API token"
)
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    token = queries.get_own_token(viewer=request.user, pk=token_id)
    return services.revoke_token(actor=request.user, token=token)
