"""The appointment item cache stays exact under concurrent edits of everything it shows (issue 14, item 3)."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from scheduling.models import Appointment
from scheduling.services import appointments as appointment_services
from tests import factories
from tests.cache_race import concurrent_edits, seed
from tests.concurrency import assert_caches_exact


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_clients_staff_services_and_appointments_leave_the_cache_exact():
    ids = seed(appointments=6)
    assert concurrent_edits(ids, writers=4, edits_each=40, seed=1) == []
    assert_caches_exact()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_refresh_in_flight_does_not_hide_a_free_driver_from_the_pickup():
    """The cache refresh must not row-lock the people it shows: the free driver is picked with SKIP LOCKED."""
    now = timezone.now()
    operator, therapist = factories.OperatorFactory(), factories.TherapistFactory()
    longest = factories.DriverFactory(last_available_at=now - dt.timedelta(hours=3))
    factories.DriverFactory(last_available_at=now - dt.timedelta(minutes=5))
    later = factories.AppointmentFactory(driver=longest, date=timezone.localdate() + dt.timedelta(days=5))
    done = factories.AppointmentFactory(operator=operator, therapist=therapist, driver=None, status="completed")
    refreshed, finish = threading.Event(), threading.Event()

    def edit_the_drivers_other_appointment():
        with transaction.atomic():
            Appointment.objects.filter(id=later.id).update(notes="moved")  # its refresh shows the driver
            refreshed.set()
            finish.wait(10)

    editor = threading.Thread(target=lambda: (edit_the_drivers_other_appointment(), connection.close()))
    editor.start()
    try:
        assert refreshed.wait(10)
        picked = appointment_services.request_pickup(therapist, done.id)
    finally:
        finish.set()
        editor.join(10)
    assert picked.driver_id == longest.id
