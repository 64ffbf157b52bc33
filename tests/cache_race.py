"""Randomized concurrent edits of every table the appointment item cache draws on (issue 14, item 3), shared by
the main suite (small) and the fault suite (large)."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from scheduling.errors import DomainError
from scheduling.models import User
from scheduling.services import appointments as appointment_services
from scheduling.services import catalog, staff
from scheduling.services.appointments import BookingData
from tests import factories
from tests.concurrency import race


def seed(appointments: int) -> dict[str, list[int]]:
    operator = factories.OperatorFactory()
    clients = [factories.ClientFactory() for _ in range(3)]
    therapists = [factories.TherapistFactory() for _ in range(3)]
    services = [factories.ServiceFactory(name=f"Race service {i}") for i in range(3)]
    day = timezone.localdate() + dt.timedelta(days=2)
    ids = [
        factories.AppointmentFactory(
            client=clients[i % 3],
            therapist=therapists[i % 3],
            operator=operator,
            date=day + dt.timedelta(days=i),  # one a day: moving therapists never double-books
            services=[services[i % 3]],
        ).id
        for i in range(appointments)
    ]
    return {
        "operator": [operator.id],
        "clients": [c.id for c in clients],
        "therapists": [t.id for t in therapists],
        "services": [s.id for s in services],
        "appointments": ids,
    }


def _edit(rng: random.Random, ids: dict[str, list[int]], tag: str) -> None:
    kind = rng.choice(["client", "therapist", "service", "move", "move"])
    operator = User.objects.get(id=ids["operator"][0])
    if kind == "client":
        catalog.update_client(operator, rng.choice(ids["clients"]), {"first_name": f"Client {tag}"})
    elif kind == "therapist":
        staff.update_staff(operator, rng.choice(ids["therapists"]), {"last_name": f"Therapist {tag}"})
    elif kind == "service":
        changes = {"name": f"Service {tag}", "price": Decimal(rng.randint(100, 900))}
        catalog.update_service(operator, rng.choice(ids["services"]), changes)
    else:
        data = BookingData(
            client=rng.choice(ids["clients"]),
            services=rng.sample(ids["services"], rng.randint(1, 2)),
            therapist=rng.choice(ids["therapists"]),
            given={"client", "services", "therapist"},
        )
        appointment_services.update_appointment(operator, rng.choice(ids["appointments"]), data, partial=True)


def concurrent_edits(ids: dict[str, list[int]], writers: int, edits_each: int, seed: int) -> list[object]:
    """`writers` threads each make `edits_each` random edits; returns every unexpected exception."""

    def writer(w: int) -> list[Exception]:
        rng = random.Random(seed * 1000 + w)
        failures = []
        for k in range(edits_each):
            try:
                _edit(rng, ids, f"{w}-{k}")
            except DomainError:
                pass  # a refused edit (e.g. a duplicate name) is an answer, not a failure
            except Exception as exc:  # noqa: BLE001 - reported to the test
                failures.append(exc)
        return failures

    return [exc for result in race([lambda w=w: writer(w) for w in range(writers)]) for exc in result]
