"""The core API router (who am I, API tokens, users) and the bearer-token authentication."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from opencsms.core import selectors, services
from opencsms.core.access import signed_in, superuser_only
from opencsms.core.http import actor
from opencsms.core.models import ApiToken, User
from opencsms.core.schemas import Id, MeOut, TokenCreatedOut, TokenIn, TokenOut, UserIn, UserOut

router = Router(tags=["core"])


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; a wrong token is refused at once (401), not passed to session auth."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = services.use_api_token(token=token)
        if user is None:
            raise AuthenticationError()
        return user


@router.get("/me", response=MeOut)
@signed_in
def me(request: HttpRequest) -> User:
    return actor(request)


@router.post("/users", response={201: UserOut})
@superuser_only
def create_user(request: HttpRequest, payload: UserIn) -> Status[User]:
    return Status(201, services.create_user(actor=actor(request), **payload.dict()))


@router.get("/tokens", response=list[TokenOut])
@signed_in
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.api_tokens(actor(request)))


@router.post("/tokens", response={201: TokenCreatedOut})
@signed_in
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    token, plain = services.create_api_token(actor=actor(request), name=payload.name)
    return Status(201, TokenCreatedOut(id=token.pk, name=token.name, created=token.created, token=plain))


@router.delete("/tokens/{token_id}", response={204: None})
@signed_in
def revoke_token(request: HttpRequest, token_id: Id) -> Status[None]:
    services.revoke_api_token(actor=actor(request), token_id=token_id)
    return Status(204, None)
