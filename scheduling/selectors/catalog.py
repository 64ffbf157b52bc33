"""Reads of clients and services. Every role reads them; only operators see inactive services.

The API's reads are fixed SQL statements whose rows PostgreSQL renders as the API's JSON
(scheduling/selectors/rendered.py): a list or a page in one statement, one row or nothing. The querysets stay for
the services that load the model to change it (scheduling/services/catalog.py); both obey the same rules
(`sees_inactive_services`, CLIENT_SEARCH_FIELDS, the orderings below)."""

import orjson
from django.db.models import Q, QuerySet

from scheduling.errors import NotFound
from scheduling.models import Client, Service, User
from scheduling.selectors import rendered
from scheduling.selectors.search import search_q

CLIENT_SEARCH_FIELDS = ("first_name", "last_name", "phone_number", "email", "address")
CLIENT_ORDER = ("last_name", "first_name", "id")
SERVICE_ORDER = ("name",)
NOT_FOUND = "Not found."  # what get_object_or_404's Http404 answered (api/errors.py)

CLIENTS = Client._meta.db_table
SERVICES = Service._meta.db_table


def sees_inactive_services(user: User, include_inactive: bool) -> bool:
    """Inactive services are shown only to operators, and only when asked for."""
    return bool(include_inactive) and user.is_operator


def clients_visible_to(user: User, *, search: str | None = None) -> QuerySet[Client]:
    return Client.objects.filter(search_q(search, CLIENT_SEARCH_FIELDS)).order_by(*CLIENT_ORDER)


def duplicate_clients(*, phone_number: str | None, email: str | None) -> list[Client]:
    """Clients whose phone equals `phone_number` or whose email equals `email` (ignoring case)."""
    condition = Q(pk__in=[])
    if phone_number:
        condition |= Q(phone_number=phone_number.strip())
    if email:
        condition |= Q(email__iexact=email.strip())
    return list(Client.objects.filter(condition).order_by("id"))


def services_visible_to(user: User, *, include_inactive: bool = False) -> QuerySet[Service]:
    queryset = Service.objects.order_by(*SERVICE_ORDER)
    if not sees_inactive_services(user, include_inactive):
        queryset = queryset.filter(is_active=True)
    return queryset


# One service as the API renders it (api.catalog.ServiceOut), compact (row_to_json). Money is exact text, "500.00"
# (numeric(10,2) keeps its two decimals), as api/renderers.py writes a Decimal. Needs `s`.
SERVICE_ITEM = """(SELECT row_to_json(x) FROM (SELECT
    s.id, s.name, s.description, s.duration, s.price::text AS price, s.oil, s.is_active) AS x)"""
SERVICE_VISIBLE = "(s.is_active OR %(inactive)s)"
SERVICE_LIST_SQL = (
    f"SELECT {SERVICE_ITEM} AS item FROM {SERVICES} AS s WHERE {SERVICE_VISIBLE}"
    f" ORDER BY {', '.join(rendered.columns(Service, 's', SERVICE_ORDER))}"
)
SERVICE_ONE_SQL = f"SELECT {SERVICE_ITEM} AS item FROM {SERVICES} AS s WHERE s.id = %(id)s AND {SERVICE_VISIBLE}"


def service_rows(user: User, *, include_inactive: bool = False) -> orjson.Fragment:
    """The JSON array of the services `user` sees, by name. One query."""
    params = {"inactive": sees_inactive_services(user, include_inactive)}
    return rendered.json_array(Service, SERVICE_LIST_SQL, params)


def service_row(user: User, service_id: int, *, include_inactive: bool = True) -> orjson.Fragment:
    """One service as the API renders it, if `user` sees it; else 404. One query."""
    params = {"id": service_id, "inactive": sees_inactive_services(user, include_inactive)}
    row = rendered.json_value(Service, SERVICE_ONE_SQL, params)
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


# One client as the API renders it (api.clients.ClientOut), compact (row_to_json): full_name is Client.full_name.
# Needs `c`.
CLIENT_ITEM = f"""(SELECT row_to_json(x) FROM (SELECT
    c.id, c.first_name, c.last_name, {rendered.py_strip("c.first_name || ' ' || c.last_name")} AS full_name,
    c.phone_number, c.email, c.address, c.notes, c.created_at) AS x)"""
CLIENT_SEARCH_COLUMNS = rendered.columns(Client, "c", CLIENT_SEARCH_FIELDS)
CLIENT_ORDER_SQL = ", ".join(rendered.columns(Client, "c", CLIENT_ORDER))
CLIENT_ONE_SQL = f"SELECT {CLIENT_ITEM} AS item FROM {CLIENTS} AS c WHERE c.id = %(id)s"


def client_page(user: User, search: str | None, page: int, size: int) -> tuple[int, orjson.Fragment]:
    """(count, JSON array of page `page`) of the clients matching `search` (every word in a name, the phone, the
    email or the address), by name. One query."""
    condition, params = rendered.search_sql(search, CLIENT_SEARCH_COLUMNS)
    from_sql = f"FROM {CLIENTS} AS c WHERE {condition}"
    return rendered.json_page(Client, CLIENT_ITEM, "c", from_sql, CLIENT_ORDER_SQL, params, page, size)


def client_row(user: User, client_id: int) -> orjson.Fragment:
    """One client as the API renders it; else 404. One query."""
    row = rendered.json_value(Client, CLIENT_ONE_SQL, {"id": client_id})
    if row is None:
        raise NotFound(NOT_FOUND)
    return row
