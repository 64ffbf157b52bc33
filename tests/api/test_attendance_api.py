"""/api/attendance/ over HTTP: who may call what, what each role sees, the 409s that name the state, bad input,
query budgets at two sizes, the checked_in filter of who-is-free, and the live channel's hook."""

import datetime as dt

import pytest
from django.utils import timezone

from scheduling.models import AttendanceRecord, Role
from scheduling.selectors.availability import TimeWindow, free_staff
from scheduling.services import attendance as services
from tests.attendance_clock import DAY, at, clock_fixture  # noqa: F401 (the "clock" fixture)

BASE = "/api/attendance/"


def test_a_check_in_at_1315_00_is_present_and_at_1315_01_late(api_client, make_therapist, clock):
    on_time, late = make_therapist(), make_therapist()
    clock("13:15:00")
    body = api_client(on_time).post(f"{BASE}check-in/").json()
    assert (body["status"], body["check_in_time"], body["is_checked_in"]) == ("present", "13:15:00", True)
    clock("13:15:01")
    body = api_client(late).post(f"{BASE}check-in/").json()
    assert (body["status"], body["check_in_time"]) == ("late", "13:15:01")


def test_a_second_check_in_and_a_check_out_without_check_in_are_409s_naming_the_state(
    api_client, therapist, driver, clock
):
    client = api_client(therapist)
    assert client.post(f"{BASE}check-in/").status_code == 200
    again = client.post(f"{BASE}check-in/")
    assert again.status_code == 409
    assert again.json()["detail"] == "You already checked in today at 09:00:00 (status present)."
    nothing = api_client(driver).post(f"{BASE}check-out/")
    assert nothing.status_code == 409
    assert nothing.json()["detail"] == "You have not checked in today: check in first."


def test_a_check_out_after_midnight_counts_for_the_day_it_started(api_client, driver, clock):
    client = api_client(driver)
    clock("20:00")
    client.post(f"{BASE}check-in/")
    clock("00:30", DAY + dt.timedelta(days=1))
    status = client.get(f"{BASE}today-status/").json()
    assert (status["date"], status["is_checked_in"]) == (DAY.isoformat(), True)  # still in, after midnight
    body = client.post(f"{BASE}check-out/").json()
    assert (body["date"], body["check_out_time"], body["hours_worked"]) == (DAY.isoformat(), "00:30:00", 4.5)


def test_operators_get_403_on_check_in_and_an_empty_today_status(api_client, operator, clock):
    client = api_client(operator)
    response = client.post(f"{BASE}check-in/")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Only a therapist or driver")
    status = client.get(f"{BASE}today-status/").json()
    assert (status["id"], status["status"], status["is_checked_in"], status["date"]) == (
        None,
        None,
        False,
        DAY.isoformat(),
    )


def test_staff_see_only_their_own_records_and_operators_everyone_s(
    api_client, operator, make_therapist, make_driver, clock
):
    mine, other, driver = make_therapist(first_name="Ana"), make_therapist(first_name="Bea"), make_driver()
    for person in (mine, other, driver):
        services.check_in(person, at=at("09:00"))
    own = api_client(mine).get(f"{BASE}records/", {"date": DAY.isoformat()}).json()
    assert [r["staff_member"]["id"] for r in own] == [mine.pk]
    everyone = api_client(operator).get(f"{BASE}records/").json()  # the date defaults to today
    assert {r["staff_member"]["id"] for r in everyone} == {mine.pk, other.pk, driver.pk}
    assert isinstance(everyone, list)  # a plain array, as the frontend reads it
    other_record = AttendanceRecord.objects.get(staff_member=other)
    assert api_client(mine).get(f"{BASE}records/{other_record.pk}/").status_code == 404
    assert api_client(driver).post(f"{BASE}approve/{other_record.pk}/").status_code == 403
    assert api_client(operator).get(f"{BASE}records/{other_record.pk}/").status_code == 200


def test_the_records_list_filters_by_person_and_status(api_client, operator, make_therapist, clock):
    early, late = make_therapist(), make_therapist()
    services.check_in(early, at=at("09:00"))
    services.check_in(late, at=at("14:00"))
    client = api_client(operator)
    by_person = client.get(f"{BASE}records/", {"date": DAY.isoformat(), "staff_id": late.pk}).json()
    assert [r["staff_member"]["id"] for r in by_person] == [late.pk]
    by_status = client.get(f"{BASE}records/", {"date": DAY.isoformat(), "status": "present"}).json()
    assert [r["staff_member"]["id"] for r in by_status] == [early.pk]
    assert client.get(f"{BASE}records/", {"date": "2030-02-30"}).status_code == 422
    assert client.get(f"{BASE}records/", {"status": "asleep"}).status_code == 422


def test_the_records_list_costs_two_queries_at_any_size(
    api_client, operator, make_therapist, django_assert_num_queries, clock
):
    client = api_client(operator)
    for size in (1, 40):
        while AttendanceRecord.objects.filter(date=DAY).count() < size:
            services.check_in(make_therapist(), at=at("09:00"))
        with django_assert_num_queries(2):  # authentication, the rows with their people
            assert len(client.get(f"{BASE}records/", {"date": DAY.isoformat()}).json()) == size


def test_today_status_costs_two_queries(api_client, therapist, django_assert_num_queries, clock):
    client = api_client(therapist)
    client.post(f"{BASE}check-in/")
    with django_assert_num_queries(2):  # authentication, the current record rendered
        assert client.get(f"{BASE}today-status/").json()["is_checked_in"] is True


def test_operators_correct_times_and_notes_and_staff_cannot(api_client, operator, therapist, clock):
    record = services.check_in(therapist, at=at("13:30"))
    url = f"{BASE}records/{record.pk}/"
    refused = api_client(therapist).patch(url, {"notes": "mine"})
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("Only an operator")
    body = api_client(operator).patch(url, {"check_in_time": "13:00", "check_out_time": "01:00", "notes": "ok"}).json()
    assert (body["status"], body["check_in_time"], body["check_out_time"]) == ("present", "13:00:00", "01:00:00")
    assert (body["hours_worked"], body["notes"]) == (12.0, "ok")
    record.refresh_from_db()
    assert record.corrected_by_id == operator.pk


@pytest.mark.parametrize(
    ("patch", "status"),
    [
        ({"check_in_time": "25:00"}, 422),
        ({"check_in_time": "10:00+02:00"}, 422),
        ({"check_in_time": None}, 400),
        ({"notes": "x" * 5001}, 400),
        ({"notes": "a\x00b"}, 400),
    ],
)
def test_bad_corrections_are_4xx_and_change_nothing(api_client, operator, therapist, clock, patch, status):
    record = services.check_in(therapist, at=at("09:00"))
    before = AttendanceRecord.objects.filter(pk=record.pk).values().get()
    response = api_client(operator).patch(f"{BASE}records/{record.pk}/", patch)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert AttendanceRecord.objects.filter(pk=record.pk).values().get() == before


def test_approve_answers_the_record_and_a_second_approval_is_409(api_client, operator, therapist, clock):
    record = services.check_in(therapist, at=at("09:00"))
    client = api_client(operator)
    body = client.post(f"{BASE}approve/{record.pk}/").json()
    assert (body["approved_by"], body["status"]) == (operator.pk, "present")
    assert body["approved_at"]
    again = client.post(f"{BASE}approve/{record.pk}/")
    assert again.status_code == 409 and "already approved" in again.json()["detail"]
    assert client.post(f"{BASE}approve/{record.pk + 999}/").status_code == 404


def test_mark_absent_takes_the_frontend_s_body_or_none(api_client, operator, make_therapist, make_driver, clock):
    one, two, driver = make_therapist(), make_therapist(), make_driver()
    client = api_client(operator)
    body = client.post(f"{BASE}mark-absent/", {"staff_id": one.pk, "date": DAY.isoformat()}).json()
    assert body == {"detail": "1 marked absent on 2030-04-08.", "date": "2030-04-08", "count": 1}
    body = client.post(f"{BASE}mark-absent/").json()  # everyone else, today
    assert body["count"] == 2
    assert set(AttendanceRecord.objects.filter(status="absent").values_list("staff_member_id", flat=True)) == {
        one.pk,
        two.pk,
        driver.pk,
    }
    future = client.post(f"{BASE}mark-absent/", {"date": "2030-04-09"})
    assert future.status_code == 400


def test_the_summary_is_for_operators_only(api_client, therapist, clock):
    response = api_client(therapist).get(f"{BASE}summary/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only an operator may read the attendance summary."


def test_available_staff_with_checked_in_lists_only_people_in_now(
    api_client, operator, make_therapist, make_driver, make_availability
):
    today = timezone.localdate()
    people = {"in": make_therapist(), "out": make_therapist(), "never": make_therapist(), "driver": make_driver()}
    for person in people.values():
        make_availability(user=person, date=today, start_time=dt.time(0, 0), end_time=dt.time(23, 59))
    now = timezone.now()
    services.check_in(people["in"], at=now - dt.timedelta(minutes=2))
    services.check_in(people["out"], at=now - dt.timedelta(minutes=2))
    services.check_out(people["out"], at=now - dt.timedelta(minutes=1))
    services.check_in(people["driver"], at=now - dt.timedelta(minutes=2))
    window = {"date": today.isoformat(), "start_time": "23:00", "end_time": "23:30"}
    client = api_client(operator)
    for url in ("/api/scheduling/available_therapists/", "/api/scheduling/availabilities/available_therapists/"):
        everyone = [p["id"] for p in client.get(url, window).json()]
        assert set(everyone) == {people["in"].pk, people["out"].pk, people["never"].pk}
        assert [p["id"] for p in client.get(url, {**window, "checked_in": "true"}).json()] == [people["in"].pk]
    drivers = client.get("/api/scheduling/available_drivers/", {**window, "checked_in": "true"}).json()
    assert [p["id"] for p in drivers] == [people["driver"].pk]


def test_someone_still_in_after_midnight_counts_as_checked_in(make_therapist, make_availability):
    night, forgot = make_therapist(), make_therapist()
    for person in (night, forgot):
        make_availability(user=person, date=DAY, start_time=dt.time(18), end_time=dt.time(6))
    services.check_in(night, at=at("20:00"))
    services.check_in(forgot, at=at("20:00", DAY - dt.timedelta(days=1)))  # never checked out, two days ago
    window = TimeWindow(DAY + dt.timedelta(days=1), dt.time(0, 30), dt.time(1, 0))
    after_midnight = at("00:30", DAY + dt.timedelta(days=1))
    assert [p.pk for p in free_staff(Role.THERAPIST, window, checked_in=True, now=after_midnight)] == [night.pk]
    services.check_out(night, at=after_midnight)
    assert free_staff(Role.THERAPIST, window, checked_in=True, now=at("00:31", DAY + dt.timedelta(days=1))) == []
