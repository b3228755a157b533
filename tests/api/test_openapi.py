"""The OpenAPI 3.1 document is valid, and schemathesis finds no 5xx in the API (WSGI)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

import config
from app import create_app
from app.api import openapi

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_the_document_is_valid_openapi_31(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert document["servers"][0]["url"] == "http://127.0.0.1:8000/api/v1"
    assert "/videos/{video_id}/clips" in document["paths"]


def _schema():
    """The document as the app serves it, with a relative server (the WSGI app)."""
    app = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        document = openapi.document()
    document["servers"] = [{"url": "/api/v1"}]
    return schemathesis.openapi.from_dict(document)


SCHEMA = _schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_input_makes_the_api_answer_5xx(operation, app, library_video, bearer):
    library_video()
    library_video(slug="ministers", tags=("politics",))

    def fresh_context(environ, start_response):  # as in production: one context a request
        with app.app_context():
            return app.wsgi_app(environ, start_response)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def no_server_error(case):
        for headers in (bearer, {}):
            response = case.call(app=fresh_context, headers=headers)
            assert response.status_code < 500, (case.as_curl_command(), response.text[:500])

    no_server_error()
