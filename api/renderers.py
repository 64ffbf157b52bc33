from decimal import Decimal

import orjson
from ninja.parser import Parser
from ninja.renderers import BaseRenderer


def _default(value):
    if isinstance(value, Decimal):
        return str(value)  # money stays exact: "500.00", as the frontend has always received it
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def dumps(data) -> bytes:
    return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request, data, *, response_status):
        return dumps(data)


class ORJSONParser(Parser):
    """Strict JSON: orjson refuses what PostgreSQL could not store anyway, such as a lone surrogate ("\\ud800"),
    which the standard library would pass on as an unencodable string (a 500 at the first query)."""

    def parse_body(self, request):
        return orjson.loads(request.body)
