"""Schema rendering: the same JSON Ninja would produce from a response schema, without validating
every row through pydantic (which cost as much as the SQL on a page of 50: Ninja wraps each object in a
DjangoGetter and validates field by field).

A route keeps its `response=` schema (so the OpenAPI page shows the real shape) and returns
`schema_response(data, Schema)`: the schema's fields are read from `data` (model instances or dicts, nested
schemas and lists included, `resolve_<field>` static resolvers and `Field(alias="a.b")` sources honoured) and
rendered with orjson. Ninja passes an HttpResponse through untouched. tests/api/test_fast.py checks that the output
equals Ninja's own for the shapes in use, and the endpoint tests validate real responses against the schemas.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from typing import Any

from django.db.models import Manager
from django.http import HttpResponse
from pydantic import BaseModel

from api.renderers import dumps

_Plan = list[tuple[str, list[str], Any, Any, bool]]


def _unwrap(annotation) -> tuple[type[BaseModel] | None, bool]:
    """(nested schema or None, is a list) for a field annotation such as `X | None` or `list[X]`."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else (None, False)
    if origin in (list, tuple, set):
        inner, _ = _unwrap(typing.get_args(annotation)[0])
        return inner, True
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


@functools.cache
def _plan(schema: type[BaseModel]) -> _Plan:
    plan: _Plan = []
    for name, field in schema.model_fields.items():
        source = (field.alias or name).split(".")
        resolver = inspect.getattr_static(schema, f"resolve_{name}", None)
        if resolver is not None:
            if not isinstance(resolver, staticmethod):
                raise TypeError(f"{schema.__name__}.resolve_{name} must be a staticmethod for schema_response")
            resolver = resolver.__func__
        nested, many = _unwrap(field.annotation)
        plan.append((name, source, resolver, nested, many))
    return plan


def _read(obj, path: list[str]):
    for part in path:
        if obj is None:
            return None
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part)
    if isinstance(obj, Manager):
        return list(obj.all())
    return obj


def dump(obj, schema: type[BaseModel]) -> dict:
    """`obj` (a model instance or a dict) as the plain dict `schema` describes."""
    out = {}
    for name, source, resolver, nested, many in _plan(schema):
        value = resolver(obj) if resolver is not None else _read(obj, source)
        if nested is not None and value is not None:
            value = [dump(item, nested) for item in value] if many else dump(value, nested)
        out[name] = value
    return out


def schema_response(data, schema, status: int = 200) -> HttpResponse:
    """Render `data` as `schema` (a Schema class, or `list[Schema]`) straight to JSON."""
    nested, many = _unwrap(schema)
    if nested is None:
        raise TypeError(f"schema_response needs a schema class or list of one, not {schema!r}")
    return json_response([dump(item, nested) for item in data] if many else dump(data, nested), status)


def json_response(body, status: int = 200) -> HttpResponse:
    """Render `body` as it is: for selectors that already build the schema's exact shape as plain dicts (the
    endpoint tests validate those responses against the declared schema)."""
    return HttpResponse(dumps(body), status=status, content_type="application/json")
