"""Reads written once as SQL text, whose rows PostgreSQL renders as the API's JSON.

The endpoints every dashboard polls (attendance, staff, notifications, the catalog) answer in a fraction of a
millisecond of SQL; building the same statement through the ORM's compiler on every request cost as much again,
and rendering model instances or dicts through the response schema as much once more (README, "Polling, history
and the fixed cost of a request"). Their statements are therefore fixed strings with named parameters, and the rows
come back as JSON text that goes into the response as it is (`orjson.Fragment`). Each statement is written in the selector that owns its rule; this
module only runs them on the database the router picks for the model (a replica for read-only requests, when one
is configured).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import orjson
from django.db import connection, connections, router
from django.db.models import Model, QuerySet

from scheduling.models import User
from scheduling.selectors.search import search_terms

Params = Mapping[str, object] | Sequence[object]

# The JSON array of the `item` column of the rows of `p`, in their order, compact (json_agg would put ", " between
# the elements, json_build_object " : " inside them: the items are built with row_to_json, which writes neither).
ITEMS_ARRAY = "coalesce('[' || string_agg(p.item::text, ',') || ']', '[]')"


def read_cursor(model: type[Model]):
    """A cursor on the database the router picks for reading `model`."""
    return connections[router.db_for_read(model)].cursor()


def columns(model: type[Model], alias: str, fields: Sequence[str]) -> list[str]:
    """The columns of `model`'s `fields`, qualified by the table alias of a fixed statement."""
    return [f"{alias}.{model._meta.get_field(name).column}" for name in fields]


def fetch_one(model: type[Model], sql: str, params: Params = ()) -> tuple | None:
    with read_cursor(model) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(model: type[Model], sql: str, params: Params = ()) -> list[tuple]:
    with read_cursor(model) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def json_array(model: type[Model], item_sql: str, params: Params = ()) -> orjson.Fragment:
    """The JSON array of the first column of `item_sql`'s rows, in their order, built by PostgreSQL."""
    (text,) = fetch_one(model, f"SELECT {ITEMS_ARRAY} FROM ({item_sql}) AS p", params)
    return orjson.Fragment(text)


def json_value(model: type[Model], item_sql: str, params: Params = ()) -> orjson.Fragment | None:
    """The JSON in the first column of `item_sql`'s first row, or None when there is no row."""
    row = fetch_one(model, f"SELECT r.item::text FROM ({item_sql}) AS r LIMIT 1", params)
    return None if row is None else orjson.Fragment(row[0])


def json_page(
    model: type[Model],
    item_sql: str,
    alias: str,
    from_sql: str,
    order_sql: str,
    params: Mapping[str, object],
    page: int,
    size: int,
) -> tuple[int, orjson.Fragment]:
    """(count, JSON array of one page) in ONE statement. The rows of `from_sql` (whose main table is `alias`) are
    sorted and cut to the page bare, and only the page's rows are rendered by `item_sql` (which may refer to
    `alias` alone): with the rendering in the sorted select list PostgreSQL rendered every matching row before the
    sort (4 ms instead of 0.4 for 2,000 clients). The count reads `from_sql` alone."""
    sql = (
        f"SELECT (SELECT count(*) {from_sql}), (SELECT {ITEMS_ARRAY} FROM (SELECT {item_sql} AS item FROM"
        f" (SELECT {alias}.* {from_sql} ORDER BY {order_sql} LIMIT %(limit)s OFFSET %(offset)s) AS {alias}) AS p)"
    )
    count, text = fetch_one(model, sql, {**params, "limit": size, "offset": (page - 1) * size})
    return count, orjson.Fragment(text)


# str.strip()'s whitespace (every character whose isspace() is true; none above U+3000), for SQL's btrim(): the
# models' full names strip with Python, and SQL's trim() alone removes only the space.
PY_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
PY_WHITESPACE_SQL = "U&'" + "".join(f"\\{ord(c):04X}" for c in PY_WHITESPACE) + "'"


def py_strip(expression: str) -> str:
    """SQL for `expression` stripped as Python's str.strip() strips."""
    return f"btrim({expression}, {PY_WHITESPACE_SQL})"


def search_sql(text: str | None, columns: Sequence[str]) -> tuple[str, dict[str, str]]:
    """selectors.search.search_q's rule as SQL text: every whitespace-separated term of `text` must be found in
    one of `columns`, ignoring case (Django's icontains, its LIKE escaping included). ("TRUE", {}) for no terms."""
    conditions, params = [], {}
    for i, term in enumerate(search_terms(text)):
        params[f"term{i}"] = f"%{connection.ops.prep_for_like_query(term)}%"
        conditions.append("(" + " OR ".join(f"{c}::text ILIKE %(term{i})s" for c in columns) + ")")
    return (" AND ".join(conditions) or "TRUE"), params


_compiled: dict[tuple, tuple[str, tuple] | None] = {}


def compiled_sql(key: tuple, build: Callable[[], QuerySet | None]) -> tuple[str, tuple] | None:
    """The SQL and parameters of the queryset `build()` returns (None for None), compiled once per process for
    `key`: what the queryset depends on must all be in `key` (a user's id, an ordering), never the time. Django's
    compiler costs from a few hundred microseconds to ~2 ms a queryset, as much as the query itself on the polled
    endpoints; a rule stays written once, in the ORM, and fixed statements use its SQL. Bounded: cleared past
    10,000 entries."""
    if key not in _compiled:
        if len(_compiled) > 10_000:
            _compiled.clear()
        queryset = build()
        _compiled[key] = None if queryset is None else _sql_of(queryset)
    return _compiled[key]


def _sql_of(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def scope_sql(visible_to: Callable[[User], QuerySet], user: User) -> tuple[str, tuple] | None:
    """The SQL of `visible_to(user)`'s ids (compiled_sql), for `... WHERE x.id IN (<scope>)`; None when the selector
    does not filter (operators). A selector passed here must scope by the user alone (role and id, which do not
    change), not by time."""

    def build() -> QuerySet | None:
        queryset = visible_to(user)
        return queryset.order_by().values("id") if queryset.query.where else None

    return compiled_sql(("scope", visible_to, user.pk), build)
