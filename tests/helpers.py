"""Small helpers shared by the functional tests."""

import re
import socket

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CODE_RE = re.compile(r"\b(\d{6})\b")


def csrf_token(html):
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def post_form(client, url, data, page=None, **kwargs):
    """POST `data` to `url` with the CSRF token of `page` (default: `url`), like a browser."""
    response = client.get(page or url)
    token = csrf_token(response.get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def text_part(message):
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def html_part(message):
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part else ""


def code_in(message):
    match = CODE_RE.search(text_part(message))
    assert match, "no 6-digit code in the message"
    return match.group(1)


def free_port():
    """A TCP port on the loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def staff_client(app, make_user, email="staff@example.org"):
    """A test client of its own, logged in through the form as a staff member (English)."""
    from tests.conftest import PASSWORD  # tests.conftest imports this module: read at call time

    make_user(email=email, staff=True, language="en")
    client = app.test_client()
    response = post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client
