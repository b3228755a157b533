"""Subscribing: double opt-in for visitors, one click for accounts, one-click unsubscribe."""

import re

from app.extensions import db
from app.models import Subscriber
from app.newsletter import service
from tests.conftest import PASSWORD
from tests.helpers import html_part, post_form, text_part

LINK_RE = re.compile(r"https://rushes\.example/newsletter/confirm/[A-Za-z0-9_.\-]+")


def _sub(email):
    db.session.expire_all()
    return db.session.execute(db.select(Subscriber).filter_by(email=email)).scalar_one_or_none()


def _confirm_link(message):
    match = LINK_RE.search(text_part(message))
    assert match, text_part(message)
    return match.group(0).replace("https://rushes.example", "")


def test_visitor_double_opt_in(client, mailbox):
    response = post_form(
        client,
        "/newsletter/subscribe",
        {"email": " Zoe@Example.org ", "language": "en"},
        page="/newsletter",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/newsletter/check-email")
    # Not active until confirmed.
    assert _sub("zoe@example.org").status == "pending"

    message = mailbox.last_to("zoe@example.org")
    assert message["Subject"] == "Confirm your subscription to the newsletter"
    assert "Confirm my subscription" in html_part(message)
    link = _confirm_link(message)

    page = client.get(link)  # a GET (e.g. a link scanner) changes nothing
    assert page.status_code == 200
    assert "zoe@example.org" in page.get_data(as_text=True)
    assert _sub("zoe@example.org").status == "pending"

    confirmed = post_form(client, link, {}, headers={"Accept-Language": "fr"})
    assert confirmed.status_code == 303  # POST/redirect/GET: Back never resubmits
    assert confirmed.headers["Location"].endswith(link.replace("https://rushes.example", ""))
    shown = client.get(link, headers={"Accept-Language": "fr"})
    assert "Abonnement confirmé" in shown.get_data(as_text=True)
    sub = _sub("zoe@example.org")
    assert sub.status == "active"
    assert sub.language == "en"
    assert sub.confirmed_at is not None


def test_confirmation_mail_is_in_the_chosen_language(client, mailbox):
    post_form(
        client,
        "/newsletter/subscribe",
        {"email": "ana@example.org", "language": "fr"},
        page="/newsletter",
    )
    message = mailbox.last_to("ana@example.org")
    assert message["Subject"] == "Confirmez votre abonnement à la newsletter"
    assert "Confirmer mon abonnement" in html_part(message)


def test_same_answer_whether_or_not_already_subscribed(client, mailbox, make_subscriber):
    make_subscriber("old@example.org", "fr")
    answers = []
    for email in ("old@example.org", "new@example.org"):
        response = post_form(
            client,
            "/newsletter/subscribe",
            {"email": email, "language": "fr"},
            page="/newsletter",
        )
        followed = client.get(response.headers["Location"])
        page = re.sub(r'name="csrf_token"[^>]*>', "", followed.get_data(as_text=True))
        answers.append((response.status_code, response.headers["Location"], page))
    assert answers[0] == answers[1]
    assert _sub("old@example.org").status == "active"  # still active, nothing revealed


def test_repeated_requests_do_not_bomb_the_inbox(client, mailbox):
    for _ in range(3):
        response = post_form(
            client,
            "/newsletter/subscribe",
            {"email": "rep@example.org", "language": "fr"},
            page="/newsletter",
        )
        assert response.status_code == 302
    assert len(mailbox.to("rep@example.org")) == 1


def test_invalid_input_is_a_400_that_keeps_what_was_typed(client, mailbox):
    response = post_form(
        client,
        "/newsletter/subscribe",
        {"email": "not-an-address", "language": "en"},
        page="/newsletter",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a valid e-mail address" in html
    assert 'value="not-an-address"' in html
    assert mailbox.to("not-an-address") == []

    response = post_form(
        client,
        "/newsletter/subscribe",
        {"email": "ok@example.org", "language": "de"},
        page="/newsletter",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "Choose French or English" in response.get_data(as_text=True)


def test_subscribe_is_rate_limited(app_config, client, mailbox):
    from flask import current_app

    current_app.config["NEWSLETTER_LIMIT_PER_ADDRESS"] = "2 per minute"
    codes = []
    for i in range(3):
        response = post_form(
            client,
            "/newsletter/subscribe",
            {"email": f"r{i}@example.org", "language": "en"},
            page="/newsletter",
            headers={"Accept-Language": "en"},
        )
        codes.append(response.status_code)
    assert codes == [302, 302, 429]
    html = response.get_data(as_text=True)
    assert "Too many requests" in html
    assert 'value="r2@example.org"' in html  # what was typed is kept


def test_expired_link_is_refused_and_offers_a_new_one(client, mailbox, clock):
    post_form(
        client,
        "/newsletter/subscribe",
        {"email": "late@example.org", "language": "en"},
        page="/newsletter",
    )
    link = _confirm_link(mailbox.last_to("late@example.org"))
    clock.advance(days=7, minutes=1)
    response = client.get(link, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "has expired" in html
    assert 'value="late@example.org"' in html  # the form is filled in for a new request
    response = post_form(client, link, {}, page="/newsletter")
    assert response.status_code == 400
    assert _sub("late@example.org").status == "pending"


def test_tampered_link_is_refused(client, mailbox):
    post_form(
        client,
        "/newsletter/subscribe",
        {"email": "tam@example.org", "language": "en"},
        page="/newsletter",
    )
    link = _confirm_link(mailbox.last_to("tam@example.org"))
    forged = service.make_confirm_token("tam@example.org", "en")[:-3] + "AAA"
    for bad in (
        link[:-2] + ("xy" if not link.endswith("xy") else "zz"),
        "/newsletter/confirm/" + forged,
        "/newsletter/confirm/garbage",
    ):
        response = client.get(bad, headers={"Accept-Language": "en"})
        assert response.status_code == 400, bad
        assert "not valid" in response.get_data(as_text=True)
    assert _sub("tam@example.org").status == "pending"


def test_old_confirmation_link_cannot_undo_an_unsubscribe(client, mailbox, clock):
    post_form(
        client,
        "/newsletter/subscribe",
        {"email": "u@example.org", "language": "en"},
        page="/newsletter",
    )
    link = _confirm_link(mailbox.last_to("u@example.org"))
    post_form(client, link, {})
    clock.advance(seconds=2)
    service.unsubscribe(_sub("u@example.org"))
    response = post_form(client, link, {}, page="/newsletter")
    assert response.status_code == 400
    assert _sub("u@example.org").status == "unsubscribed"


def test_one_click_unsubscribe_without_login_or_csrf(client, make_subscriber):
    sub = make_subscriber("one@example.org", "en")
    url = service.unsubscribe_url(sub).replace("https://rushes.example", "")
    # RFC 8058: the mail client POSTs this body, with no cookie and no CSRF token.
    response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _sub("one@example.org").status == "unsubscribed"
    again = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200  # idempotent
    assert _sub("one@example.org").status == "unsubscribed"


def test_unsubscribe_get_asks_for_confirmation(client, make_subscriber):
    sub = make_subscriber("two@example.org", "en")
    url = service.unsubscribe_url(sub).replace("https://rushes.example", "")
    page = client.get(url, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "two@example.org" in html and "<button" in html
    assert _sub("two@example.org").status == "active"  # a GET changes nothing
    response = post_form(client, url, {})
    assert response.status_code == 303  # the page's button: POST/redirect/GET
    assert _sub("two@example.org").status == "unsubscribed"
    again = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You are unsubscribed" in again  # the result, not the question again


def test_tampered_unsubscribe_token_is_400(client, make_subscriber):
    sub = make_subscriber("three@example.org")
    token = service.unsubscribe_token(sub)
    response = client.post(
        f"/newsletter/unsubscribe/{token[:-2]}zz", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert _sub("three@example.org").status == "active"


def test_account_toggle(client, make_user, login):
    user = make_user("acc@example.org", language="en")
    login("acc@example.org")
    html = client.get("/newsletter").get_data(as_text=True)
    assert "You do not receive our newsletter" in html
    response = post_form(
        client, "/newsletter/me/subscribe", {"next": "/newsletter"}, page="/newsletter"
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/newsletter")
    sub = _sub("acc@example.org")
    assert sub.status == "active" and sub.user_id == user.id and sub.language == "en"
    html = client.get("/newsletter").get_data(as_text=True)
    assert "You receive our newsletter at acc@example.org" in html
    post_form(client, "/newsletter/me/unsubscribe", {"next": "/newsletter"}, page="/newsletter")
    assert _sub("acc@example.org").status == "unsubscribed"


def test_account_toggle_needs_login(client):
    response = client.post("/newsletter/me/subscribe")
    assert response.status_code in (302, 400)
    assert Subscriber.query.count() == 0


def test_footer_form_is_on_every_page(client):
    html = client.get("/terms", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'action="/newsletter/subscribe"' in html
    assert 'name="language"' in html
    assert '<option value="en" lang="en" selected>English</option>' in html
    assert '<option value="fr" lang="fr" >Français</option>' in html


def test_deleting_an_account_removes_its_subscription(app, make_user, make_subscriber):
    from app.newsletter.service import subscribe_user

    user = make_user("gone@example.org")
    subscribe_user(user)
    other = make_user("gone2@example.org")
    make_subscriber("gone2@example.org")  # subscribed as a visitor, same address
    db.session.delete(user)
    db.session.delete(other)
    db.session.commit()
    assert _sub("gone@example.org") is None
    assert _sub("gone2@example.org") is None


def test_unconfirmed_visitors_are_purged(client, mailbox, clock):
    post_form(
        client,
        "/newsletter/subscribe",
        {"email": "p@example.org", "language": "en"},
        page="/newsletter",
    )
    assert service.purge_unconfirmed() == 0
    clock.advance(days=8)
    assert service.purge_unconfirmed() == 1
    assert _sub("p@example.org") is None


def test_deleting_an_account_on_the_account_page_removes_its_subscription(
    client, make_user, login, mailbox
):
    from app.models import User

    make_user("leaver@example.org", language="en")
    login("leaver@example.org")
    post_form(client, "/newsletter/me/subscribe", {"next": "/account/"}, page="/account/")
    assert _sub("leaver@example.org").status == "active"
    response = post_form(
        client,
        "/account/delete",
        {"delete_password": PASSWORD, "confirm_delete": "y"},
        page="/account/",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db.session.expire_all()
    assert User.by_email("leaver@example.org") is None
    assert _sub("leaver@example.org") is None
