"""The account page: details, password change, deletion, newsletter subscription."""

from app.extensions import db
from app.models import Download, OneTimeCode, Subscriber, User
from tests.auth.flows import NEW_PASSWORD, fresh_user
from tests.conftest import PASSWORD
from tests.helpers import post_form


def _post(client, url, data, lang="en"):
    return post_form(client, url, data, page="/account/", headers={"Accept-Language": lang})


def test_account_page_needs_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_account_page_shows_the_details_and_forms(client, make_user, login):
    make_user(language="en")
    login()
    html = client.get("/account/").get_data(as_text=True)
    assert 'value="Ada Lovelace"' in html and 'value="Analytical News"' in html
    assert 'action="/account/profile"' in html
    assert 'action="/account/password"' in html
    assert 'action="/account/delete"' in html
    assert 'data-password-checklist="password-rules"' in html


def test_profile_update_and_language(client, make_user, login):
    make_user()
    login()
    response = _post(
        client,
        "/account/profile",
        {"full_name": "Ada King", "organisation": "Difference Daily", "language": "en"},
    )
    assert response.status_code == 302
    user = fresh_user()
    assert (user.full_name, user.organisation, user.language) == (
        "Ada King",
        "Difference Daily",
        "en",
    )
    html = client.get("/account/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en">' in html  # the saved choice wins over the browser


def test_profile_errors_keep_the_values(client, make_user, login):
    make_user(language="en")
    login()
    response = _post(
        client, "/account/profile", {"full_name": "", "organisation": "X" * 300, "language": "de"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter your full name." in html
    assert "200 characters at most" in html
    assert "Choose one of the languages offered." in html
    assert fresh_user().full_name == "Ada Lovelace"


def test_password_change_keeps_this_session_and_ends_the_others(app, client, make_user, mailbox):
    make_user()
    other = app.test_client()
    post_form(other, "/login", {"email": "ada@example.org", "password": PASSWORD, "remember": "y"})
    post_form(client, "/login", {"email": "ada@example.org", "password": PASSWORD, "remember": "y"})
    old_token = fresh_user().session_token
    response = _post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert fresh_user().session_token != old_token
    assert client.get("/account/").status_code == 200  # still logged in here
    client.delete_cookie("session")
    assert client.get("/account/").status_code == 200  # and remembered with the new token
    assert other.get("/account/").status_code == 302
    other.delete_cookie("session")
    assert other.get("/account/").status_code == 302
    notice = mailbox.last_to("ada@example.org")
    assert "password" in notice["Subject"].lower() or "passe" in notice["Subject"].lower()


def test_password_change_needs_the_current_password_and_the_policy(client, make_user, login):
    make_user(language="en")
    login()
    response = _post(
        client,
        "/account/password",
        {"current_password": "wrong", "password": "weak", "password_confirm": "weak"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This password is not correct." in html
    assert "at least 12 characters" in html
    response = _post(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "password": "adaAda-2026-Lovelace!",
            "password_confirm": "x",
        },
    )
    html = response.get_data(as_text=True)
    assert "e-mail name" in html and "do not match" in html
    assert (
        post_form(
            client.application.test_client(),
            "/login",
            {"email": "ada@example.org", "password": PASSWORD},
        ).status_code
        == 302
    )  # unchanged


def test_delete_needs_the_password_and_the_box(client, make_user, login):
    make_user(language="en")
    login()
    response = _post(client, "/account/delete", {"delete_password": "wrong"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This password is not correct." in html and "Tick the box" in html
    assert fresh_user() is not None


def test_delete_removes_personal_data_and_keeps_anonymous_downloads(client, make_user, login):
    from app.newsletter.service import subscribe_user

    user = make_user()
    subscribe_user(user)
    db.session.add(
        Download(user_id=user.id, rendition="master", bytes_sent=10, client_address="203.0.113.9")
    )
    db.session.add(OneTimeCode(purpose="reset", email=user.email, code_hash="x" * 64))
    db.session.commit()
    login()
    response = _post(
        client, "/account/delete", {"delete_password": PASSWORD, "confirm_delete": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert User.query.count() == 0
    assert Subscriber.query.count() == 0
    assert OneTimeCode.query.count() == 0
    row = Download.query.one()
    assert row.user_id is None and row.client_address is None and row.bytes_sent == 10
    assert client.get("/account/").status_code == 302
    failed = post_form(client, "/login", {"email": "ada@example.org", "password": PASSWORD})
    assert failed.status_code == 400


def test_newsletter_button_subscribes_and_records_the_time(client, make_user, login):
    make_user()
    login()
    response = _post(client, "/account/newsletter", {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/")
    subscriber = Subscriber.query.one()
    assert subscriber.status == "active" and subscriber.confirmed_at is not None
    assert subscriber.user_id == fresh_user().id


def test_newsletter_button_needs_login(client):
    client.get("/register")
    response = post_form(client, "/account/newsletter", {}, page="/register")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert Subscriber.query.count() == 0
