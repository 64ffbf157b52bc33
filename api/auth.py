"""Token auth: `Authorization: Token <t>` or `Bearer <t>` (SPEC section 6)."""

from django.http import HttpRequest
from ninja import Field, PatchDict, Router, Schema
from ninja.security import HttpBearer

from api.schema_rendering import schema_response
from api.schemas import UserOut
from scheduling.errors import NotAuthenticated
from scheduling.services import auth as auth_service
from scheduling.services import email_verification, profile

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
            # Also names this user as the actor of the request's changes in the history (pghistory's middleware
            # wraps the request so that setting request.user updates its context).
            request.user = user
        return user


token_auth = TokenAuth()


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
    """Log in: a token for the username (or email) and password.

    A wrong password, an unknown account and a locked one all get the same 401; a disabled account with its right
    password gets a 403 with error_code ACCOUNT_DISABLED. Send the token as `Authorization: Token <token>`."""
    identifier = data.username or data.email
    if not identifier:
        raise NotAuthenticated(auth_service.INVALID_CREDENTIALS)
    user, token = auth_service.login(identifier, data.password, request.headers.get("User-Agent", ""), request)
    return {"user": user, "token": token}


@router.post("/logout/", response={200: dict})
def logout(request):
    """Log out: revoke the token of this request.

    Other tokens of the same user stay valid."""
    auth_service.logout(request.auth.auth_token)
    return {"detail": "Logged out."}


@router.get("/me/", response=UserOut)
def me(request):
    """The caller.

    The authenticated user's profile (role, names, email_verified, ...)."""
    return schema_response(request.auth, UserOut)


# ---------------------------------------------------------------- e-mail verification and the own profile


class VerifyEmailIn(Schema):
    email: str = Field(..., max_length=254)
    code: str = Field(..., max_length=12, description="the 6-digit code from the e-mail")


class ResendIn(Schema):
    email: str = Field(..., max_length=254)


class Sent(Schema):
    detail: str
    message: str


class ProfileIn(Schema):
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254, description="a new address must be verified (a code is sent to it)")
    phone: str | None = Field(None, max_length=32)
    phone_number: str | None = Field(None, max_length=32, description="the frontend's name for phone")

    def changes(self, given: set[str]) -> dict:
        changes = {name: getattr(self, name) for name in ("first_name", "last_name", "email") if name in given}
        phone = self.phone if self.phone is not None else self.phone_number
        if phone is not None:
            changes["phone"] = phone
        return changes


@router.post("/verify-email/", response=LoginOut, auth=None)
def verify_email(request, data: VerifyEmailIn):
    """The code sent to the address: the account is verified and logged in (a new token)."""
    user, token = email_verification.verify(data.email, data.code, request.headers.get("User-Agent", ""))
    return {"user": user, "token": token}


@router.post("/resend-verification/", response=Sent, auth=None)
def resend_verification(request, data: ResendIn):
    """A fresh code for an unverified account (the same answer whether or not one has this address)."""
    message = email_verification.resend(data.email)
    return {"detail": message, "message": message}


@router.get("/profile/", response=UserOut)
def get_profile(request):
    """The caller's own profile.

    The same as GET /api/auth/me/ (the frontend's profile page)."""
    return schema_response(request.auth, UserOut)


@router.put("/profile/", response=UserOut)
def replace_profile(request, data: ProfileIn):
    """Replace the caller's own names, phone and email.

    A new email address must be verified again: a 6-digit code is sent to it."""
    return profile.update_own_profile(request.auth, data.changes(set(ProfileIn.model_fields)))


@router.patch("/profile/", response=UserOut)
def update_profile(request, data: PatchDict[ProfileIn]):
    """Change some of the caller's own names, phone or email.

    Only the fields given change; a new email address must be verified again."""
    given = dict(data)
    return profile.update_own_profile(request.auth, ProfileIn(**given).changes(set(given)))
