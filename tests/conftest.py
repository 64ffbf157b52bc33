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


# make_<name>(**fields) -> a saved row: one registered fixture per factory (the factory class itself, so a test
# can also call .build() or .create_batch()).
FACTORIES = {
    "operator": factories.OperatorFactory,
    "therapist": factories.TherapistFactory,
    "driver": factories.DriverFactory,
    "client": factories.ClientFactory,
    "service": factories.ServiceFactory,
    "appointment": factories.AppointmentFactory,
    "availability": factories.AvailabilityFactory,
    "notification": factories.NotificationFactory,
}


def _register(name: str, factory_class) -> None:
    def fixture(db):
        return factory_class

    fixture.__doc__ = f"{factory_class.__name__}: make_{name}(**fields) saves a {name}."
    globals()[f"make_{name}"] = pytest.fixture(fixture, name=f"make_{name}")


for _name, _factory in FACTORIES.items():
    _register(_name, _factory)


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
