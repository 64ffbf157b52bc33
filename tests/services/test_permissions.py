"""Who may do what is decided in one module (scheduling/services/permissions.py); the API layer checks no role.

The role matrix (tests/api/test_role_matrix.py) proves every 403 of every route comes from that module; these tests
keep role checks from growing back into api/ and hold the module's own rules."""

import ast
from pathlib import Path

import pytest

from scheduling.errors import Forbidden
from scheduling.services import catalog, permissions, staff

API = Path(__file__).resolve().parents[2] / "api"
ROLE_ATTRIBUTES = {"role", "is_operator", "is_therapist", "is_driver"}


def is_role(node: ast.AST) -> bool:
    """`x.role`, `x.is_operator` or `Role.X`."""
    if not isinstance(node, ast.Attribute):
        return False
    return node.attr in ROLE_ATTRIBUTES or (isinstance(node.value, ast.Name) and node.value.id == "Role")


def role_checks(source: str) -> list[str]:
    """Comparisons involving a user's role (`x.role == ...`, `Role.X in ...`, `x.is_operator`), role guards
    (require_role, require_operator, raise Forbidden) and private names reached in other modules (the
    request's own attributes are not another module's helpers: the chunked-body middleware sets request._body)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(is_role(inner) for inner in ast.walk(node)):
            found.append(f"line {node.lineno}: a role comparison")
        elif isinstance(node, ast.Attribute) and node.attr in ROLE_ATTRIBUTES - {"role"}:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in {"require_role", "require_operator", "Forbidden"}:
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            if isinstance(node.value, ast.Name) and node.value.id not in {"self", "cls", "request"}:
                found.append(f"line {node.lineno}: {node.value.id}.{node.attr} (a private helper of another module)")
        elif isinstance(node, ast.ImportFrom) and any(alias.name.startswith("_") for alias in node.names):
            found.append(f"line {node.lineno}: imports a private name from {node.module}")
    return found


def test_no_module_of_the_api_checks_a_role_or_reaches_into_private_helpers():
    wrong = {path.name: checks for path in sorted(API.glob("*.py")) if (checks := role_checks(path.read_text()))}
    assert not wrong, f"role checks belong in scheduling/services/permissions.py: {wrong}"


def test_the_check_finds_a_role_comparison_a_guard_and_a_private_helper():
    source = (
        "def view(request):\n"
        "    if request.auth.role != Role.OPERATOR:\n"
        "        raise Forbidden('no')\n"
        "    return services._check(request.auth)\n"
    )
    assert len(role_checks(source)) == 3


@pytest.mark.parametrize(
    "write",
    [
        lambda actor: staff.create_staff(actor, username="x", password="a-long-enough-pass-123", role="driver"),
        lambda actor: staff.update_staff(actor, actor.pk, {"first_name": "X"}),
        lambda actor: staff.set_staff_active(actor, actor.pk, False),
        lambda actor: staff.toggle_staff_active(actor, actor.pk),
        lambda actor: catalog.create_client(actor, {"first_name": "X", "phone_number": "+63917000"}),
        lambda actor: catalog.update_client(actor, 1, {"first_name": "X"}),
        lambda actor: catalog.delete_client(actor, 1),
        lambda actor: catalog.create_service(actor, {"name": "X", "duration": 60, "price": 1}),
        lambda actor: catalog.update_service(actor, 1, {"name": "X"}),
        lambda actor: catalog.deactivate_service(actor, 1),
        lambda actor: catalog.remove_service(actor, 1),
    ],
)
def test_the_services_refuse_a_therapist_before_looking_at_any_row(write, make_therapist):
    """The rule lives in the service: called directly, without the API, a therapist is refused (403 before the
    404 of an id that does not exist, as the API has always answered)."""
    with pytest.raises(Forbidden, match="^Only a operator may"):
        write(make_therapist())


def test_an_operator_cannot_deactivate_themself_or_edit_another_operator(make_operator):
    me, other = make_operator(), make_operator()
    with pytest.raises(Forbidden, match="your own account"):
        staff.set_staff_active(me, me.pk, False)
    with pytest.raises(Forbidden, match="another operator"):
        staff.update_staff(me, other.pk, {"first_name": "X"})
    assert permissions.sees_every_appointment(me)
