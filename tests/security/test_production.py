"""What production mode refuses to start with, and the hosts it answers to."""

import pytest

import config
from app import create_app

REAL_SECRET = "x" * 48


def _production(**settings):
    values = {
        "ENV_NAME": "production",
        "SECRET_KEY": REAL_SECRET,
        "SITE_URL": "https://media.example.org",
        "SESSION_COOKIE_SECURE": True,
        **settings,
    }
    return type("Production", (config.TestConfig,), values)


@pytest.mark.parametrize("secret", [config.DEV_SECRET_KEY, "", "short-but-not-empty-31-bytes-xx"])
def test_production_refuses_a_weak_secret_key(app_config, secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_production(SECRET_KEY=secret), **app_config)


def test_production_refuses_the_development_site_url(app_config):
    with pytest.raises(RuntimeError, match="SITE_URL"):
        create_app(_production(SITE_URL=config.DEV_SITE_URL), **app_config)


def test_production_answers_only_to_the_site_host(app_config):
    app = create_app(_production(), **app_config)
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "media.example.org"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400


def test_more_hosts_can_be_trusted(app_config):
    app = create_app(_production(TRUSTED_HOSTS=["media.example.org", "localhost"]), **app_config)
    assert app.test_client().get("/healthz").status_code == 200  # Host: localhost
