"""Site-wide behaviour: health check, headers, error pages, language choice, start-up checks."""

import pytest

import config
from app import create_app
from tests.helpers import post_form


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(app_config):
    app_config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = create_app(config.TestConfig, **app_config)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_security_headers(client):
    response = client.get("/terms")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # development: no HSTS


def test_production_refuses_the_development_secret_key(monkeypatch):
    class Production(config.Config):
        ENV_NAME = "production"
        SECRET_KEY = config.DEV_SECRET_KEY

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Production)


def test_production_sends_hsts_and_secure_cookies(app_config):
    class Production(config.TestConfig):
        ENV_NAME = "production"
        SECRET_KEY = "a-real-secret-for-this-test-only-of-48-bytes-xxxx"
        SITE_URL = "https://media.example.org"
        SESSION_COOKIE_SECURE = True

    app = create_app(Production, **app_config)
    response = app.test_client().get("/terms", headers={"Host": "media.example.org"})
    assert "max-age=" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize(
    ("accept", "expected", "lang"),
    [
        ("en-GB,en;q=0.9", "Page not found", "en"),
        ("fr-FR", "Page introuvable", "fr"),
        ("de", "Page introuvable", "fr"),
    ],
)
def test_404_page_in_the_browser_language_else_french(client, accept, expected, lang):
    response = client.get("/no-such-page", headers={"Accept-Language": accept})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert expected in html
    assert f'<html lang="{lang}">' in html


def test_405_page_is_translated(client):
    response = client.post("/terms", headers={"Accept-Language": "en"})
    assert response.status_code == 405
    assert "Method not allowed" in response.get_data(as_text=True)


def test_language_switch_sets_a_cookie_that_beats_accept_language(client):
    response = post_form(client, "/language", {"lang": "en", "next": "/terms"}, page="/terms")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/terms")
    html = client.get("/terms", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Terms of use" in html


def test_language_switch_refuses_an_offsite_next(client):
    response = post_form(
        client, "/language", {"lang": "fr", "next": "https://evil.example/"}, page="/terms"
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_bad_csrf_is_a_translated_400(client):
    response = client.post("/language", data={"lang": "en"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
