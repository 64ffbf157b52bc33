def test_health_reports_the_database(api_client):
    response = api_client().get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_docs_are_served(api_client, db):
    assert api_client().get("/api/docs").status_code == 200
    schema = api_client().get("/api/openapi.json").json()
    assert "/api/auth/login/" in schema["paths"]


def test_unknown_api_path_is_json_404(api_client, db):
    response = api_client().get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_wrong_method_is_json_405(api_client, db):
    response = api_client().get("/api/auth/login/")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")


def test_server_timing_header_reports_queries(api_client, operator):
    response = api_client(operator).get("/api/scheduling/services/")
    assert response.status_code == 200
    assert response["Server-Timing"].startswith("db;dur=")
    assert 'desc="2 queries"' in response["Server-Timing"]


def test_server_timing_can_be_switched_off(api_client, operator, settings):
    from django.test import override_settings

    with override_settings(SERVER_TIMING=False):
        response = api_client(operator).get("/api/scheduling/services/")
    assert "Server-Timing" not in response


def test_authenticated_request_costs_one_query(api_client, operator, django_assert_num_queries):
    client = api_client(operator)
    with django_assert_num_queries(1):
        assert client.get("/api/auth/me/").status_code == 200


def test_health_is_answered_before_the_middleware_stack_and_its_route_says_the_same(
    api_client, settings, django_assert_num_queries
):
    """api.middleware.HealthMiddleware answers GET /api/health/ right after CORS (one query, nothing else runs);
    without it the Ninja route answers, from the same function, the same bytes."""
    from unittest import mock

    with django_assert_num_queries(1), mock.patch("api.api.health_response", side_effect=AssertionError):
        first = api_client().get("/api/health/", HTTP_ORIGIN="http://localhost:5173")
    assert first.status_code == 200 and first.json() == {"status": "ok", "database": "ok"}
    assert first["Content-Type"] == "application/json"
    assert first.get("Access-Control-Allow-Origin") == "http://localhost:5173"  # CORS still runs first
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "api.middleware.HealthMiddleware"]
    with django_assert_num_queries(1):
        second = api_client().get("/api/health/")
    assert (second.status_code, second.content) == (200, first.content)
