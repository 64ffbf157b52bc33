"""The standard page envelope of SPEC section 6: two queries (count, rows) whatever the page size."""

import math
from typing import Generic, TypeVar

import orjson
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema
from pydantic import field_validator

from api.renderers import dumps
from scheduling.errors import NotFound

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000  # keeps (page - 1) * page_size far inside a bigint OFFSET


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based page number")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        description=f"at most {MAX_PAGE_SIZE}: a larger value is capped (the envelope's page_size says the size used)",
    )

    @field_validator("page_size")
    @classmethod
    def _cap(cls, value: int) -> int:
        # The calendar's month view asks for 1000; the previous backend capped silently, so the frontend relies on it.
        return min(value, MAX_PAGE_SIZE)


class Page(Schema, Generic[T]):
    count: int
    total_pages: int
    current_page: int
    page_size: int
    next: str | None
    previous: str | None
    has_next: bool
    has_previous: bool
    results: list[T]


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def envelope(request: HttpRequest, count: int, page: int, page_size: int, results) -> dict:
    total_pages = max(1, math.ceil(count / page_size))
    has_next = page < total_pages
    has_previous = page > 1
    return {
        "count": count,
        "total_pages": total_pages,
        "current_page": page,
        "page_size": page_size,
        "next": _page_url(request, page + 1) if has_next else None,
        "previous": _page_url(request, page - 1) if has_previous else None,
        "has_next": has_next,
        "has_previous": has_previous,
        "results": results,
    }


def check_page(count: int, page: int, page_size: int) -> None:
    total_pages = max(1, math.ceil(count / page_size))
    if page > total_pages:
        raise NotFound(f"Invalid page: page {page} is past the last page ({total_pages}).")


def page_response(request: HttpRequest, params: PageParams, count: int, items: bytes | orjson.Fragment) -> HttpResponse:
    """The envelope around a JSON array PostgreSQL built (selectors.rendered.json_page, the appointment pages): the
    array goes in as it came (orjson copies a Fragment's bytes verbatim). A page past the end is a 404."""
    check_page(count, params.page, params.page_size)
    items = items if isinstance(items, orjson.Fragment) else orjson.Fragment(items)
    body = dumps(envelope(request, count, params.page, params.page_size, items))
    return HttpResponse(body, content_type="application/json")


def paginate(request: HttpRequest, queryset: QuerySet, params: PageParams) -> dict:
    """Count, then fetch one page."""
    count = queryset.count()
    check_page(count, params.page, params.page_size)
    offset = (params.page - 1) * params.page_size
    rows = list(queryset[offset : offset + params.page_size])
    return envelope(request, count, params.page, params.page_size, rows)
