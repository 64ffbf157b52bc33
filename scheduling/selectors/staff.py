"""Reads of staff members. Every role may read staff (SPEC section 5)."""

from django.db.models import QuerySet

from scheduling.models import Role, User
from scheduling.selectors.search import search_q

STAFF_SEARCH_FIELDS = ("first_name", "last_name", "email", "role", "username")
STAFF_ORDERING = ("role", "first_name", "last_name", "id")


def staff_visible_to(user: User) -> QuerySet[User]:
    return User.objects.order_by(*STAFF_ORDERING)


def filter_staff(
    queryset: QuerySet[User], *, role: Role | None = None, is_active: bool | None = None, search: str | None = None
) -> QuerySet[User]:
    if role:
        queryset = queryset.filter(role=role)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    return queryset.filter(search_q(search, STAFF_SEARCH_FIELDS))
