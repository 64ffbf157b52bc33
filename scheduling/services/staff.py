"""Writes to staff accounts: operators create, edit and (de)activate them (scheduling.services.permissions)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.shortcuts import get_object_or_404
from django.utils import timezone

from scheduling.errors import BadRequest, Conflict
from scheduling.models import AuthToken, MassagePressure, Role, User
from scheduling.selectors.staff import staff_visible_to
from scheduling.services import permissions
from scheduling.services.transactions import transactional
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


@transactional
def create_staff(actor: User, *, username: str, password: str, role: Role, **profile) -> User:
    permissions.require(actor, permissions.CREATE_STAFF)
    return _new_account(username=username, password=password, role=role, **profile)


@transactional
def create_operator_account(*, username: str, password: str, **profile) -> User:
    """An operator account made from the command line (`manage.py create_operator`): whoever runs commands on the
    server is trusted, which is how a new installation gets its first operator."""
    return _new_account(username=username, password=password, role=Role.OPERATOR, **profile)


def _new_account(*, username: str, password: str, role: Role, **profile) -> User:
    data = _clean_strings(profile)
    user = User(username=username.strip(), role=Role(role), is_active=True)
    for field in PROFILE_FIELDS:
        setattr(user, field, data.get(field) or "")
    _check_profile(user, password)
    user.set_password(password)
    user.save()
    return user


def _staff_member(actor: User, staff_id: int) -> User:
    return get_object_or_404(staff_visible_to(actor), pk=staff_id)


@transactional
def update_staff(actor: User, staff_id: int, changes: dict) -> User:
    """An operator's edit of a therapist's or driver's profile (or their own)."""
    permissions.require(actor, permissions.EDIT_STAFF)
    return save_profile(actor, _staff_member(actor, staff_id), changes)


def save_profile(actor: User, target: User, changes: dict) -> User:
    """Edit the profile fields (and password) of a therapist or driver, or of the actor themself.
    The role is fixed at creation; another operator's account is not editable here."""
    permissions.require_may_edit_account(actor, target)
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


@transactional
def set_staff_active(actor: User, staff_id: int, active: bool) -> User:
    """Deactivate (and sign out everywhere) or reactivate a therapist or driver."""
    permissions.require(actor, permissions.REACTIVATE_STAFF if active else permissions.DEACTIVATE_STAFF)
    return _set_active(actor, _staff_member(actor, staff_id), active)


@transactional
def toggle_staff_active(actor: User, staff_id: int) -> User:
    """The staff screen's switch: an active account is deactivated, an inactive one reactivated."""
    permissions.require(actor, permissions.TOGGLE_STAFF)
    target = _staff_member(actor, staff_id)
    return _set_active(actor, target, not target.is_active)


def _set_active(actor: User, target: User, active: bool) -> User:
    permissions.require_may_manage_account(actor, target, "deactivate" if not active else "reactivate")
    if target.is_active != active:
        target.is_active = active
        target.save(update_fields=["is_active"])
    if not active:
        AuthToken.objects.filter(user=target, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return target
