import pytest
from django.test import Client

from scheduling.services.auth import issue_token
from tests import factories


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


class ApiClient(Client):
    """A test client that speaks JSON and carries one user's token."""

    def __init__(self, user=None, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if user is not None:
            token = token or issue_token(user)
        if token:
            headers["Authorization"] = f"Token {token}"
        super().__init__(headers=headers, **kwargs)
        self.user = user
        self.token = token

    def post(self, path, data=None, content_type="application/json", **kwargs):
        return super().post(path, data if data is not None else {}, content_type=content_type, **kwargs)

    def put(self, path, data=None, content_type="application/json", **kwargs):
        return super().put(path, data if data is not None else {}, content_type=content_type, **kwargs)

    def patch(self, path, data=None, content_type="application/json", **kwargs):
        return super().patch(path, data if data is not None else {}, content_type=content_type, **kwargs)


@pytest.fixture
def api_client(db):
    """api_client(user) -> a JSON client authenticated as that user; api_client() -> anonymous."""

    def make(user=None, token=None):
        return ApiClient(user=user, token=token)

    return make
