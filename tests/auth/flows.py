"""Steps of the account flows, done like a browser, for the auth and account tests."""

from tests.conftest import PASSWORD
from tests.helpers import code_in, post_form

NEW_PASSWORD = "Fresh-Quartz-77?"


def signup_data(email="ada@example.org", password=PASSWORD, **overrides):
    data = {
        "email": email,
        "full_name": "Ada Lovelace",
        "organisation": "Analytical News",
        "password": password,
        "password_confirm": password,
        "accept_terms": "y",
    }
    data.update(overrides)
    return data


def register(client, email="ada@example.org", **overrides):
    return post_form(client, "/register", signup_data(email, **overrides))


def submit_code(client, code, url="/verify"):
    return post_form(client, url, {"code": code})


def signup_and_verify(client, mailbox, email="ada@example.org", **overrides):
    response = register(client, email, **overrides)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    code = code_in(mailbox.last_to(email))
    response = submit_code(client, code)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/welcome")
    return response


def resend(client, url="/verify/resend", page="/verify"):
    return post_form(client, url, {}, page=page)


def start_reset(client, email="ada@example.org", next_path=None):
    page = "/reset" + (f"?next={next_path}" if next_path else "")
    return post_form(client, "/reset", {"email": email, "next": next_path or ""}, page=page)


def fresh_user(email="ada@example.org"):
    """The account as the database has it now (requests run in sessions of their own)."""
    from app.extensions import db
    from app.models import User

    db.session.expire_all()
    return User.by_email(email)
