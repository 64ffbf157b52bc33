"""The existing frontend works unchanged (CONTRACT.md sections 1 and 2): one test per row, each sending exactly the
body the frontend sends (keys, nulls, number types, trailing slashes) and reading what it reads; then our own
spellings, which stay valid."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from scheduling.models import Appointment, Client, EmailVerification, Notification, User
from scheduling.selectors import reports
from scheduling.selectors.reports import DateSpan

S = "/api/scheduling"
APPOINTMENTS = f"{S}/appointments/"
VITE = "http://localhost:5173"


def login(api_client, username: str, password: str = "secret-pass-123"):
    return api_client().post("/api/auth/login/", {"username": username, "password": password})


# ------------------------------------------------------------------------------------------ 1. cross-cutting


def test_a_preflight_from_the_vite_dev_origin_is_allowed_with_the_token_header(client):
    response = client.options(
        f"{APPOINTMENTS}?page_size=1000",
        HTTP_ORIGIN=VITE,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type",
    )
    assert response.status_code in (200, 204)
    assert response["Access-Control-Allow-Origin"] == VITE
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert "PATCH" in response["Access-Control-Allow-Methods"]


def test_an_answer_to_the_allowed_origin_carries_the_cors_header_even_a_401(client):
    response = client.get(APPOINTMENTS, HTTP_ORIGIN=VITE)
    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == VITE


def test_allowed_origins_come_from_configuration_and_no_other_origin_is_allowed(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    hosted = client.options(
        APPOINTMENTS, HTTP_ORIGIN="https://app.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    other = client.options(APPOINTMENTS, HTTP_ORIGIN=VITE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert hosted["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Access-Control-Allow-Origin" not in other


def test_login_and_me_say_email_verified_for_an_account_an_operator_created(api_client, operator):
    created = api_client(operator).post(
        f"{S}/staff/",
        {"username": "newbie", "password": "a-long-enough-pass-123", "role": "driver", "motorcycle_plate": "AB 1234",
         "email": "newbie@example.com"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = login(api_client, "newbie", "a-long-enough-pass-123").json()
    assert body["user"]["email_verified"] is True
    me = api_client().get("/api/auth/me/", headers={"Authorization": f"Token {body['token']}"}).json()
    assert me["email_verified"] is True


def sent_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


@pytest.fixture
def unverified(api_client, therapist):
    """A therapist who changed their e-mail address on the profile page: verified again only with the code."""
    response = api_client(therapist).put(
        "/api/auth/profile/",
        {"first_name": therapist.first_name, "last_name": therapist.last_name, "email": "new@example.com",
         "phone_number": "+639170001111"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["email_verified"] is False
    return therapist


def test_an_unverified_account_verifies_with_the_emailed_code_and_is_logged_in(api_client, unverified):
    assert mail.outbox[-1].to == ["new@example.com"]
    response = api_client().post("/api/auth/verify-email/", {"email": "new@example.com", "code": sent_code()})
    assert response.status_code == 200, response.content
    assert response.json()["user"]["email_verified"] is True and response.json()["token"]
    unverified.refresh_from_db()
    assert unverified.email_verified and not EmailVerification.objects.exists()


def test_a_wrong_or_expired_code_is_a_400_with_its_message_as_error_text(api_client, unverified):
    code = sent_code()
    wrong = api_client().post("/api/auth/verify-email/", {"email": "new@example.com", "code": "000000"})
    if code == "000000":  # one chance in a million
        return
    assert wrong.status_code == 400 and isinstance(wrong.json()["error"], str) and "token" not in wrong.json()
    EmailVerification.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = api_client().post("/api/auth/verify-email/", {"email": "new@example.com", "code": code})
    assert expired.status_code == 400
    unverified.refresh_from_db()
    assert not unverified.email_verified


def test_a_code_is_used_up_by_five_wrong_tries(api_client, unverified):
    code = sent_code()
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(5):
        api_client().post("/api/auth/verify-email/", {"email": "new@example.com", "code": wrong})
    response = api_client().post("/api/auth/verify-email/", {"email": "new@example.com", "code": code})
    assert response.status_code == 400


def test_resending_sends_a_new_code_at_most_once_a_minute_and_says_the_same_for_unknown_addresses(
    api_client, unverified
):
    first_count = len(mail.outbox)
    EmailVerification.objects.update(sent_at=timezone.now() - dt.timedelta(minutes=2))
    resent = api_client().post("/api/auth/resend-verification/", {"email": "NEW@example.com"})
    again = api_client().post("/api/auth/resend-verification/", {"email": "new@example.com"})
    unknown = api_client().post("/api/auth/resend-verification/", {"email": "nobody@example.com"})
    assert resent.status_code == again.status_code == unknown.status_code == 200
    assert resent.json() == again.json() == unknown.json()
    assert len(mail.outbox) == first_count + 1


def test_a_disabled_account_with_the_right_password_gets_403_account_disabled(api_client, make_driver):
    make_driver(username="parked", is_active=False)
    response = login(api_client, "parked")
    assert response.status_code == 403
    body = response.json()
    assert body["error_code"] == body["code"] == "ACCOUNT_DISABLED" and body["detail"]
    wrong = login(api_client, "parked", "not-the-password")
    unknown = login(api_client, "no-such-user", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401 and wrong.json() == unknown.json()


def test_a_missing_or_bad_token_anywhere_is_a_json_401(api_client):
    for url in (APPOINTMENTS, f"{S}/notifications/", "/api/auth/profile/", "/api/registration/register/client/"):
        response = api_client(token="not-a-token").get(url)
        assert response.status_code == 401 and response.json()["detail"], url


def test_page_size_1000_is_capped_at_200_and_the_envelope_says_so(api_client, operator, make_appointment):
    make_appointment()
    body = api_client(operator).get(APPOINTMENTS, {"page": 1, "page_size": 1000}).json()
    assert body["page_size"] == 200 and body["count"] == 1 and len(body["results"]) == 1


def test_a_rule_broken_on_one_field_is_a_400_with_the_field_map_also_at_the_top_level(
    api_client, operator, therapist, make_appointment
):
    busy = make_appointment(therapist=therapist)
    body = booking_body(busy.client_id, busy.services.first().id, therapist.id, busy.date)
    response = api_client(operator).post(APPOINTMENTS, body)
    assert response.status_code == 400
    data = response.json()
    assert data["detail"] and data["error"]["therapist"] == data["therapist"]
    assert str(busy.date) in data["therapist"][0] and "10:00 to 11:00" in data["therapist"][0]


def test_nested_people_carry_specialization_plate_email_and_phone_number(
    api_client, operator, make_therapist, make_driver, make_appointment
):
    main = make_therapist(specialization="Shiatsu", email="t@example.com", phone="+639170000001")
    partner = make_therapist(specialization="Hot Stone")
    driver = make_driver(motorcycle_plate="NCR 4321", email="d@example.com", phone="+639170000002")
    appointment = make_appointment(therapist=main, driver=driver, operator=operator)
    appointment.therapist_links.create(therapist=main)
    appointment.therapist_links.create(therapist=partner)
    item = api_client(operator).get(f"{APPOINTMENTS}{appointment.id}/").json()
    assert item["therapist_details"]["specialization"] == "Shiatsu"
    assert item["therapist_details"]["email"] == "t@example.com"
    assert item["therapist_details"]["phone_number"] == "+639170000001"
    assert item["driver_details"]["motorcycle_plate"] == "NCR 4321"
    assert item["driver_details"]["phone_number"] == "+639170000002"
    assert [t["specialization"] for t in item["therapists_details"]] == ["Shiatsu", "Hot Stone"]
    assert set(item["operator_details"]) >= {"email", "phone_number"}


def test_a_changed_plate_or_specialization_reaches_the_stored_appointment_json(
    api_client, operator, driver, make_appointment
):
    appointment = make_appointment(driver=driver)
    User.objects.filter(pk=driver.pk).update(motorcycle_plate="NEW 0001", email="moved@example.com")
    item = api_client(operator).get(f"{APPOINTMENTS}{appointment.id}/").json()
    assert item["driver_details"]["motorcycle_plate"] == "NEW 0001"
    assert item["driver_details"]["email"] == "moved@example.com"


def test_appointments_list_newest_booking_first_when_no_ordering_is_given(api_client, operator, make_appointment):
    today = timezone.localdate()
    made = [make_appointment(date=today + dt.timedelta(days=d)) for d in (5, 1, 3)]
    client = api_client(operator)
    newest_first = [r["id"] for r in client.get(APPOINTMENTS).json()["results"]]
    assert newest_first == [a.id for a in reversed(made)]
    by_date = [r["id"] for r in client.get(APPOINTMENTS, {"ordering": "date"}).json()["results"]]
    assert by_date == [made[1].id, made[2].id, made[0].id]


def test_the_default_order_can_be_read_from_an_index(db):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # a bitmap scan never returns rows in index order: with the table's statistics of the moment (rows left by
        # earlier tests) the planner sometimes preferred one plus a sort, which says nothing about the index
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN SELECT id FROM appointment_list_rows ORDER BY created_at DESC, id DESC LIMIT 20")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "appt_created_idx" in plan and "Sort" not in plan, plan


# ------------------------------------------------------------------------------------------ 2. calls and bodies


def test_login_returns_the_token_and_the_user_fields_the_frontend_stores(api_client, make_operator):
    make_operator(username="desk", first_name="Dana", last_name="Cruz", email="desk@example.com")
    body = login(api_client, "desk").json()
    assert body["token"]
    assert {k: body["user"][k] for k in ("role", "first_name", "last_name", "username", "email")} == {
        "role": "operator", "first_name": "Dana", "last_name": "Cruz", "username": "desk", "email": "desk@example.com"
    }  # fmt: skip
    assert isinstance(body["user"]["id"], int)


def test_toggle_account_status_flips_active_and_answers_message_and_user(api_client, operator, therapist):
    client = api_client(operator)
    url = f"/api/toggle-account-status/{therapist.id}/"
    off = client.patch(url, {})
    assert off.status_code == 200, off.content
    assert off.json()["message"] and off.json()["user"]["id"] == therapist.id
    assert off.json()["user"]["is_active"] is False
    on = client.generic("PATCH", url)  # the staff screen sends no body at all
    assert on.status_code == 200 and on.json()["user"]["is_active"] is True


def test_toggle_account_status_refusals_say_why_in_error(api_client, operator, therapist):
    myself = api_client(operator).patch(f"/api/toggle-account-status/{operator.id}/", {})
    assert myself.status_code == 403 and "your own" in myself.json()["error"]
    staff = api_client(therapist).patch(f"/api/toggle-account-status/{therapist.id}/", {})
    assert staff.status_code == 403
    therapist.refresh_from_db()
    operator.refresh_from_db()
    assert therapist.is_active and operator.is_active


def test_registration_client_list_is_paginated_and_searchable(api_client, operator, make_client):
    for i in range(3):
        make_client(first_name=f"Jess{i}")
    make_client(first_name="Other")
    client = api_client(operator)
    page = client.get("/api/registration/register/client/", {"page": 1, "page_size": 2}).json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["has_next"] is True
    found = client.get("/api/registration/register/client/", {"page": 1, "page_size": 100, "search": "jess"}).json()
    assert {c["first_name"] for c in found["results"]} == {"Jess0", "Jess1", "Jess2"} and not found["has_next"]


def test_registration_client_post_creates_and_a_duplicate_is_a_400_with_a_field_map(api_client, operator):
    body = {"first_name": "Ana", "last_name": "Reyes", "phone_number": "+639171234567", "email": "",
            "address": "12 Jupiter St, Makati"}  # fmt: skip
    client = api_client(operator)
    created = client.post("/api/registration/register/client/", body)
    assert created.status_code == 201, created.content
    assert Client.objects.get(pk=created.json()["id"]).email is None
    again = client.post("/api/registration/register/client/", {**body, "notes": "again"})
    assert again.status_code == 400
    assert again.json()["phone_number"] == again.json()["error"]["phone_number"]
    assert Client.objects.count() == 1


def test_available_therapists_and_drivers_carry_the_covering_slot_times_at_the_top_level(
    api_client, operator, make_therapist, make_driver, make_availability
):
    day = timezone.localdate() + dt.timedelta(days=2)
    therapist = make_therapist(specialization="Ventosa")
    driver = make_driver(motorcycle_plate="QC 777")
    make_availability(user=therapist, date=day, start_time=dt.time(13), end_time=dt.time(1))
    make_availability(user=driver, date=day, start_time=dt.time(9), end_time=dt.time(18))
    client = api_client(operator)
    window = {"date": day.isoformat(), "start_time": "14:00", "end_time": "15:00"}
    (person,) = client.get(f"{S}/availabilities/available_therapists/", window).json()
    assert (person["start_time"], person["end_time"], person["specialization"]) == ("13:00:00", "01:00:00", "Ventosa")
    (carrier,) = client.get(f"{S}/availabilities/available_drivers/", window).json()
    assert (carrier["start_time"], carrier["end_time"], carrier["motorcycle_plate"]) == (
        "09:00:00",
        "18:00:00",
        "QC 777",
    )


def booking_body(client_id: int, service_id: int, therapist_id: int | None, day: dt.date, **extra) -> dict:
    """The booking form's body: `...formData` with its extra keys, times as HH:MM."""
    return {
        "client": client_id, "services": [service_id], "date": day.isoformat(), "start_time": "10:00",
        "end_time": "11:00", "address": "12 Jupiter St", "notes": "", "therapist": therapist_id, "therapists": [],
        "driver": None, "multipleTherapists": False, "clientFirstName": "Ana", "clientLastName": "Reyes",
        "clientPhone": "+639171234567", "clientEmail": "", "location": "12 Jupiter St", "materials": [],
        **extra,
    }  # fmt: skip


def test_booking_with_the_forms_body_creates_the_appointment(
    api_client, operator, therapist, driver, make_client, make_service
):
    customer, service = make_client(), make_service(name="Shiatsu")
    day = timezone.localdate() + dt.timedelta(days=1)
    response = api_client(operator).post(APPOINTMENTS, booking_body(customer.id, service.id, therapist.id, day,
                                                                    driver=driver.id))  # fmt: skip
    assert response.status_code == 201, response.content
    created = Appointment.objects.get(pk=response.json()["id"])
    assert (created.therapist_id, created.driver_id, created.status) == (therapist.id, driver.id, "pending")


def test_a_group_booking_from_the_form_has_therapist_null_and_the_therapists_list(
    api_client, operator, make_therapist, make_client, make_service
):
    first, second = make_therapist(), make_therapist()
    body = booking_body(make_client().id, make_service(name="Hand").id, None, timezone.localdate(),
                        therapists=[first.id, second.id], multipleTherapists=True)  # fmt: skip
    response = api_client(operator).post(APPOINTMENTS, body)
    assert response.status_code == 201, response.content
    assert response.json()["therapists"] == [first.id, second.id]


@pytest.fixture
def journey(make_appointment, operator, therapist, driver):
    """A booking the therapist confirmed, with its driver assigned."""
    return make_appointment(operator=operator, therapist=therapist, driver=driver, status="therapist_confirmed")


def test_the_driver_patches_status_through_confirm_arrive_and_drop_off(api_client, journey, operator, driver):
    client = api_client(driver)
    url = f"{APPOINTMENTS}{journey.id}/"
    confirmed = client.patch(url, {"status": "driver_confirmed"})
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "driver_confirmed" and confirmed.json()["driver_confirmed_at"]
    assert api_client(operator).patch(url, {"status": "in_progress"}).json()["status"] == "in_progress"
    assert client.post(f"{url}start_journey/").json()["status"] == "journey"
    assert client.patch(url, {"status": "arrived"}).json()["status"] == "arrived"
    dropped = client.patch(url, {"status": "dropped_off", "notes": "Therapist dropped off at client location."})
    assert dropped.status_code == 200 and dropped.json()["status"] == "dropped_off"
    journey.refresh_from_db()
    assert journey.notes == "" and journey.dropped_off_at is not None
    driver.refresh_from_db()
    assert driver.last_available_at is not None  # the drop-off frees the driver, as the action does
    kinds = set(Notification.objects.filter(appointment=journey).values_list("notification_type", flat=True))
    assert {"driver_confirmed", "arrived_at_location", "therapist_dropped_off"} <= kinds


def test_a_status_patch_keeps_the_steps_role_and_status_rules_and_changes_nothing_when_refused(
    api_client, journey, therapist, driver
):
    url = f"{APPOINTMENTS}{journey.id}/"
    wrong_role = api_client(therapist).patch(url, {"status": "driver_confirmed"})
    assert wrong_role.status_code == 403
    skipping = api_client(driver).patch(url, {"status": "arrived"})
    assert skipping.status_code == 409 and "therapist_confirmed" in skipping.json()["detail"]
    unknown = api_client(driver).patch(url, {"status": "driving_to_location"})
    assert unknown.status_code == 422
    journey.refresh_from_db()
    assert journey.status == "therapist_confirmed" and not Notification.objects.filter(appointment=journey).exists()


def test_a_status_patch_to_a_step_with_input_reads_that_input_from_the_body(api_client, make_appointment, therapist):
    pending = make_appointment(therapist=therapist)
    missing = api_client(therapist).patch(f"{APPOINTMENTS}{pending.id}/", {"status": "rejected"})
    assert missing.status_code == 422
    rejected = api_client(therapist).patch(
        f"{APPOINTMENTS}{pending.id}/", {"status": "rejected", "rejection_reason": "Too far"}
    )
    assert rejected.status_code == 200 and rejected.json()["rejection_reason"] == "Too far"


def test_reject_takes_rejection_reason(api_client, make_appointment, therapist):
    pending = make_appointment(therapist=therapist)
    response = api_client(therapist).post(f"{APPOINTMENTS}{pending.id}/reject/", {"rejection_reason": "I am sick"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_details"]["reason"] == "I am sick"


@pytest.fixture
def awaiting(make_appointment, operator, therapist):
    return make_appointment(operator=operator, therapist=therapist, status="awaiting_payment")


def test_mark_completed_accepts_nulls_and_stores_the_service_extension_the_sales_report_reads(
    api_client, operator, awaiting
):
    body = {"payment_method": "cash", "payment_amount": 500, "payment_notes": "", "receipt_hash": None,
            "receipt_url": None, "has_service_extension": True, "extension_amount": 150.5}  # fmt: skip
    response = api_client(operator).post(f"{APPOINTMENTS}{awaiting.id}/mark_completed/", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "payment_verified" and data["payment_amount"] == "500.00" and data["receipt_hash"] == ""
    assert data["metadata"]["service_extension"]["extension_amount"] == 150.5
    (row,) = reports.revenue_daily(DateSpan(awaiting.date, awaiting.date)).rows
    assert row["revenue_extension"] == Decimal("150.50") and row["revenue_paid"] == Decimal("500.00")


def test_mark_completed_without_an_extension_stores_none(api_client, operator, awaiting):
    body = {"payment_method": "gcash", "payment_amount": 400, "payment_notes": "", "receipt_hash": None,
            "receipt_url": None, "has_service_extension": False, "extension_amount": 0}  # fmt: skip
    response = api_client(operator).post(f"{APPOINTMENTS}{awaiting.id}/mark_completed/", body)
    assert response.status_code == 200 and "service_extension" not in response.json()["metadata"]


def test_request_pickup_stores_and_returns_pickup_urgency_and_notes(api_client, make_appointment, therapist):
    done = make_appointment(therapist=therapist, status="completed")
    response = api_client(therapist).post(
        f"{APPOINTMENTS}{done.id}/request_pickup/", {"pickup_urgency": "urgent", "pickup_notes": "Gate 2, please"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["pickup_urgency"], data["pickup_notes"]) == ("urgent", "Gate 2, please")
    assert data["status"] == "pickup_requested"  # no driver is free: the operator assigns one


@pytest.mark.parametrize("body", [{}, {"materials_checked": True, "materials_are_empty": False}])
def test_complete_takes_an_empty_body_or_the_materials_check(api_client, make_appointment, therapist, body):
    verified = make_appointment(therapist=therapist, status="payment_verified")
    response = api_client(therapist).post(f"{APPOINTMENTS}{verified.id}/complete/", body)
    assert response.status_code == 200 and response.json()["status"] == "completed"


def test_review_rejection_accepted_cancels_and_keeps_the_appointment(api_client, operator, make_appointment):
    rejected = make_appointment(operator=operator, status="rejected")
    response = api_client(operator).post(
        f"{APPOINTMENTS}{rejected.id}/review_rejection/", {"action": "accept", "reason": "Client agreed"}
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Appointment.objects.filter(pk=rejected.id, status="cancelled").exists()


def test_notifications_list_has_notifications_and_unread_count_at_both_levels(api_client, therapist, make_notification):
    make_notification(user=therapist, is_read=False)
    make_notification(user=therapist, is_read=True)
    body = api_client(therapist).get(f"{S}/notifications/", {"is_read": "false"}).json()
    assert len(body["notifications"]) == len(body["results"]["notifications"]) == 1
    assert body["unreadCount"] == body["results"]["unreadCount"] == 1


def test_notifications_debug_all_is_the_same_list_of_the_callers_own_rows(
    api_client, therapist, operator, make_notification
):
    mine = make_notification(user=therapist)
    make_notification(user=operator)
    client = api_client(therapist)
    fallback = client.get(f"{S}/notifications/debug_all/").json()
    assert [n["id"] for n in fallback["notifications"]] == [mine.id]
    assert fallback["unreadCount"] == 1 and fallback["results"] == client.get(f"{S}/notifications/").json()["results"]


def test_the_profile_page_reads_and_edits_the_callers_own_fields(api_client, driver):
    client = api_client(driver)
    assert client.get("/api/auth/profile/").json()["id"] == driver.id
    body = {"first_name": "Rey", "last_name": "Santos", "email": driver.email, "phone_number": "+639175550000"}
    updated = client.put("/api/auth/profile/", body)
    assert updated.status_code == 200, updated.content
    assert (updated.json()["first_name"], updated.json()["phone_number"]) == ("Rey", "+639175550000")
    assert updated.json()["email_verified"] is True  # the address did not change
    patched = client.patch("/api/auth/profile/", {"last_name": "Reyes"})
    assert patched.json()["last_name"] == "Reyes" and patched.json()["first_name"] == "Rey"
    driver.refresh_from_db()
    assert driver.role == "driver" and driver.motorcycle_plate  # nothing else of the account moved


@pytest.mark.parametrize(
    ("kind", "extra"), [("therapist", {"license_number": "LIC-1"}), ("driver", {"motorcycle_plate": "AB 12"})]
)
def test_registration_staff_routes_list_by_role_and_create_like_staff(
    api_client, operator, make_therapist, make_driver, kind, extra
):
    make_therapist()
    make_driver()
    client = api_client(operator)
    listed = client.get(f"/api/registration/register/{kind}/", {"page": 1, "page_size": 12}).json()
    assert listed["count"] == 1 and {p["role"] for p in listed["results"]} == {kind}
    created = client.post(
        f"/api/registration/register/{kind}/",
        {"username": f"new-{kind}", "password": "a-long-enough-pass-123", "first_name": "New", **extra},
    )
    assert created.status_code == 201, created.content
    assert created.json()["role"] == kind
    refused = client.post(
        f"/api/registration/register/{kind}/", {"username": f"bad-{kind}", "password": "a-long-enough-pass-123"}
    )
    assert refused.status_code == 400  # the license number or plate is required, as on staff/


# ------------------------------------------------------------------------------------------ our own spellings


def test_our_own_spellings_still_work(api_client, operator, therapist, make_appointment, make_client):
    done = make_appointment(therapist=therapist, status="completed")
    pickup = api_client(therapist).post(f"{APPOINTMENTS}{done.id}/request_pickup/", {"urgency": "urgent", "notes": "n"})
    assert (pickup.json()["pickup_urgency"], pickup.json()["pickup_notes"]) == ("urgent", "n")
    later = timezone.localdate() + dt.timedelta(days=3)
    pending = make_appointment(therapist=therapist, date=later)
    rejected = api_client(therapist).post(f"{APPOINTMENTS}{pending.id}/reject/", {"reason": "busy"})
    assert rejected.json()["rejection_reason"] == "busy"
    awaiting = make_appointment(
        operator=operator, therapist=therapist, status="awaiting_payment", date=later + dt.timedelta(days=1)
    )
    paid = api_client(operator).post(
        f"{APPOINTMENTS}{awaiting.id}/mark_completed/", {"payment_method": "cash", "payment_amount": "500.00"}
    )
    assert paid.status_code == 200 and paid.json()["status"] == "payment_verified"
    existing = make_client(phone_number="+639170000999")
    duplicate = api_client(operator).post(f"{S}/clients/", {"first_name": "X", "phone_number": existing.phone_number})
    assert duplicate.status_code == 409  # our route keeps its 409
    ordered = api_client(operator).get(APPOINTMENTS, {"ordering": "-date"})
    assert ordered.status_code == 200


def test_every_alias_route_appears_in_the_openapi_document(api_client, operator):
    paths = api_client(operator).get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/toggle-account-status/{staff_id}/",
        "/api/registration/register/client/",
        "/api/registration/register/therapist/",
        "/api/registration/register/driver/",
        "/api/auth/verify-email/",
        "/api/auth/resend-verification/",
        "/api/auth/profile/",
        "/api/scheduling/notifications/debug_all/",
        "/api/scheduling/clients/",
        "/api/scheduling/staff/",
    ):
        assert path in paths, path
    schemas = api_client(operator).get("/api/openapi.json").json()["components"]["schemas"]
    assert {"reason", "rejection_reason"} <= set(schemas["RejectIn"]["properties"])
    assert {"urgency", "pickup_urgency", "notes", "pickup_notes"} <= set(schemas["PickupIn"]["properties"])


def test_a_status_patch_on_someone_elses_appointment_is_a_404_and_changes_nothing(
    api_client, journey, make_driver, make_therapist
):
    for outsider in (make_driver(), make_therapist()):
        response = api_client(outsider).patch(f"{APPOINTMENTS}{journey.id}/", {"status": "driver_confirmed"})
        assert response.status_code == 404
    journey.refresh_from_db()
    assert journey.status == "therapist_confirmed"


# ------------------------------------------------------------------------------------------ query budgets


@pytest.mark.parametrize("size", [1, 30])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/registration/register/client/?page_size=100", 2),  # authentication, count and rows in one statement
        ("/api/registration/register/therapist/?page=1&page_size=12", 2),
        ("/api/registration/register/driver/?page=1&page_size=12", 2),
        (f"{S}/notifications/debug_all/", 2),  # authentication, counts and rows in one statement
    ],
)
def test_the_alias_lists_cost_the_same_queries_at_one_row_or_thirty(
    api_client, make_operator, make_client, make_therapist, make_driver, make_notification,
    django_assert_num_queries, size, url, queries,
):  # fmt: skip
    operator = make_operator()
    for _ in range(size):
        make_client()
        make_therapist()
        make_driver()
        make_notification(user=operator)
    client = api_client(operator)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200 and response.json()["count"] == size
