"""Reads of staff members. Every role may read every staff member (SPEC section 5).

The API's reads (the staff list, active staff, one member, the registration pages' lists by role) are fixed SQL
statements whose rows PostgreSQL renders as the API's JSON (scheduling/selectors/rendered.py): one statement per
request. `staff_visible_to` is the same rule as a queryset, for the services' writes."""

import orjson
from django.db.models import QuerySet
from django.http import Http404

from scheduling.models import Role, User
from scheduling.selectors import rendered

STAFF_SEARCH_FIELDS = ("first_name", "last_name", "email", "role", "username")
STAFF_ORDERING = ("role", "first_name", "last_name", "id")

USERS = User._meta.db_table


def staff_visible_to(user: User) -> QuerySet[User]:
    """Who `user` may see: every staff member, whatever the caller's role. The SQL reads below have no condition
    on the caller for the same reason (tests/api/test_staff_rendered.py checks both agree for every role)."""
    return User.objects.order_by(*STAFF_ORDERING)


# User.display_name: first and last name (stripped as Python strips), else the username.
_NAME = rendered.py_strip("u.first_name || ' ' || u.last_name")
FULL_NAME_SQL = f"coalesce(nullif({_NAME}, ''), u.username)"

# One staff member as the API renders it (api.schemas.UserOut, its keys in its order; full_name and phone_number
# are its resolve_* fields). Needs `u`, the user. row_to_json writes compact JSON (json_build_object puts spaces
# around every colon).
ITEM = f"""(SELECT row_to_json(x) FROM (SELECT
    u.id,
    u.username,
    u.first_name,
    u.last_name,
    {FULL_NAME_SQL} AS full_name,
    u.email,
    u.email_verified,
    u.phone,
    u.phone AS phone_number,
    u.role,
    u.is_active,
    u.specialization,
    u.massage_pressure,
    u.license_number,
    u.motorcycle_plate,
    u.last_available_at,
    u.date_joined) AS x)"""
ORDER = ", ".join(rendered.columns(User, "u", STAFF_ORDERING))
SEARCH_COLUMNS = rendered.columns(User, "u", STAFF_SEARCH_FIELDS)
# The filters every list shares; a None parameter is no filter. Needs `u`.
FILTERS = """(%(role)s::text IS NULL OR u.role = %(role)s)
    AND (%(active)s::boolean IS NULL OR u.is_active = %(active)s)"""

# The count and the compact JSON array of the items, in their order.
ACTIVE_SQL = f"""SELECT count(*), {rendered.ITEMS_ARRAY}
FROM (SELECT {ITEM} AS item FROM {USERS} AS u WHERE {FILTERS} ORDER BY {ORDER}) AS p"""
# `u.id = %(id)s` without a cast: an id past the bigint range finds nothing (a 404), as the ORM's lookup did.
ONE_SQL = f"SELECT {ITEM} AS item FROM {USERS} AS u WHERE u.id = %(id)s"


def _role(role: Role | str | None) -> str | None:
    return Role(role).value if role else None


def staff_page(
    user: User,
    *,
    page: int,
    size: int,
    role: Role | str | None = None,
    is_active: bool | None = None,
    search: str | None = None,
) -> tuple[int, orjson.Fragment]:
    """(count, JSON array of one page) of the staff `user` sees, by role then name, filtered by role and active
    flag, every search term found in a name, the email, the role or the username. One query."""
    condition, search_params = rendered.search_sql(search, SEARCH_COLUMNS)
    from_sql = f"FROM {USERS} AS u WHERE {FILTERS} AND {condition}"
    params = {"role": _role(role), "active": is_active, **search_params}
    return rendered.json_page(User, ITEM, "u", from_sql, ORDER, params, page, size)


def active_staff(user: User, role: Role | str | None = None) -> tuple[int, orjson.Fragment]:
    """(count, JSON array) of the active staff `user` sees, optionally of one role, by role then name. One query."""
    count, text = rendered.fetch_one(User, ACTIVE_SQL, {"role": _role(role), "active": True})
    return count, orjson.Fragment(text)


def staff_member(user: User, staff_id: int) -> orjson.Fragment:
    """One staff member as the API renders them; else 404 (Http404, as get_object_or_404 answered). One query."""
    row = rendered.json_value(User, ONE_SQL, {"id": staff_id})
    if row is None:
        raise Http404("No User matches the given query.")
    return row
