"""Free-text search shared by the list endpoints."""

from collections.abc import Sequence

from django.db.models import Q


def search_terms(text: str | None) -> list[str]:
    return (text or "").split()


def search_q(text: str | None, fields: Sequence[str]) -> Q:
    """Every whitespace-separated term must match one of `fields` (icontains): "ann smith" finds Ann Smith.
    The same rule as SQL text: selectors.rendered.search_sql."""
    condition = Q()
    for term in search_terms(text):
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": term})
        condition &= any_field
    return condition
