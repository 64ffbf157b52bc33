"""The frontend's attendance calls (CONTRACT.md section 2a), one test per call: the path, the body it sends and
every field it reads (features/attendance/attendanceSlice.js, hooks/useAttendanceQueries.js,
hooks/useDashboardQueries.js, pages/AttendancePage, components/AttendanceComponent and OperatorDashboard)."""

import re

from scheduling.services import attendance as services
from tests.attendance_clock import DAY, at, clock_fixture  # noqa: F401 (the "clock" fixture)

BASE = "/api/attendance/"
HH_MM_SS = re.compile(r"^\d{2}:\d{2}:\d{2}$")  # what formatTime/formatTimeForInput split on ":"
RECORD_FIELDS = {
    "id", "staff_member", "staff_member_details", "date", "check_in_time", "check_out_time", "status",
    "is_checked_in", "hours_worked", "approved_by", "approved_at", "notes", "created_at", "updated_at",
}  # fmt: skip
PERSON = {"id", "first_name", "last_name", "role"}


def assert_record(body: dict) -> None:
    """The record shape of 2a: exactly its fields, the person nested as the pages read it."""
    assert set(body) == RECORD_FIELDS
    assert set(body["staff_member"]) >= PERSON and set(body["staff_member_details"]) == PERSON
    assert body["staff_member"]["username"] or body["staff_member"]["email"]  # the page's name fallbacks
    assert body["status"] in ("present", "late", "absent", "pending_approval")
    for name in ("check_in_time", "check_out_time"):
        assert body[name] is None or HH_MM_SS.match(body[name]), body[name]


def test_check_in_answers_what_the_check_in_mutation_reads(api_client, therapist, clock):
    """attendanceSlice checkIn: POST check-in/ {} -> check_in_time, is_checked_in, status, id, notes."""
    response = api_client(therapist).post(f"{BASE}check-in/", {})
    assert response.status_code == 200
    body = response.json()
    assert_record(body)
    assert (body["check_in_time"], body["is_checked_in"], body["status"]) == ("09:00:00", True, "present")
    assert isinstance(body["id"], int) and body["notes"] == ""
    assert body["staff_member"]["id"] == therapist.pk  # useCheckIn matches records on staff_member.id


def test_check_out_answers_what_the_check_out_mutation_reads(api_client, therapist, clock):
    """attendanceSlice checkOut: POST check-out/ {} -> check_out_time, is_checked_in false, status, hours_worked."""
    client = api_client(therapist)
    client.post(f"{BASE}check-in/", {})
    clock("17:30")
    response = client.post(f"{BASE}check-out/", {})
    assert response.status_code == 200
    body = response.json()
    assert_record(body)
    assert (body["check_out_time"], body["is_checked_in"], body["hours_worked"]) == ("17:30:00", False, 8.5)


def test_today_status_is_always_an_object_with_the_keys_the_dashboards_read(api_client, therapist, clock):
    """getTodayAttendanceStatus reads response.data.check_in_time unguarded, so no record is still an object;
    the pages read is_checked_in, check_in_time, check_out_time, status, approved_at, notes, id and date."""
    client = api_client(therapist)
    empty = client.get(f"{BASE}today-status/").json()
    assert isinstance(empty, dict)
    assert (empty["id"], empty["check_in_time"], empty["check_out_time"], empty["is_checked_in"]) == (
        None,
        None,
        None,
        False,
    )
    assert (empty["status"], empty["approved_at"], empty["notes"], empty["date"]) == (None, None, "", "2030-04-08")
    client.post(f"{BASE}check-in/", {})
    body = client.get(f"{BASE}today-status/").json()
    assert_record(body)
    assert (body["is_checked_in"], body["check_in_time"], body["date"]) == (True, "09:00:00", "2030-04-08")


def test_records_of_a_date_are_a_plain_array_with_the_fields_the_tables_read(
    api_client, operator, make_therapist, make_driver, clock
):
    """fetchAttendanceRecords / fetchAttendanceRecordsAPI: GET records/?date= (and &staff_id=) -> an array
    (`Array.isArray(response.data)`); each row: id, staff_member{id, first_name, last_name, role, email or
    username}, date, status, check_in_time, check_out_time, hours_worked, notes, approved_by, created_at."""
    therapist, driver = make_therapist(), make_driver()
    services.check_in(therapist, at=at("13:16"))
    services.check_out(therapist, at=at("20:00"))
    services.mark_absent(operator, day=DAY, staff_id=driver.pk, at=at("20:00"))
    response = api_client(operator).get(f"{BASE}records/?date=2030-04-08")
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list) and len(rows) == 2
    for row in rows:
        assert_record(row)
    by_person = {row["staff_member"]["id"]: row for row in rows}
    worked, absent = by_person[therapist.pk], by_person[driver.pk]
    assert (worked["status"], worked["check_out_time"], worked["hours_worked"]) == ("late", "20:00:00", 6.73)
    assert (worked["staff_member"]["role"], worked["date"]) == ("therapist", "2030-04-08")
    assert (absent["status"], absent["check_in_time"], absent["approved_by"]) == ("absent", None, operator.pk)
    one = api_client(operator).get(f"{BASE}records/?date=2030-04-08&staff_id={driver.pk}").json()
    assert [row["id"] for row in one] == [absent["id"]]


def test_get_one_record_answers_the_record(api_client, therapist, clock):
    """GET records/{id}/ (2a) -> the record."""
    record = services.check_in(therapist, at=at("09:00"))
    body = api_client(therapist).get(f"{BASE}records/{record.pk}/").json()
    assert_record(body)
    assert body["id"] == record.pk


def test_the_edit_form_s_patch_with_hh_mm_times_answers_the_record(api_client, operator, therapist, clock):
    """updateAttendanceRecord: PATCH records/{id}/ {notes, check_in_time "HH:MM", check_out_time "HH:MM"} ->
    the record (id and date are read to refresh the lists)."""
    record = services.check_in(therapist, at=at("09:05"))
    response = api_client(operator).patch(
        f"{BASE}records/{record.pk}/", {"notes": "gate was locked", "check_in_time": "09:00", "check_out_time": "18:00"}
    )
    assert response.status_code == 200
    body = response.json()
    assert_record(body)
    assert (body["id"], body["date"], body["notes"]) == (record.pk, "2030-04-08", "gate was locked")
    assert (body["check_in_time"], body["check_out_time"], body["hours_worked"]) == ("09:00:00", "18:00:00", 9.0)


def test_the_note_modal_s_patch_with_notes_only_answers_the_record(api_client, operator, therapist, clock):
    """addAttendanceNote: PATCH records/{id}/ {notes} -> the record with its id."""
    record = services.check_in(therapist, at=at("09:00"))
    body = api_client(operator).patch(f"{BASE}records/{record.pk}/", {"notes": "left early, approved"}).json()
    assert_record(body)
    assert (body["id"], body["notes"], body["check_in_time"]) == (record.pk, "left early, approved", "09:00:00")


def test_approve_answers_the_updated_record(api_client, operator, therapist, clock):
    """approveAttendance: POST approve/{id}/ {} -> the record (the list replaces the row with the same id); the
    Approve button shows for status pending_approval, which approval resolves."""
    services.mark_absent(operator, day=DAY, at=at("08:00"))
    record = services.check_in(therapist, at=at("09:00"))
    assert record.status == "pending_approval"
    response = api_client(operator).post(f"{BASE}approve/{record.pk}/", {})
    assert response.status_code == 200
    body = response.json()
    assert_record(body)
    assert (body["id"], body["status"], body["approved_by"]) == (record.pk, "present", operator.pk)
    assert body["approved_at"]


def test_mark_absent_takes_staff_id_and_date(api_client, operator, driver, clock):
    """markAsAbsent: POST mark-absent/ {staff_id, date} -> 200 (the slice keeps response.data)."""
    response = api_client(operator).post(f"{BASE}mark-absent/", {"staff_id": driver.pk, "date": "2030-04-08"})
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_summary_answers_the_figures_the_attendance_page_reads(api_client, operator, make_therapist, clock):
    """generateAttendanceSummary: GET summary/?date= -> attendance_rate, total_hours, average_hours,
    pending_approvals (each a number)."""
    a, b = make_therapist(), make_therapist()
    services.mark_absent(operator, day=DAY, staff_id=b.pk, at=at("08:00"))
    services.check_in(a, at=at("09:00"))
    services.check_out(a, at=at("17:00"))
    services.check_in(b, at=at("10:00"))
    response = api_client(operator).get(f"{BASE}summary/", {"date": "2030-04-08"})
    assert response.status_code == 200
    body = response.json()
    assert (body["attendance_rate"], body["total_hours"], body["average_hours"], body["pending_approvals"]) == (
        100.0,
        8.0,
        8.0,
        1,
    )
    assert (body["present"], body["late"], body["absent"], body["pending_approval"], body["total"]) == (1, 0, 0, 1, 2)
