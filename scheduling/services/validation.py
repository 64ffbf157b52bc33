"""One shape for field errors: the same {"detail", "error"} whether a service or the API's parsing found them."""

from scheduling.errors import BadRequest


def invalid_input_detail(errors: dict[str, list[str]]) -> str:
    """The one-line summary of a field map: `Invalid input. name: message; other: message`."""
    summary = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
    return f"Invalid input. {summary}"


def invalid_input(errors: dict[str, list[str]]) -> BadRequest:
    return BadRequest(invalid_input_detail(errors), errors=errors)
