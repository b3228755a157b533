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


def test_copies_of_the_session_and_remember_cookies_are_dead_after_logout(app, make_user):
    make_user()
    client = app.test_client()
    _login(client, remember="y")
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value
    post_form(client, "/logout", {}, page="/account/")
    for name, value in (("session", session_cookie), ("remember_token", remember_cookie)):
        thief = app.test_client()
        thief.set_cookie(name, value)
        assert thief.get("/account/").status_code == 302, name


def test_remember_me_sets_a_cookie_and_restores_the_session(client, make_user):
    make_user()
    _login(client, remember="y")
    assert client.get_cookie("remember_token") is not None
    client.delete_cookie("session")
    assert client.get("/account/").status_code == 200


def test_password_hash_is_upgraded_on_login(app, client, make_user):
    from app.extensions import db

    user = make_user()  # hashed with the test config's cheap parameters
    weak = user.password_hash
    assert "m=8," in weak
    app.config["PASSWORD_HASH_MEMORY_KIB"] = 16
    db.session.commit()
    assert _login(client).status_code == 302
    assert fresh_user().password_hash != weak
    assert "m=16," in fresh_user().password_hash


def test_production_hashes_with_argon2_cffi_defaults():
    """The cheap test parameters never leak into the real configuration."""
    from argon2 import PasswordHasher

    import config

    default = PasswordHasher()
    assert (default.time_cost, default.memory_cost, default.parallelism) == (
        config.Config.PASSWORD_HASH_TIME_COST,
        config.Config.PASSWORD_HASH_MEMORY_KIB,
        config.Config.PASSWORD_HASH_PARALLELISM,
    )
    assert (default.memory_cost, default.time_cost) == (65536, 3)  # RFC 9106, option 2


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


def test_an_attacker_cannot_lock_the_owner_out_of_a_known_device(app_config, request):
    app_config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    app = request.getfixturevalue("app")
    request.getfixturevalue("make_user")()
    owner = app.test_client()
    assert _login(owner).status_code == 302  # this browser is now a known device
    post_form(owner, "/logout", {}, page="/account/")
    attacker = app.test_client()
    for _ in range(3):
        assert _login(attacker, password="Wrong-Password-1!").status_code == 400
    assert _login(attacker, password="Wrong-Password-1!").status_code == 429
    assert _login(attacker).status_code == 429  # even with the right password
    # the owner's browser is counted apart, and logs in
    assert _login(owner).status_code == 302
    # a new browser of the owner's waits with the attacker...
    newcomer = app.test_client()
    assert _login(newcomer).status_code == 429


def test_wrong_guesses_from_a_known_device_are_limited_too(app_config, request):
    app_config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    client = request.getfixturevalue("client")
    request.getfixturevalue("make_user")()
    assert _login(client).status_code == 302
    post_form(client, "/logout", {}, page="/account/")
    for _ in range(3):
        assert _login(client, password="Wrong-Password-1!").status_code == 400
    assert _login(client, password="Wrong-Password-1!").status_code == 429


def test_a_forged_device_cookie_counts_as_none(app_config, request):
    app_config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    client = request.getfixturevalue("client")
    request.getfixturevalue("make_user")()
    client.set_cookie("rushes_device", "eyJ1IjoxLCJkIjoieCJ9.forged.signature")
    for _ in range(2):
        assert _login(client, password="Wrong-Password-1!").status_code == 400
    assert _login(client).status_code == 429
