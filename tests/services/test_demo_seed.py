from scheduling.demo import SIZES, Seeder
from scheduling.models import Appointment, Client, Notification, Role, Service, User


def counts():
    return (
        User.objects.count(),
        Client.objects.count(),
        Service.objects.count(),
        Appointment.objects.count(),
        Notification.objects.count(),
    )


def test_seeding_is_idempotent(db):
    Seeder("small", progress=False).run()
    first = counts()
    Seeder("small", progress=False).run()
    assert counts() == first


def test_small_seed_has_every_role_services_and_many_statuses(db):
    Seeder("small", progress=False).run()
    size = SIZES["small"]
    assert User.objects.filter(role=Role.THERAPIST).count() == size.therapists
    assert User.objects.filter(role=Role.DRIVER).count() == size.drivers
    assert set(Service.objects.values_list("name", flat=True)) >= {"Shiatsu", "Hot Stone", "Ventosa"}
    assert Service.objects.get(name="Hot Stone").duration == 90
    assert Appointment.objects.count() == size.appointments
    assert Notification.objects.count() == size.notifications
    assert Appointment.objects.values("status").distinct().count() >= 8


def test_demo_users_can_log_in_with_the_demo_password(db, settings, api_client):
    settings.DEMO_PASSWORD = "demo-test-pass"
    Seeder("small", progress=False).run()
    response = api_client().post("/api/auth/login/", {"username": "therapist1", "password": "demo-test-pass"})
    assert response.status_code == 200
    assert response.json()["user"]["role"] == "therapist"


def test_no_therapist_or_driver_is_double_booked(db):
    Seeder("small", progress=False).run()
    rows = Appointment.objects.values_list("therapist_id", "driver_id", "date", "start_time", "end_time")
    by_staff = {}
    for therapist_id, driver_id, day, start, end in rows:
        for staff in (therapist_id, driver_id):
            if staff:
                by_staff.setdefault((staff, day), []).append((start, end))
    for slots in by_staff.values():
        slots.sort()
        for (_, end), (next_start, _) in zip(slots, slots[1:], strict=False):
            assert end <= next_start


def test_the_demo_progression_is_the_lifecycle_tables_way_through_with_and_without_a_driver():
    """Each status of the demo's progression follows from the one before by a step of the lifecycle table
    (without a driver, skipping what the table's shortcuts skip), and each timestamp field it sets exists."""
    from scheduling import demo, lifecycle

    for has_driver in (True, False):
        path = lifecycle.way_to(demo.ORDER[-1], has_driver=has_driver)
        for before, after in zip(path, path[1:], strict=False):
            assert after in lifecycle.allowed_next_statuses(before, has_driver=has_driver), (has_driver, before, after)
    fields = {f.name for f in Appointment._meta.get_fields()}
    assert set(demo.STEP_FIELD.values()) <= fields
    assert demo.STEP_FIELD[lifecycle.S.THERAPIST_CONFIRMED] == lifecycle.step("therapist_confirm").stamp


def test_every_demo_notification_is_of_a_kind_its_appointments_steps_gave_rise_to_and_goes_to_its_people(db):
    """A pending booking never shows "Return journey completed", and a notification goes to someone the appointment
    concerns (the admin lists an appointment's notifications)."""
    from scheduling.lifecycle import notifications_reaching

    Seeder("small", progress=False).run()
    heavy = User.objects.filter(role=Role.OPERATOR).order_by("id").first()
    rows = Notification.objects.filter(appointment__isnull=False).values_list(
        "notification_type",
        "user_id",
        "appointment__status",
        "appointment__therapist_id",
        "appointment__driver_id",
        "appointment__operator_id",
    )
    assert rows
    kinds, recipients = set(), set()
    for kind, user_id, status, therapist, driver, operator in rows:
        assert kind in notifications_reaching(status, has_driver=driver is not None), (kind, status, driver)
        # one of the appointment's people, or the dispatch desk's main account
        assert user_id in (therapist, driver, operator, heavy.id), (user_id, therapist, driver, operator)
        kinds.add(kind)
        recipients.add(user_id)
    assert len(kinds) >= 8 and len(recipients) >= 10  # still varied inboxes
