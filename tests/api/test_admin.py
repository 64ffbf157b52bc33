"""The admin for the dispatch desk: status moves only along the operator's lifecycle steps and through the same
services as the API; every refusal is a form error naming the rule, never a 500."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from scheduling import admin as scheduling_admin
from scheduling.lifecycle import AppointmentStatus as S
from scheduling.models import Appointment, Notification, NotificationType
from scheduling.services import auth as auth_service


@pytest.fixture
def desk(client, make_operator):
    operator = make_operator(username="desk", is_staff=True, is_superuser=True)
    client.force_login(operator)
    client.operator = operator
    return client


def change_url(appointment) -> str:
    return f"/admin/scheduling/appointment/{appointment.pk}/change/"


def _value(field):
    value = field.value()
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def form_data(response) -> dict:
    """What the browser would send back unchanged: the main form and every inline formset."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        if name in form.initial or field.initial is not None:
            value = _value(form[name])
            if value != "":
                data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = _value(formset.management_form[name])
        for sub in formset.forms:
            for name in sub.fields:
                value = _value(sub[name])
                if value not in ("", None, False):
                    data[f"{sub.prefix}-{name}"] = value
    return data


def offered_statuses(response) -> list[str]:
    return [value for value, _label in response.context["adminform"].form.fields["status"].choices]


def test_the_change_page_shows_totals_services_and_the_notifications_read_only(desk, make_appointment, make_service):
    appointment = make_appointment(services=[make_service(name="Hot Stone", duration=90, price="675.00")])
    Notification.objects.create(
        user=appointment.therapist, appointment=appointment, notification_type=NotificationType.SYSTEM, message="Hi!"
    )
    response = desk.get(change_url(appointment))
    assert response.status_code == 200
    page = response.content.decode()
    assert "90 min, 675.00" in page
    assert "Hot Stone (90 min, 675.00)" in page
    assert "Hi!" in page
    assert 'name="notifications-0-message"' not in page  # shown, not editable


def test_only_the_operator_steps_from_the_current_status_are_offered(desk, make_appointment, make_driver):
    pending = make_appointment()
    assert offered_statuses(desk.get(change_url(pending))) == [S.PENDING, S.AUTO_CANCELLED, S.CANCELLED]
    started_without_driver = make_appointment(
        status=S.THERAPIST_CONFIRMED, start_time=dt.time(12), end_time=dt.time(13)
    )
    assert offered_statuses(desk.get(change_url(started_without_driver))) == [
        S.THERAPIST_CONFIRMED,
        S.IN_PROGRESS,
        S.CANCELLED,
    ]
    with_driver = make_appointment(
        status=S.IN_PROGRESS, driver=make_driver(), start_time=dt.time(14), end_time=dt.time(15)
    )
    assert offered_statuses(desk.get(change_url(with_driver))) == [S.IN_PROGRESS]  # the journey is the driver's


def test_a_status_move_runs_the_lifecycle_service_with_its_notifications(desk, make_appointment):
    appointment = make_appointment()
    data = {**form_data(desk.get(change_url(appointment))), "status": S.CANCELLED, "status_note": "Client called"}
    response = desk.post(change_url(appointment), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    appointment.refresh_from_db()
    assert appointment.status == S.CANCELLED
    assert appointment.cancellation_reason == "Client called"
    assert appointment.cancelled_at is not None
    notified = Notification.objects.filter(
        appointment=appointment, notification_type=NotificationType.APPOINTMENT_CANCELLED
    ).values_list("user_id", flat=True)
    assert appointment.therapist_id in notified


def test_an_illegal_status_is_a_form_error_and_changes_nothing(desk, make_appointment):
    appointment = make_appointment()
    data = {**form_data(desk.get(change_url(appointment))), "status": S.COMPLETED, "location": "Somewhere new"}
    response = desk.post(change_url(appointment), data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    appointment.refresh_from_db()
    assert (appointment.status, appointment.location) == (S.PENDING, appointment.location)
    assert appointment.location != "Somewhere new"


def test_a_step_the_service_refuses_is_a_form_error_naming_why(desk, make_appointment):
    appointment = make_appointment()
    Appointment.objects.filter(pk=appointment.pk).update(response_deadline=timezone.now() + dt.timedelta(hours=1))
    data = {**form_data(desk.get(change_url(appointment))), "status": S.AUTO_CANCELLED, "location": "Elsewhere"}
    response = desk.post(change_url(appointment), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any("deadline" in e and "has not passed" in e for e in errors), errors
    appointment.refresh_from_db()
    assert appointment.status == S.PENDING and appointment.location != "Elsewhere"  # all or nothing


def test_a_double_booking_postgresql_refuses_is_a_form_error_naming_the_constraint(desk, make_appointment, therapist):
    make_appointment(therapist=therapist)  # tomorrow 10:00-11:00
    other = make_appointment(start_time=dt.time(10, 30), end_time=dt.time(11, 30))
    data = {**form_data(desk.get(change_url(other))), "therapist": str(therapist.pk)}
    response = desk.post(change_url(other), data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "staff_booking_no_overlap" in errors and "double booking" in errors
    other.refresh_from_db()
    assert other.therapist_id != therapist.pk


def test_a_trigger_refusal_is_named_too():
    from django.db import InternalError

    class Diag:
        constraint_name = None
        message_primary = 'pgtrigger: Transition of "status" from "pending" to "completed" is not allowed'
        context = "PL/pgSQL function pgtrigger_appointment_status_fsm_1a2b3() line 3 at RAISE"

    class Cause(Exception):
        diag = Diag()

    exc = InternalError("x")
    exc.__cause__ = Cause()
    assert scheduling_admin.refusal_message(exc) == (
        "PostgreSQL refused the change (trigger pgtrigger_appointment_status_fsm_1a2b3): " + Diag.message_primary
    )


def test_the_appointment_list_filters_and_searches(desk, make_appointment, therapist):
    mine = make_appointment(therapist=therapist)
    make_appointment(start_time=dt.time(15), end_time=dt.time(16))
    base = "/admin/scheduling/appointment/"
    for query in (
        "",
        "?status__exact=pending",
        f"?therapist={therapist.pk}",
        f"?q={mine.client.last_name}",
        "?date__gte=2000-01-01",
    ):
        assert desk.get(base + query).status_code == 200, query
    listed = desk.get(f"{base}?therapist={therapist.pk}").context["cl"].result_list
    assert [a.pk for a in listed] == [mine.pk]


def test_therapist_autocomplete_finds_only_therapists(desk, therapist, make_driver):
    make_driver(first_name=therapist.first_name)
    response = desk.get(
        "/admin/autocomplete/",
        {
            "app_label": "scheduling",
            "model_name": "appointment",
            "field_name": "therapist",
            "term": therapist.first_name,
        },
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(therapist.pk)]


def test_the_unlock_action_unlocks_the_selected_accounts(desk, make_therapist):
    locked = make_therapist()
    AccessAttempt.objects.create(  # what django-axes records after the failures (account, address)
        username=locked.username,
        ip_address="10.9.8.7",
        user_agent="",
        http_accept="",
        path_info="/api/auth/login/",
        get_data="",
        post_data="",
        failures_since_start=settings.LOGIN_MAX_FAILURES,
    )
    assert auth_service.is_locked(locked)
    response = desk.post(
        "/admin/scheduling/user/", {"action": "unlock_accounts", "_selected_action": [locked.pk]}, follow=True
    )
    assert response.status_code == 200
    assert f"Unlocked: {locked.username}." in response.content.decode()
    assert not auth_service.is_locked(locked) and not AccessAttempt.objects.filter(username=locked.username).exists()
