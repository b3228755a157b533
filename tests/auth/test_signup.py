"""Sign-up: register, verify by code, resend, success page, no account enumeration."""

import re

import pytest

from app.models import OneTimeCode, Subscriber, User
from tests.auth.flows import (
    fresh_user,
    register,
    resend,
    signup_and_verify,
    signup_data,
    submit_code,
)
from tests.conftest import PASSWORD
from tests.helpers import code_in, html_part, post_form, text_part


def test_register_page_has_the_fields_and_a_terms_link(client):
    html = client.get("/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for name in ("email", "full_name", "organisation", "password", "password_confirm"):
        assert f'name="{name}"' in html
    assert 'name="accept_terms"' in html and 'type="checkbox"' in html
    assert 'href="/terms"' in html
    assert 'data-password-checklist="password-rules"' in html
    assert "js/password.js" in html


def test_signup_sends_a_code_and_the_right_code_verifies_and_logs_in(client, mailbox):
    response = register(client, "Ada@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/verify")
    user = User.by_email("ada@example.org")
    assert user.email == "ada@example.org"  # stored lower-cased
    assert user.verified_at is None and user.terms_accepted_at is not None
    assert user.password_hash.startswith("$argon2id$")

    page = client.get("/verify", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Vérifiez votre boîte de réception et entrez le code de vérification" in page
    assert (
        "Nous avons envoyé un code de vérification à votre adresse e-mail "
        '<strong class="address">ada@example.org</strong>. Entrez le code pour vérifier '
        "votre compte. Ce code expirera dans 30 minutes."
    ) in page
    assert "Vous n&#39;avez pas reçu de code ?" in page or "Vous n'avez pas reçu de code ?" in page
    assert 'action="/verify/resend"' in page

    message = mailbox.last_to("ada@example.org")
    code = code_in(message)
    assert code not in message["Subject"]
    assert code in html_part(message)
    assert "30" in text_part(message)

    response = submit_code(client, code)
    assert response.headers["Location"].endswith("/welcome")
    welcome = client.get("/welcome", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Vous avez créé votre compte avec succès" in welcome
    assert (
        "Désormais, vous pouvez télécharger des versions complètes ou partielles de nos "
        "vidéos depuis notre site Web."
    ) in welcome
    assert "Abonnez-vous à notre newsletter" in welcome
    assert fresh_user().is_verified
    # logged in: the account page answers
    assert client.get("/account/").status_code == 200


def test_the_mail_is_in_the_language_of_the_signup(client, mailbox):
    client.get("/register")
    post_form(
        client,
        "/register",
        signup_data("en@example.org"),
        headers={"Accept-Language": "en"},
    )
    message = mailbox.last_to("en@example.org")
    assert "verify your e-mail address" in text_part(message).lower()
    assert User.by_email("en@example.org").language == "en"
    register(client, "fr@example.org")  # the test client sends no Accept-Language: French
    message = mailbox.last_to("fr@example.org")
    assert "code" in text_part(message) and "minutes" in text_part(message)
    assert "Vérifiez" in message["Subject"] or "adresse" in message["Subject"]


def test_only_a_keyed_hash_of_the_code_is_stored(client, mailbox):
    register(client)
    code = code_in(mailbox.last_to("ada@example.org"))
    row = OneTimeCode.query.filter_by(email="ada@example.org", purpose="verify").one()
    assert code not in row.code_hash and len(row.code_hash) == 64
    # and the signed session cookie (readable by the client) does not carry it either
    cookie = client.get_cookie("session").value
    import base64
    import zlib

    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if cookie.startswith("."):
        raw = zlib.decompress(raw)
    assert code.encode() not in raw


def test_a_wrong_code_is_refused_and_the_form_says_how_many_tries_are_left(client, mailbox):
    register(client)
    code = code_in(mailbox.last_to("ada@example.org"))
    wrong = "000000" if code != "000000" else "111111"
    response = post_form(client, "/verify", {"code": wrong}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "not correct" in response.get_data(as_text=True)
    assert "4" in response.get_data(as_text=True)
    assert not fresh_user().is_verified


def test_a_malformed_code_is_a_form_error_not_a_try(client, mailbox):
    register(client)
    response = post_form(client, "/verify", {"code": "12ab"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "6 digits" in response.get_data(as_text=True)
    assert OneTimeCode.query.filter_by(email="ada@example.org").one().attempts == 0


def test_a_code_with_spaces_is_accepted(client, mailbox):
    register(client)
    code = code_in(mailbox.last_to("ada@example.org"))
    response = submit_code(client, f" {code[:3]} {code[3:]} ")
    assert response.headers["Location"].endswith("/welcome")


def test_verify_without_a_signup_goes_to_register(client):
    response = client.get("/verify")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/register")


def test_resend_sends_a_new_code_that_voids_the_old_one(client, mailbox, clock):
    register(client)
    first = code_in(mailbox.last_to("ada@example.org"))
    clock.advance(seconds=61)
    response = resend(client)
    assert response.headers["Location"].endswith("/verify")
    mails = mailbox.wait_for("ada@example.org", 2)
    second = code_in(mails[-1])
    if first != second:
        old = submit_code(client, first)
        assert old.status_code == 400
    response = submit_code(client, second)
    assert response.headers["Location"].endswith("/welcome")


def test_a_code_is_single_use(client, mailbox):
    register(client)
    code = code_in(mailbox.last_to("ada@example.org"))
    assert submit_code(client, code).headers["Location"].endswith("/welcome")
    post_form(client, "/logout", {}, page="/account/")
    with client.session_transaction() as session:
        session["verify_email"] = "ada@example.org"
    response = submit_code(client, code)
    assert response.status_code == 400
    assert client.get("/account/").status_code == 302  # not logged in again


def test_signup_with_a_verified_address_reveals_nothing_and_warns_the_owner(
    client, mailbox, make_user
):
    owner = make_user("taken@example.org", full_name="Grace Hopper")
    original_hash = owner.password_hash
    response = register(client, "Taken@example.org", full_name="Mallory")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/verify")
    page = client.get("/verify").get_data(as_text=True)
    assert "taken@example.org" in page
    # the owner is told, with a way to reset the password, and gets no code
    message = mailbox.last_to("taken@example.org")
    assert "/reset" in text_part(message)
    assert "/reset" in html_part(message)
    assert "Grace Hopper" in text_part(message)
    user = fresh_user("taken@example.org")
    assert user.full_name == "Grace Hopper" and user.password_hash == original_hash
    # answers look the same as for a new address
    fresh = client.application.test_client()
    new = register(fresh, "nobody-yet@example.org")
    assert new.status_code == response.status_code
    assert new.headers["Location"] == response.headers["Location"]
    # resend also looks the same, and keeps warning the owner (throttled the same way)
    assert resend(client).headers["Location"].endswith("/verify")


def test_signing_up_again_while_unverified_gets_a_new_code(client, mailbox, clock):
    register(client, full_name="First Name")
    first = code_in(mailbox.last_to("ada@example.org"))
    clock.advance(seconds=61)
    register(client, full_name="Second Name")
    mails = mailbox.wait_for("ada@example.org", 2)
    second = code_in(mails[-1])
    assert User.query.count() == 1
    assert fresh_user().full_name == "Second Name"
    if first != second:
        assert submit_code(client, first).status_code == 400
    assert submit_code(client, second).headers["Location"].endswith("/welcome")


def test_a_signup_by_someone_else_meanwhile_forces_a_new_password(client, app, mailbox, clock):
    """Pre-hijack: another browser re-registers the unverified address with its password."""
    register(client)
    clock.advance(seconds=61)
    attacker = app.test_client()
    register(attacker, password="Attacker-Pass-99!")
    code = code_in(mailbox.wait_for("ada@example.org", 2)[-1])
    response = submit_code(client, code)  # the owner verifies with the newest code
    assert response.headers["Location"].endswith("/reset/password")
    assert fresh_user().is_verified
    # the attacker's password no longer opens the account once the owner chooses one
    post_form(
        client,
        "/reset/password",
        {"password": "Owner-Chosen-55#", "password_confirm": "Owner-Chosen-55#"},
    )
    response = post_form(
        attacker, "/login", {"email": "ada@example.org", "password": "Attacker-Pass-99!"}
    )
    assert response.status_code == 400


def test_registration_errors_keep_what_was_typed(client):
    response = post_form(
        client,
        "/register",
        signup_data("not-an-address", password="short", password_confirm="other", accept_terms=""),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="not-an-address"' in html
    assert 'value="Ada Lovelace"' in html and 'value="Analytical News"' in html
    assert "valid e-mail address" in html
    assert "at least 12 characters" in html
    assert "upper-case letter" in html and "digit" in html and "symbol" in html
    assert "do not match" in html
    assert "accept the terms" in html
    assert 'aria-invalid="true"' in html
    assert User.query.count() == 0


def test_each_password_rule_is_named_in_french(client):
    response = post_form(client, "/register", signup_data(password="abc def"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for text in (
        "au moins 12 caractères",
        "espaces",
        "majuscule",
        "chiffre",
        "symbole",
    ):
        assert text in html


def test_common_passwords_and_the_email_name_are_refused(client):
    response = post_form(
        client, "/register", signup_data(password="Password123!"), headers={"Accept-Language": "en"}
    )
    assert "too common" in response.get_data(as_text=True)
    response = post_form(
        client,
        "/register",
        signup_data("lovelace@example.org", password="xLovelace-2026!"),
        headers={"Accept-Language": "en"},
    )
    assert "e-mail name" in response.get_data(as_text=True)
    response = post_form(
        client,
        "/register",
        signup_data(password="Aa1!" + "x" * 130),
        headers={"Accept-Language": "en"},
    )
    assert "at most 128" in response.get_data(as_text=True)
    assert User.query.count() == 0


@pytest.mark.fresh_app
def test_mail_server_down_keeps_the_account_and_offers_a_resend(app_config, mailbox, request):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    real_port = app_config["MAIL_PORT"]
    app_config["MAIL_PORT"] = closed_port
    app = request.getfixturevalue("app")
    client = app.test_client()
    response = register(client)
    assert response.headers["Location"].endswith("/verify")
    page = client.get("/verify", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "We could not send the code" in page
    assert "Send a new code" in page
    assert User.by_email("ada@example.org") is not None
    assert mailbox.to("ada@example.org") == []
    # the mail server is back: resending works at once (the failed send did not count)
    app.extensions["mail"].port = real_port  # Flask-Mail reads its settings at start-up
    response = resend(client)
    code = code_in(mailbox.wait_for("ada@example.org")[-1])
    assert submit_code(client, code).headers["Location"].endswith("/welcome")


def test_welcome_page_subscribes_to_the_newsletter(client, mailbox):
    signup_and_verify(client, mailbox)
    response = post_form(client, "/account/newsletter", {"next": "/welcome"}, page="/welcome")
    assert response.headers["Location"].endswith("/welcome")
    subscriber = Subscriber.query.filter_by(email="ada@example.org").one()
    assert subscriber.status == "active" and subscriber.confirmed_at is not None
    page = client.get("/welcome").get_data(as_text=True)
    assert "Vous êtes abonné à notre newsletter." in page


def test_next_from_signup_is_offered_after_verification(client, mailbox):
    client.get("/register?next=/videos")
    post_form(client, "/register", signup_data(next="/videos"), page="/register?next=/videos")
    submit_code(client, code_in(mailbox.last_to("ada@example.org")))
    page = client.get("/welcome").get_data(as_text=True)
    assert 'href="/videos"' in page


def test_offsite_next_from_signup_is_ignored(client, mailbox):
    signup_and_verify(client, mailbox, next="https://evil.example/")
    page = client.get("/welcome").get_data(as_text=True)
    assert "evil.example" not in page


def test_password_is_the_one_from_signup(client, mailbox, login):
    signup_and_verify(client, mailbox)
    post_form(client, "/logout", {}, page="/account/")
    login("ada@example.org", PASSWORD)


def test_resend_answers_the_same_for_a_taken_address(app, make_user, mailbox, clock):
    make_user("taken@example.org")
    taken, fresh = app.test_client(), app.test_client()
    register(taken, "taken@example.org")
    register(fresh, "new@example.org")
    clock.advance(seconds=61)
    pages = []
    for client in (taken, fresh):
        response = resend(client)
        assert response.headers["Location"].endswith("/verify")
        html = client.get("/verify").get_data(as_text=True)
        pages.append(re.findall(r'<p class="flash[^"]*">(.*?)</p>', html))
    assert (
        pages[0]
        == pages[1]
        == ["Un nouveau code vous a été envoyé. Le code précédent ne fonctionne plus."]
    )
    assert len(mailbox.to("taken@example.org")) == 2  # two notices, no code
    assert all("/reset" in text_part(m) for m in mailbox.to("taken@example.org"))
