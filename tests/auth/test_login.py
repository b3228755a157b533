"""Log in, log out, rate limits, next redirects, unverified accounts."""

import pytest

from tests.auth.flows import fresh_user, submit_code
from tests.conftest import PASSWORD
from tests.helpers import code_in, post_form


def _login(client, email="ada@example.org", password=PASSWORD, **extra):
    return post_form(
        client,
        "/login",
        {"email": email, "password": password, **extra},
        headers={"Accept-Language": "en"},
    )


def test_login_page_has_the_fields(client):
    html = client.get("/login?next=/videos").get_data(as_text=True)
    for name in ("email", "password", "remember"):
        assert f'name="{name}"' in html
    assert 'name="next"' in html and 'value="/videos"' in html
    assert 'href="/reset?next=%2Fvideos"' in html or 'href="/reset?next=/videos"' in html


def test_login_is_case_insensitive_and_honours_next(client, make_user):
    make_user()
    response = _login(client, "  ADA@Example.ORG ", next="/videos?page=2")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/videos?page=2")
    assert client.get("/account/").status_code == 200
    assert fresh_user().last_login_at is not None


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_login_refuses_offsite_next(client, make_user, target):
    make_user()
    response = _login(client, next=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil.example" not in location and "javascript" not in location
    assert location.endswith("/")


def test_wrong_password_and_unknown_address_get_the_same_answer(client, make_user):
    make_user()
    wrong = _login(client, password="Wrong-Password-1!")
    unknown = _login(client, email="nobody@example.org", password="Wrong-Password-1!")
    assert wrong.status_code == unknown.status_code == 400
    message = "The e-mail address or the password is not correct."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert 'value="ada@example.org"' in wrong.get_data(as_text=True)  # kept
    assert client.get("/account/").status_code == 302


def test_missing_fields_are_form_errors(client):
    response = _login(client, email="", password="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter your e-mail address." in html and "Enter your password." in html


def test_logout_needs_post_and_ends_the_session(client, make_user, login):
    make_user()
    login()
    assert client.get("/logout").status_code == 405
    response = post_form(client, "/logout", {}, page="/account/")
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302


def test_remember_me_sets_a_cookie_and_restores_the_session(client, make_user):
    make_user()
    _login(client, remember="y")
    assert client.get_cookie("remember_token") is not None
    client.delete_cookie("session")
    assert client.get("/account/").status_code == 200


def test_password_hash_is_upgraded_on_login(client, make_user):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    user = make_user()
    user.password_hash = weak
    from app.extensions import db

    db.session.commit()
    assert _login(client).status_code == 302
    assert fresh_user().password_hash != weak
    assert "m=65536" in fresh_user().password_hash


def test_login_to_an_unverified_account_sends_a_fresh_code(client, make_user, mailbox):
    make_user(verified=False)
    response = _login(client, next="/videos")
    assert response.headers["Location"].endswith("/verify")
    assert client.get("/account/").status_code == 302  # not logged in yet
    code = code_in(mailbox.last_to("ada@example.org"))
    response = submit_code(client, code)
    assert response.headers["Location"].endswith("/welcome")
    assert fresh_user().is_verified
    assert 'href="/videos"' in client.get("/welcome").get_data(as_text=True)


def test_wrong_password_for_an_unverified_account_sends_nothing(client, make_user, mailbox):
    make_user(verified=False)
    response = _login(client, password="Wrong-Password-1!")
    assert response.status_code == 400
    assert mailbox.to("ada@example.org") == []


def test_failed_logins_are_limited_per_account(app_config, request):
    app_config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    client = request.getfixturevalue("client")
    request.getfixturevalue("make_user")()
    for _ in range(3):
        assert _login(client, password="Wrong-Password-1!").status_code == 400
    response = _login(client, password="Wrong-Password-1!")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many attempts" in html and "minute" in html
    assert response.headers["Retry-After"]
    # even the right password waits now, and only for this account
    assert _login(client).status_code == 429
    assert _login(client, email="other@example.org", password="x").status_code == 400


def test_successful_logins_do_not_count(app_config, request):
    app_config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    client = request.getfixturevalue("client")
    request.getfixturevalue("make_user")()
    for _ in range(4):
        assert _login(client).status_code == 302
        post_form(client, "/logout", {}, page="/account/")


def test_failed_logins_are_limited_per_client_address(app_config, request):
    app_config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    client = request.getfixturevalue("client")
    for n in range(3):
        assert _login(client, email=f"u{n}@example.org", password="x").status_code == 400
    response = _login(client, email="u9@example.org", password="x")
    assert response.status_code == 429
    # in French too
    response = post_form(
        client, "/login", {"email": "u8@example.org", "password": "x"}, page="/login"
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)


def test_logged_in_user_visiting_login_is_sent_on(client, make_user, login):
    make_user()
    login()
    response = client.get("/login?next=/videos")
    assert response.status_code == 302 and response.headers["Location"].endswith("/videos")
