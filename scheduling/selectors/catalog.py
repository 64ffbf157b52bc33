"""Reads of clients and services. Every role reads them; only operators see inactive services."""

from django.db.models import Q, QuerySet

from scheduling.models import Client, Service, User
from scheduling.selectors.search import search_q

CLIENT_SEARCH_FIELDS = ("first_name", "last_name", "phone_number", "email", "address")


def clients_visible_to(user: User, *, search: str | None = None) -> QuerySet[Client]:
    return Client.objects.filter(search_q(search, CLIENT_SEARCH_FIELDS)).order_by("last_name", "first_name", "id")


def duplicate_clients(*, phone_number: str | None, email: str | None) -> list[Client]:
    """Clients whose phone equals `phone_number` or whose email equals `email` (ignoring case)."""
    condition = Q(pk__in=[])
    if phone_number:
        condition |= Q(phone_number=phone_number.strip())
    if email:
        condition |= Q(email__iexact=email.strip())
    return list(Client.objects.filter(condition).order_by("id"))


def services_visible_to(user: User, *, include_inactive: bool = False) -> QuerySet[Service]:
    queryset = Service.objects.order_by("name")
    if not (include_inactive and user.is_operator):
        queryset = queryset.filter(is_active=True)
    return queryset
