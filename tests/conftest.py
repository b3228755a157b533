"""Fixtures shared by every test: the app on SQLite or PostgreSQL, a real SMTP server,
a movable clock, users, a live server and Chromium.

The database comes from TEST_DATABASE_URL (default: a SQLite file per session). `make test`
runs the suite once on SQLite and once on PostgreSQL.
"""

import email
import os
import shutil
import threading
import time
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

import app.clock as app_clock
import config
from app import create_app
from app.extensions import db, limiter
from tests.helpers import free_port

PASSWORD = "Correct-Horse-42!"  # meets the policy; used by the user fixtures

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


# ---------------------------------------------------------------- database


def _database_url(tmp_dir):
    url = os.environ.get("TEST_DATABASE_URL")
    return url or f"sqlite:///{tmp_dir / 'test.db'}"


def _postgres_answers(url):
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory.mktemp("db"))
    if url.startswith("postgresql") and not _postgres_answers(url):
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL does not answer at {url}: CI must test on it")
        pytest.skip(f"PostgreSQL run skipped: no server answers at {url}")
    # Build the schema once per session; tests then empty the tables after themselves.
    schema_app = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with schema_app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return url


def _empty_all_tables():
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(db.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


# ---------------------------------------------------------------- mail


class Mailbox:
    """Messages received by the test SMTP server, parsed with the stdlib."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_rcpt = list(envelope.rcpt_tos)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def clear(self):
        with self.lock:
            self.messages.clear()

    def to(self, address):
        with self.lock:
            return [
                m for m in self.messages if address.lower() in (r.lower() for r in m.envelope_rcpt)
            ]

    def last_to(self, address):
        found = self.to(address)
        assert found, f"no mail was sent to {address}"
        return found[-1]

    def wait_for(self, address, count=1, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.to(address)) >= count:
                return self.to(address)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} mail(s) to {address}, got {len(self.to(address))}")


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.handler.clear()
    return smtp_server.handler


# ---------------------------------------------------------------- app


@pytest.fixture
def app_config(tmp_path, database_url, smtp_server):
    """Overrides for create_app(); a test may change them before asking for `app`."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "MAIL_SERVER": smtp_server.hostname,
        "MAIL_PORT": smtp_server.port,
        "MAIL_DEFAULT_SENDER": "Rushes <no-reply@rushes.test>",
        "SERVER_NAME": None,
    }


class FreshContextClient(FlaskClient):
    """Each request in an app context of its own, as in production.

    The `app` fixture keeps an app context open for the test's own database work; without
    this, requests would share its `g` (Flask-Login's user, Flask-Babel's locale) and its
    database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


# Set per test on a shared app, so that each test has its own files.
_PER_TEST_KEYS = ("MEDIA_ROOT", "UPLOAD_DIR")
_shared_apps = {}


def _shared_app(app_config):
    """One app per distinct configuration, built once: create_app() per test is slow."""
    key = repr(sorted((k, v) for k, v in app_config.items() if k not in _PER_TEST_KEYS))
    application = _shared_apps.get(key)
    if application is None:
        application = create_app(config.TestConfig, **app_config)
        application.test_client_class = FreshContextClient
        _shared_apps[key] = application
    return application


@pytest.fixture
def app(request, app_config):
    """The app, shared with the tests of the same configuration.

    A test that changes the app itself (adds a route, rebinds an extension) marks itself
    `fresh_app` and gets one of its own. What a test writes in `app.config` is undone after
    it, and the rate limiter's counters start empty.
    """
    if request.node.get_closest_marker("fresh_app"):
        application = create_app(config.TestConfig, **app_config)
        application.test_client_class = FreshContextClient
    else:
        application = _shared_app(app_config)
    saved = dict(application.config)
    application.config.update({k: app_config[k] for k in _PER_TEST_KEYS if k in app_config})
    os.makedirs(application.config["MEDIA_ROOT"], exist_ok=True)
    with application.app_context():
        limiter.reset()
        yield application
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()
    application.config.clear()
    application.config.update(saved)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def clock():
    """Move the app's clock: clock.advance(minutes=31)."""

    class Clock:
        def advance(self, **delta):
            app_clock._offset += timedelta(**delta)

    yield Clock()
    app_clock._offset = timedelta(0)


# ---------------------------------------------------------------- users


@pytest.fixture
def make_user(app):
    from app.clock import utcnow
    from app.models import User
    from app.security.passwords import hash_password

    def make(email="ada@example.org", password=PASSWORD, verified=True, staff=False, **fields):
        user = User(
            email=email.lower(),
            full_name=fields.pop("full_name", "Ada Lovelace"),
            organisation=fields.pop("organisation", "Analytical News"),
            password_hash=hash_password(password),
            verified_at=utcnow() if verified else None,
            terms_accepted_at=fields.pop("terms_accepted_at", utcnow()),
            is_staff=staff,
            **fields,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    from tests.helpers import post_form

    def do_login(email="ada@example.org", password=PASSWORD):
        response = post_form(client, "/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


# ---------------------------------------------------------------- browser


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free port, in a thread of this process."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs Debian's chromium")
        pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    context.close()
