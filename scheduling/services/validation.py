"""One shape for field errors found by services: the same {"detail", "error"} the API gives for bad JSON."""

from scheduling.errors import BadRequest


def invalid_input(errors: dict[str, list[str]]) -> BadRequest:
    summary = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
    return BadRequest(f"Invalid input. {summary}", errors=errors)
