"""Account mails go through the job queue: a request never waits on the mail server, a
send is retried until the server comes back, and every link in a mail comes from
SITE_URL, never from the Host header of the request that caused it."""

import socket
import threading
import time

import pytest
from sqlalchemy import event

from app.extensions import db, huey
from app.models import OneTimeCode
from tests.auth.flows import register, resend, signup_data, start_reset, submit_code
from tests.helpers import code_in, csrf_token, html_part, text_part

SITE = "https://media.example.org"


class Queue:
    """Stands in for the worker: collects what requests enqueue, runs it on demand."""

    def __init__(self):
        self.tasks = []

    def enqueue(self, task):
        self.tasks.append(task)

    def run_all(self):
        while self.tasks:
            huey.execute(self.tasks.pop(0))


@pytest.fixture
def queue(monkeypatch):
    collected = Queue()
    monkeypatch.setattr(huey, "enqueue", collected.enqueue)
    return collected


class SilentSmtpServer:
    """Accepts connections and never says a word (no greeting, no answer)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.conns:
            conn.close()


@pytest.fixture
def silent_smtp():
    server = SilentSmtpServer()
    yield server
    server.close()


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_pages_answer_at_once_while_the_mail_server_hangs(
    app_config, request, silent_smtp, queue, monkeypatch
):
    app_config.update(MAIL_PORT=silent_smtp.port)
    app = request.getfixturevalue("app")
    app.config.update(MAIL_TIMEOUT=1.0, MAIL_RETRIES=0)
    client = app.test_client()
    started = time.monotonic()
    response = register(client)
    assert response.status_code == 302
    assert client.get("/verify").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert time.monotonic() - started < 1.0
    assert len(queue.tasks) == 1  # the code's mail waits for the worker

    # The worker's try is bounded by MAIL_TIMEOUT; after the last one the code page says so.
    started = time.monotonic()
    queue.run_all()
    assert time.monotonic() - started < 5
    page = client.get("/verify", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "could not send the code" in page or "pas pu envoyer le code" in page


def test_a_code_sent_while_the_server_is_down_arrives_through_the_retry(
    app_config, request, mailbox, queue
):
    real_port = app_config["MAIL_PORT"]
    app_config.update(MAIL_PORT=_closed_port())
    app = request.getfixturevalue("app")
    app.config.update(MAIL_RETRIES=3, MAIL_RETRY_DELAY=0)
    client = app.test_client()
    register(client)
    huey.execute(queue.tasks.pop(0))  # the first try fails: the server is down
    assert mailbox.to("ada@example.org") == []
    assert len(queue.tasks) == 1  # ...and the job is back in the queue for a retry
    row = db.session.execute(db.select(OneTimeCode)).scalar_one()
    assert row.delivery == "pending"

    app.extensions["mail"].port = real_port  # the server is back
    queue.run_all()
    code = code_in(mailbox.wait_for("ada@example.org")[-1])
    assert submit_code(client, code).headers["Location"].endswith("/welcome")


def test_a_failed_send_does_not_count_against_the_resend_throttle(
    app_config, request, mailbox, queue
):
    real_port = app_config["MAIL_PORT"]
    app_config.update(MAIL_PORT=_closed_port())
    app = request.getfixturevalue("app")
    client = app.test_client()
    register(client)
    queue.run_all()  # no retries in the test config: failed for good
    page = client.get("/verify").get_data(as_text=True)
    assert "Nous n&#39;avons pas pu envoyer le code" in page
    app.extensions["mail"].port = real_port
    resend(client)  # at once: a throttle counting the failed send would make us wait
    queue.run_all()
    assert len(mailbox.wait_for("ada@example.org")) == 1
    assert "pas pu envoyer" not in client.get("/verify").get_data(as_text=True)


def _links(message):
    import re

    return re.findall(r"https?://[^\s\"'<>]+", text_part(message) + html_part(message))


def test_mail_links_come_from_site_url_not_from_the_host_header(app, client, make_user, mailbox):
    app.config["SITE_URL"] = SITE
    make_user(email="owner@example.org")
    evil = {"Host": "evil.example"}
    token = csrf_token(client.get("/register", headers=evil).get_data(as_text=True))
    response = client.post(
        "/register",
        data={"csrf_token": token, **signup_data("owner@example.org", full_name="Mallory")},
        headers=evil,
    )
    assert response.status_code == 302
    notice = mailbox.last_to("owner@example.org")
    links = _links(notice)
    assert links, "the notice offers a reset and a log-in link"
    assert all(link.startswith(SITE + "/") for link in links), links
    assert not any("evil.example" in link for link in links)


def test_the_password_changed_mail_links_to_site_url(app, client, make_user, mailbox):
    from tests.auth.flows import NEW_PASSWORD

    app.config["SITE_URL"] = SITE
    make_user(email="ada@example.org")
    evil = {"Host": "evil.example"}
    token = csrf_token(client.get("/reset", headers=evil).get_data(as_text=True))
    client.post("/reset", data={"csrf_token": token, "email": "ada@example.org"}, headers=evil)
    code = code_in(mailbox.last_to("ada@example.org"))
    client.post("/reset/verify", data={"csrf_token": token, "code": code}, headers=evil)
    response = client.post(
        "/reset/password",
        data={"csrf_token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        headers=evil,
    )
    assert response.status_code == 302
    notice = mailbox.wait_for("ada@example.org", count=2)[-1]
    assert "changed" in notice["Subject"].lower() or "modifié" in notice["Subject"].lower()
    links = _links(notice)
    assert links and all(link.startswith(SITE + "/") for link in links), links


def _statements(app, action):
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_reset_does_the_same_work_for_known_and_unknown_addresses(app, client, make_user, queue):
    """No timing to tell them apart: the same statements and one enqueued job each."""
    make_user(email="known@example.org")
    known = _statements(app, lambda: start_reset(app.test_client(), email="known@example.org"))
    known_jobs = len(queue.tasks)
    unknown = _statements(app, lambda: start_reset(app.test_client(), email="unknown@example.org"))
    assert known == unknown
    assert known_jobs == 1 and len(queue.tasks) == 2
