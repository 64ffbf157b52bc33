"""Token auth: `Authorization: Token <t>` or `Bearer <t>` (SPEC section 6)."""

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer

from api.schemas import UserOut
from scheduling.errors import Forbidden, NotAuthenticated
from scheduling.models import Role
from scheduling.services import auth as auth_service

ACCEPTED_PREFIXES = {"token", "bearer"}


def bearer_token(request: HttpRequest) -> str | None:
    """The raw token of `Authorization: Token <t>` (or `Bearer <t>`), else None."""
    prefix, _, raw = request.headers.get("Authorization", "").partition(" ")
    if prefix.lower() not in ACCEPTED_PREFIXES or not raw.strip():
        return None
    return raw.strip()


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest):
        raw = bearer_token(request)
        return None if raw is None else self.authenticate(request, raw)

    def authenticate(self, request: HttpRequest, token: str):
        # api/conditional.py may have looked this token up already (with the data version, in one query)
        known = request.__dict__.pop("token_user", None)
        user = known[1] if known and known[0] == token else auth_service.user_for_token(token)
        if user is not None:
            request.user = user
        return user


token_auth = TokenAuth()


def require_role(request: HttpRequest, *roles: Role, action: str = "do this") -> None:
    if request.auth.role not in roles:
        names = " or ".join(r.value for r in roles)
        raise Forbidden(f"Only a {names} may {action}.")


def require_operator(request: HttpRequest, action: str = "do this") -> None:
    require_role(request, Role.OPERATOR, action=action)


router = Router(tags=["auth"])


class LoginIn(Schema):
    username: str | None = None
    email: str | None = None
    password: str


class LoginOut(Schema):
    user: UserOut
    token: str


@router.post("/login/", response=LoginOut, auth=None)
def login(request, data: LoginIn):
    identifier = data.username or data.email
    if not identifier:
        raise NotAuthenticated(auth_service.INVALID_CREDENTIALS)
    user, token = auth_service.login(identifier, data.password, request.headers.get("User-Agent", ""))
    return {"user": user, "token": token}


@router.post("/logout/", response={200: dict})
def logout(request):
    auth_service.logout(request.auth.auth_token)
    return {"detail": "Logged out."}


@router.get("/me/", response=UserOut)
def me(request):
    return request.auth
