"""Query budgets (SPEC section 9): the same number of queries for 1 row or 30, 1 service or 3 per appointment."""

import datetime as dt

import pytest

from scheduling.models import AppointmentTherapist

URL = "/api/scheduling/appointments/"
TODAY = dt.date.today()

LISTS = [
    ("", {}),
    ("", {"status": "pending", "search": "a", "therapist": "0", "ordering": "date"}),
    ("pending/", {}),
    ("rejected/", {}),
    ("awaiting_payment/", {}),
    ("timeout/", {}),
    ("active_sessions/", {}),
    ("pickup_requests/", {}),
]
ARRAYS = [("today/", {}), ("upcoming/", {}), ("by_week/", {"week_start": str(TODAY)})]


def fill(make_appointment, make_service, make_therapist, make_driver, n: int, services_each: int):
    services = [make_service(name=f"Service {i}") for i in range(services_each)]
    therapist, partner, driver = make_therapist(), make_therapist(), make_driver()
    rows = []
    for i in range(n):
        a = make_appointment(
            therapist=therapist,
            driver=driver,
            date=TODAY + dt.timedelta(days=i % 3),
            start_time=dt.time(i // 3, 0),
            end_time=dt.time(i // 3, 30),
            services=services,
        )
        AppointmentTherapist.objects.create(appointment=a, therapist=partner)
        rows.append(a)
    return therapist, driver, rows


@pytest.mark.parametrize("n,services_each", [(1, 1), (30, 3)])
@pytest.mark.parametrize("role", ["operator", "therapist", "driver"])
def test_every_list_costs_two_queries_whatever_its_size(
    api_client, operator, make_appointment, make_service, make_therapist, make_driver, django_assert_num_queries,
    n, services_each, role,
):  # fmt: skip
    therapist, driver, rows = fill(make_appointment, make_service, make_therapist, make_driver, n, services_each)
    client = api_client({"operator": operator, "therapist": therapist, "driver": driver}[role])
    for path, params in LISTS + ARRAYS:
        params = {**params, "therapist": str(therapist.id)} if "therapist" in params else params
        with django_assert_num_queries(2):  # auth + one query for the count and the page's JSON
            response = client.get(f"{URL}{path}", {**params, "page_size": 200} if path in dict(LISTS) else params)
        assert response.status_code == 200, (path, response.content)
    body = client.get(URL, {"page_size": 200}).json()
    assert body["count"] == n
    assert all(len(r["services_details"]) == services_each for r in body["results"])
    with django_assert_num_queries(2):  # auth + the row
        assert client.get(f"{URL}{rows[-1].id}/").status_code == 200


@pytest.mark.parametrize("n,services_each", [(1, 1), (30, 3)])
def test_actions_cost_a_fixed_number_of_queries(
    api_client, operator, make_appointment, make_service, make_therapist, make_driver, make_client,
    django_assert_num_queries, n, services_each,
):  # fmt: skip
    therapist, driver, rows = fill(make_appointment, make_service, make_therapist, make_driver, n, services_each)
    target = rows[-1]
    AppointmentTherapist.objects.filter(appointment=target).delete()
    op, th = api_client(operator), api_client(therapist)
    # auth, savepoint, lock (with the group links), update (triggers run inside it), notifications, release, item
    with django_assert_num_queries(7):
        assert th.post(f"{URL}{target.id}/therapist_confirm/").status_code == 200
    with django_assert_num_queries(7):
        assert op.post(f"{URL}{target.id}/cancel/", {"reason": "x"}).status_code == 200
    customer = make_client()
    new = {
        "client": customer.id,
        "services": [s.id for s in target.services.all()],
        "therapist": therapist.id,
        "date": str(TODAY + dt.timedelta(days=9)),
        "start_time": "10:00",
        "location": "X",
    }
    # auth, savepoint, client, services, staff, staff locks (with the new id), services, insert, notifications,
    # release, item (no conflict look-up first: the exclusion constraint refuses a double booking)
    with django_assert_num_queries(11):
        assert op.post(URL, new).status_code == 201
