"""Helpers the test modules share (fixtures live in tests/conftest.py)."""

from django.test import Client

from scheduling.services.auth import issue_token


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


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    return body
