"""One shape for field errors: the same {"detail", "error"} whether a service or the API's parsing found them."""

from django.core.exceptions import ValidationError
from django.db import models

from scheduling.errors import BadRequest


def invalid_input_detail(errors: dict[str, list[str]]) -> str:
    """The one-line summary of a field map: `Invalid input. name: message; other: message`."""
    summary = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
    return f"Invalid input. {summary}"


def invalid_input(errors: dict[str, list[str]]) -> BadRequest:
    return BadRequest(invalid_input_detail(errors), errors=errors)


def breaks(instance: models.Model, constraint_name: str) -> bool:
    """Whether saving `instance` would break its model's constraint `constraint_name`, asked with the constraint's
    own query (one), so the friendly check and the database rule cannot disagree, on letter case for one."""
    (constraint,) = (c for c in instance._meta.constraints if c.name == constraint_name)
    try:
        constraint.validate(type(instance), instance)
    except ValidationError:
        return True
    return False
