"""Writes to staff accounts (operators only; the API checks the role, these functions check the rules)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from scheduling.errors import BadRequest, Conflict, Forbidden
from scheduling.models import AuthToken, MassagePressure, Role, User
from scheduling.services.validation import breaks, invalid_input

# Fields an operator may set on create and edit (role and is_active have their own rules).
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "specialization",
    "massage_pressure",
    "license_number",
    "motorcycle_plate",
)
REQUIRED_BY_ROLE = {Role.THERAPIST: "license_number", Role.DRIVER: "motorcycle_plate"}


def _clean_strings(data: dict) -> dict:
    return {k: v.strip() if isinstance(v, str) and k != "password" else v for k, v in data.items()}


def _check_profile(user: User, password: str | None) -> None:
    """Role-specific required fields, email format, password strength, unique username and email."""
    errors: dict[str, list[str]] = {}
    required = REQUIRED_BY_ROLE.get(Role(user.role))
    if required and not getattr(user, required):
        errors[required] = [f"A {user.role} needs a {required}."]
    if user.massage_pressure and user.massage_pressure not in MassagePressure.values:
        errors["massage_pressure"] = [f"Must be one of {', '.join(MassagePressure.values)}."]
    if user.email:
        try:
            validate_email(user.email)
        except ValidationError:
            errors["email"] = ["Enter a valid email address."]
    if not user.username:
        errors["username"] = ["A username is required."]
    else:
        try:
            User.username_validator(user.username)
        except ValidationError as exc:
            errors["username"] = list(exc.messages)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise invalid_input(errors)
    if breaks(user, "user_username_unique_ci"):
        raise Conflict(f"username: a user named {user.username!r} already exists.", errors={"username": ["taken"]})
    if user.email and breaks(user, "user_email_unique_ci"):
        raise Conflict(f"email: a user with email {user.email!r} already exists.", errors={"email": ["taken"]})


@transaction.atomic
def create_staff(*, username: str, password: str, role: Role, **profile) -> User:
    data = _clean_strings(profile)
    user = User(username=username.strip(), role=Role(role), is_active=True)
    for field in PROFILE_FIELDS:
        setattr(user, field, data.get(field) or "")
    _check_profile(user, password)
    user.set_password(password)
    user.save()
    return user


def _check_may_manage(actor: User, target: User, action: str) -> None:
    if target.pk == actor.pk:
        raise Forbidden(f"You cannot {action} your own account.", code="NOT_ALLOWED")
    if target.role == Role.OPERATOR:
        raise Forbidden(f"You cannot {action} another operator.", code="NOT_ALLOWED")


@transaction.atomic
def update_staff(actor: User, target: User, changes: dict) -> User:
    """Edit the profile fields (and password) of a therapist or driver, or of the operator themself.
    The role is fixed at creation; another operator's account is not editable here."""
    if target.role == Role.OPERATOR and target.pk != actor.pk:
        raise Forbidden("You cannot edit another operator.")
    changes = _clean_strings(changes)
    if "role" in changes and changes["role"] != target.role:
        raise BadRequest("role cannot be changed; create a new account instead.", errors={"role": ["read-only"]})
    if "username" in changes and changes["username"] is not None:
        target.username = changes["username"]
    for field in PROFILE_FIELDS:
        if field in changes:
            setattr(target, field, changes[field] or "")
    password = changes.get("password")
    _check_profile(target, password)
    if password:
        target.set_password(password)
    target.save()
    return target


@transaction.atomic
def set_staff_active(actor: User, target: User, active: bool) -> User:
    """Deactivate (and sign out everywhere) or reactivate a therapist or driver."""
    _check_may_manage(actor, target, "deactivate" if not active else "reactivate")
    if target.is_active != active:
        target.is_active = active
        target.save(update_fields=["is_active"])
    if not active:
        AuthToken.objects.filter(user=target, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return target
