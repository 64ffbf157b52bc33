"""The lifecycle table (scheduling/lifecycle.py) is the one home of the lifecycle: the FSM trigger PostgreSQL runs,
the action routes, the statuses an admin may choose and the status PATCH all agree with it."""

import re

import pgtrigger
import pytest
from django.db import DatabaseError, connection, transaction

from api.api import api
from scheduling import lifecycle
from scheduling.lifecycle import STEPS, AppointmentStatus
from scheduling.models import Appointment, NotificationType, Role

S = AppointmentStatus


def table_pairs() -> set[tuple[str, str]]:
    return {(source, target) for step in STEPS for source in step.all_sources for target in step.targets}


def fsm_trigger() -> pgtrigger.FSM:
    (fsm,) = [t for t in Appointment._meta.triggers if isinstance(t, pgtrigger.FSM)]
    return fsm


def test_the_model_fsm_trigger_allows_exactly_the_steps_of_the_table():
    assert set(fsm_trigger().transitions) == table_pairs()
    assert len(fsm_trigger().transitions) == len(table_pairs())


def test_the_installed_fsm_function_in_postgresql_lists_exactly_the_steps_of_the_table(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [fsm_trigger().get_pgid(Appointment)])
        (source,) = cursor.fetchone()
    listed = re.search(r"ANY\('\{([^}]*)\}'", source).group(1).split(",")
    assert {tuple(pair.split(":")) for pair in listed} == table_pairs()


def test_every_step_names_real_roles_statuses_stamps_and_notification_types():
    fields = {f.name for f in Appointment._meta.get_fields()}
    for step in STEPS:
        assert set(step.roles) <= set(Role.values), step.action
        assert set(step.all_sources) | set(step.targets) <= set(S.values), step.action
        assert step.notification in NotificationType.values, step.action
        assert step.stamp is None or step.stamp in fields, step.action
        assert set(step.frees) <= {Role.THERAPIST, Role.DRIVER}, step.action
        assert step.special or step.message, f"plain step {step.action} needs its notification text"
    assert len({step.action for step in STEPS}) == len(STEPS)


def test_every_status_is_reached_by_some_step_and_every_step_has_its_route():
    assert {t for step in STEPS for t in step.targets} == set(S.values)  # pending: a denied rejection
    schema = api.get_openapi_schema(path_prefix="/api/")
    prefix = "/api/scheduling/appointments/{appointment_id}/"
    routes = {
        path[len(prefix) : -1]
        for path, ops in schema["paths"].items()
        if path.startswith(prefix) and path != prefix and "post" in ops
    }
    assert routes == {step.action for step in STEPS}
    for step in STEPS:
        assert schema["paths"][f"{prefix}{step.action}/"]["post"]["summary"] == step.summary


@pytest.mark.parametrize("status", S.values)
def test_allowed_next_statuses_are_the_fsm_transitions_from_that_status(status):
    expected = {target for source, target in fsm_trigger().transitions if source == status}
    assert set(lifecycle.allowed_next_statuses(status)) == expected


def test_with_a_driver_assigned_the_no_driver_shortcuts_are_not_offered():
    assert S.IN_PROGRESS not in lifecycle.allowed_next_statuses(S.THERAPIST_CONFIRMED, has_driver=True)
    assert S.IN_PROGRESS in lifecycle.allowed_next_statuses(S.THERAPIST_CONFIRMED, has_driver=False)
    assert lifecycle.allowed_next_statuses(S.IN_PROGRESS, has_driver=True) == [S.JOURNEY]


def test_postgresql_refuses_every_status_change_the_table_does_not_allow_and_accepts_the_others(
    make_appointment,
):
    appointment = make_appointment()
    refused, accepted = set(), set()
    for source in S.values:
        for target in S.values:
            if source == target:
                continue
            with pgtrigger.ignore("scheduling.Appointment:appointment_status_fsm"):
                Appointment.objects.filter(pk=appointment.pk).update(status=source)
            try:
                with transaction.atomic():
                    Appointment.objects.filter(pk=appointment.pk).update(status=target)
                accepted.add((source, target))
            except DatabaseError:
                refused.add((source, target))
    assert accepted == table_pairs()
    assert len(refused) == len(S.values) * (len(S.values) - 1) - len(table_pairs())


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.action)
def test_a_status_patch_to_each_target_of_a_step_stands_for_a_step_leading_there(step):
    for source in step.all_sources:
        for target in step.targets:
            found = lifecycle.step_leading_to(source, target)
            assert found is not None and source in found.all_sources and target in found.targets


def test_a_status_patch_prefers_the_step_that_usually_leads_there():
    assert lifecycle.step_leading_to(S.REJECTED, S.CANCELLED).action == "cancel"
    assert lifecycle.step_leading_to(S.REJECTED, S.PENDING).action == "review_rejection"
    assert lifecycle.step_leading_to(S.COMPLETED, S.PICKUP_REQUESTED).action == "request_pickup"
    assert lifecycle.step_leading_to(S.ARRIVED, S.DROPPED_OFF).action == "drop_off_therapist"
    assert lifecycle.step_leading_to(S.PENDING, S.COMPLETED) is None


def test_the_status_groups_derived_from_the_table():
    assert lifecycle.step("cancel").sources == lifecycle.CANCELLABLE
    assert lifecycle.ACTIVE_SESSIONS == (
        S.IN_PROGRESS,
        S.JOURNEY,
        S.ARRIVED,
        S.DROPPED_OFF,
        S.SESSION_IN_PROGRESS,
        S.AWAITING_PAYMENT,
    )
    assert lifecycle.PICKUP_REQUESTS == (S.PICKUP_REQUESTED, S.DRIVER_ASSIGNED_PICKUP)
    assert lifecycle.THERAPIST_FREED == (S.CANCELLED, S.AUTO_CANCELLED)
    # The driver is held from the booking until the drop-off (and while a rejection waits for review).
    assert lifecycle.DRIVER_HELD == (
        S.PENDING,
        S.THERAPIST_CONFIRMED,
        S.DRIVER_CONFIRMED,
        S.IN_PROGRESS,
        S.JOURNEY,
        S.ARRIVED,
        S.REJECTED,
    )
