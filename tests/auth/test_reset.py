"""Password reset: request, code, new password, back to the page the user was on."""

from html import unescape

from app.models import OneTimeCode
from tests.auth.flows import NEW_PASSWORD, fresh_user, resend, start_reset, submit_code
from tests.conftest import PASSWORD
from tests.helpers import code_in, html_part, post_form, text_part


def _new_password(client, password=NEW_PASSWORD, confirm=None, **kwargs):
    return post_form(
        client,
        "/reset/password",
        {"password": password, "password_confirm": confirm or password},
        **kwargs,
    )


def test_reset_page_uses_the_seed_wording(client):
    html = unescape(client.get("/reset").get_data(as_text=True))
    assert "Réinitialiser le mot de passe" in html
    assert (
        "Entrez l'adresse e-mail avec laquelle vous vous êtes inscrit et nous vous "
        "enverrons un code pour réinitialiser votre mot de passe."
    ) in html
    assert 'name="email"' in html and 'name="next"' in html


def test_the_whole_reset_in_english_returns_to_the_page_the_user_was_on(client, make_user, mailbox):
    make_user(language="en")
    client.get("/terms")
    response = start_reset(client, "ADA@example.org", next_path="/terms")
    assert response.headers["Location"].endswith("/reset/verify")
    message = mailbox.last_to("ada@example.org")
    code = code_in(message)
    assert code not in message["Subject"]
    assert "reset" in text_part(message).lower() and "30 minutes" in text_part(message)
    assert code in html_part(message)

    page = client.get("/reset/verify", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "ada@example.org" in page and 'action="/reset/resend"' in page
    response = submit_code(client, code, url="/reset/verify")
    assert response.headers["Location"].endswith("/reset/password")
    page = client.get("/reset/password", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Créer un nouveau mot de passe" in page
    assert 'data-password-checklist="password-rules"' in page

    response = _new_password(client)
    assert response.headers["Location"].endswith("/reset/done")
    done = client.get("/reset/done", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Votre mot de passe a été mis à jour" in done
    assert (
        "Cliquez sur le bouton pour revenir à la page sur laquelle vous étiez et "
        "connectez-vous avec votre nouveau mot de passe."
    ) in done
    assert 'href="/login?next=/terms"' in done or 'href="/login?next=%2Fterms"' in done

    notice = mailbox.wait_for("ada@example.org", 2)[-1]
    assert "changed" in notice["Subject"].lower()
    # the new password works, the old one does not; login goes back to /terms
    old = post_form(client, "/login", {"email": "ada@example.org", "password": PASSWORD})
    assert old.status_code == 400
    new = post_form(
        client, "/login", {"email": "ada@example.org", "password": NEW_PASSWORD, "next": "/terms"}
    )
    assert new.headers["Location"].endswith("/terms")


def test_reset_remembers_the_referring_page_when_no_next_is_given(client, make_user, mailbox):
    make_user()
    html = client.get("/reset", headers={"Referer": "http://localhost/videos?q=sea"}).get_data(
        as_text=True
    )
    assert 'value="/videos?q=sea"' in html
    html = client.get("/reset", headers={"Referer": "https://evil.example/x"}).get_data(
        as_text=True
    )
    assert "evil.example" not in html


def test_reset_with_an_offsite_next_falls_back_to_home(client, make_user, mailbox):
    make_user()
    start_reset(client, next_path="https://evil.example/")
    submit_code(client, code_in(mailbox.last_to("ada@example.org")), url="/reset/verify")
    _new_password(client)
    done = client.get("/reset/done").get_data(as_text=True)
    assert "evil.example" not in done
    assert 'href="/login?next=/"' in done or 'href="/login?next=%2F"' in done


def test_reset_answers_the_same_for_unknown_addresses(client, make_user, mailbox, app):
    make_user()
    known = start_reset(client, "ada@example.org")
    known_page = client.get("/reset/verify").get_data(as_text=True)
    other = app.test_client()
    unknown = start_reset(other, "nobody@example.org")
    unknown_page = other.get("/reset/verify").get_data(as_text=True)
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert (
        known_page.replace("ada@example.org", "X").split("csrf_token")[0]
        == (unknown_page.replace("nobody@example.org", "X").split("csrf_token")[0])
    )
    assert mailbox.to("nobody@example.org") == []
    # the throttle bookkeeping is the same too: both are throttled on an immediate resend
    known_resend = resend(client, "/reset/resend", page="/reset/verify")
    unknown_resend = resend(other, "/reset/resend", page="/reset/verify")
    known_text = client.get("/reset/verify").get_data(as_text=True)
    unknown_text = other.get("/reset/verify").get_data(as_text=True)
    assert known_resend.status_code == unknown_resend.status_code == 302
    assert "Un code a été envoyé à cette adresse il y a peu" in known_text
    assert "Un code a été envoyé à cette adresse il y a peu" in unknown_text
    # and no guess can open a reset for the unknown address
    for guess in ("000000", "123456"):
        assert submit_code(other, guess, url="/reset/verify").status_code == 400


def test_new_password_step_needs_a_verified_code(client, make_user, mailbox):
    make_user()
    assert client.get("/reset/password").headers["Location"].endswith("/reset")
    start_reset(client)
    assert client.get("/reset/password").headers["Location"].endswith("/reset")
    with client.session_transaction() as session:
        session["reset_grant"] = [1, "reset"]  # a forged grant: the code row is not used
    assert client.get("/reset/password").headers["Location"].endswith("/reset")


def test_the_new_password_step_expires_with_the_code(client, make_user, mailbox, clock):
    make_user()
    start_reset(client)
    submit_code(client, code_in(mailbox.last_to("ada@example.org")), url="/reset/verify")
    assert client.get("/reset/password").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/reset/password").headers["Location"].endswith("/reset")


def test_the_new_password_step_cannot_be_replayed(client, make_user, mailbox):
    make_user()
    start_reset(client)
    submit_code(client, code_in(mailbox.last_to("ada@example.org")), url="/reset/verify")
    with client.session_transaction() as session:
        saved = dict(session)
    assert _new_password(client).headers["Location"].endswith("/reset/done")
    with client.session_transaction() as session:  # replay the old signed cookie
        session.update(saved)
    response = _new_password(client, password="Another-Pass-88%", page="/reset")
    assert response.headers["Location"].endswith("/reset")
    login = post_form(client, "/login", {"email": "ada@example.org", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_weak_new_password_is_refused_with_every_rule(client, make_user, mailbox):
    make_user()
    start_reset(client)
    submit_code(client, code_in(mailbox.last_to("ada@example.org")), url="/reset/verify")
    response = _new_password(client, password="ada", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for text in ("at least 12", "upper-case", "digit", "symbol"):
        assert text in html
    response = _new_password(
        client, password=NEW_PASSWORD, confirm="Nope-Nope-1234!", headers={"Accept-Language": "en"}
    )
    assert "do not match" in response.get_data(as_text=True)


def test_reset_ends_every_other_session(app, client, make_user, mailbox, login):
    make_user()
    other = app.test_client()
    post_form(other, "/login", {"email": "ada@example.org", "password": PASSWORD, "remember": "y"})
    assert other.get("/account/").status_code == 200
    assert other.get_cookie("remember_token") is not None
    start_reset(client)
    submit_code(client, code_in(mailbox.last_to("ada@example.org")), url="/reset/verify")
    _new_password(client)
    assert other.get("/account/").status_code == 302
    other.delete_cookie("session")  # the remember-me cookie alone does not bring it back
    assert other.get("/account/").status_code == 302


def test_reset_resend_voids_the_previous_code(client, make_user, mailbox, clock):
    make_user()
    start_reset(client)
    first = code_in(mailbox.last_to("ada@example.org"))
    clock.advance(seconds=61)
    resend(client, "/reset/resend", page="/reset/verify")
    second = code_in(mailbox.wait_for("ada@example.org", 2)[-1])
    rows = OneTimeCode.query.filter_by(email="ada@example.org", purpose="reset").all()
    assert len(rows) == 2 and sum(1 for r in rows if r.voided_at is None) == 1
    if first != second:
        assert submit_code(client, first, url="/reset/verify").status_code == 400
    assert (
        submit_code(client, second, url="/reset/verify")
        .headers["Location"]
        .endswith("/reset/password")
    )


def test_reset_proves_the_address_of_an_unverified_account(client, make_user, mailbox):
    make_user(verified=False)
    start_reset(client)
    submit_code(client, code_in(mailbox.last_to("ada@example.org")), url="/reset/verify")
    _new_password(client)
    assert fresh_user().is_verified
