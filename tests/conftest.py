import pytest

from tests import factories
from tests.helpers import ApiClient


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (tested in test_auth); tests that only need *a* user hash fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def operator(db):
    return factories.OperatorFactory()


@pytest.fixture
def therapist(db):
    return factories.TherapistFactory()


@pytest.fixture
def driver(db):
    return factories.DriverFactory()


@pytest.fixture
def make_operator(db):
    return factories.OperatorFactory


@pytest.fixture
def make_therapist(db):
    return factories.TherapistFactory


@pytest.fixture
def make_driver(db):
    return factories.DriverFactory


@pytest.fixture
def make_client(db):
    return factories.ClientFactory


@pytest.fixture
def make_service(db):
    return factories.ServiceFactory


@pytest.fixture
def make_appointment(db):
    return factories.AppointmentFactory


@pytest.fixture
def make_availability(db):
    return factories.AvailabilityFactory


@pytest.fixture
def make_notification(db):
    return factories.NotificationFactory


@pytest.fixture
def api_client(db):
    """api_client(user) -> a JSON client authenticated as that user; api_client() -> anonymous."""

    def make(user=None, token=None):
        return ApiClient(user=user, token=token)

    return make


@pytest.fixture(name="factories")
def report_factories(make_service, make_therapist, make_driver, make_operator, make_client):
    """The factories build_dataset (tests/report_dataset.py) makes its people and services with."""
    return {
        "service": make_service,
        "therapist": make_therapist,
        "driver": make_driver,
        "operator": make_operator,
        "client": make_client,
    }
