"""factory_boy factories for the domain; tests reach them through the fixtures in conftest.py."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from scheduling import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"operator{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    phone = factory.Sequence(lambda n: f"+63917{n:07d}")
    role = models.Role.OPERATOR
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OperatorFactory(UserFactory):
    pass


class TherapistFactory(UserFactory):
    username = factory.Sequence(lambda n: f"therapist{n}")
    role = models.Role.THERAPIST
    license_number = factory.Sequence(lambda n: f"LIC-{n:05d}")
    specialization = "Shiatsu"
    massage_pressure = models.MassagePressure.MODERATE


class DriverFactory(UserFactory):
    username = factory.Sequence(lambda n: f"driver{n}")
    role = models.Role.DRIVER
    motorcycle_plate = factory.Sequence(lambda n: f"MC {n:04d}")
    last_available_at = factory.LazyFunction(timezone.now)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Client

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone_number = factory.Sequence(lambda n: f"+63918{n:07d}")
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    address = factory.Faker("address")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Service
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Service {n}")
    duration = 60
    price = Decimal("500.00")
    is_active = True


class AppointmentFactory(factory.django.DjangoModelFactory):
    """An appointment written straight to the table (no workflow). `services` defaults to one 60-minute one."""

    class Meta:
        model = models.Appointment
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    therapist = factory.SubFactory(TherapistFactory)
    operator = factory.SubFactory(OperatorFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=1))
    start_time = dt.time(10, 0)
    end_time = dt.time(11, 0)
    location = factory.Faker("address")
    status = models.AppointmentStatus.PENDING

    @factory.post_generation
    def services(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.services.set(extracted if extracted is not None else [ServiceFactory(name="Shiatsu")])


class AvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Availability

    user = factory.SubFactory(TherapistFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=1))
    start_time = dt.time(8, 0)
    end_time = dt.time(20, 0)
    is_available = True


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Notification

    user = factory.SubFactory(OperatorFactory)
    notification_type = models.NotificationType.SYSTEM
    message = factory.Faker("sentence")
    is_read = False
