"""Staff pages: compose (with and without JavaScript), preview, test mail, send with a
confirmation step, failures and retry, subscriber list and CSV export."""

import csv
import io
import re

import pytest
from aiosmtpd.controller import Controller

from app.extensions import db
from app.models.newsletter import Delivery, NewsletterIssue
from tests.conftest import Mailbox
from tests.helpers import free_port, html_part, post_form
from tests.newsletter.conftest import start_send

EN = {"Accept-Language": "en"}


@pytest.fixture
def staff(make_user, login):
    user = make_user("staff@example.org", staff=True, language="en")
    login("staff@example.org")
    return user


@pytest.mark.parametrize(
    "url",
    [
        "/admin/newsletter/",
        "/admin/newsletter/new",
        "/admin/newsletter/subscribers",
        "/admin/newsletter/subscribers.csv",
        "/admin/newsletter/1",
        "/admin/newsletter/1/preview/fr",
        "/admin/newsletter/1/progress.json",
    ],
)
def test_staff_pages_are_404_for_others(client, make_user, login, make_issue, url):
    make_issue()
    assert client.get(url).status_code == 404
    make_user("visitor@example.org")
    login("visitor@example.org")
    assert client.get(url).status_code == 404


def test_compose_validation_keeps_what_was_typed(client, staff):
    response = post_form(
        client,
        "/admin/newsletter/new",
        {"subject_fr": "Sujet", "intro_fr": "Mon texte", "subject_en": "", "intro_en": "Hi"},
        headers=EN,
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Write the subject in English." in html
    assert 'value="Sujet"' in html and "Mon texte" in html
    assert NewsletterIssue.query.count() == 0


def test_compose_search_without_javascript_and_save(client, staff, make_video):
    harvest = make_video("Vendanges", "Grape harvest")
    storm = make_video("Tempête en Bretagne", "Storm in Brittany")
    make_video("Brouillon", "Draft video", published=False)
    page = client.get("/admin/newsletter/new", headers=EN).get_data(as_text=True)
    assert "Grape harvest" in page and "Storm in Brittany" in page
    assert "Draft video" not in page  # only published videos can be featured

    form = {
        "subject_fr": "Sujet",
        "intro_fr": "Bonjour",
        "subject_en": "Subject",
        "intro_en": "Hello",
        "videos": [str(harvest.id)],
        "q": "storm",
        "action": "search",
    }
    searched = post_form(client, "/admin/newsletter/new", form, headers=EN)
    assert searched.status_code == 200
    html = searched.get_data(as_text=True)
    assert "Storm in Brittany" in html
    assert re.search(rf'value="{harvest.id}" checked', html)  # the ticked one stays
    assert 'value="Sujet"' in html
    assert NewsletterIssue.query.count() == 0

    form.update(action="save", videos=[str(storm.id), str(harvest.id), "999", "x"])
    saved = post_form(client, "/admin/newsletter/new", form, headers=EN)
    assert saved.status_code == 302
    issue = NewsletterIssue.query.one()
    assert [v.id for v in issue.videos] == [storm.id, harvest.id]
    assert issue.subject("en") == "Subject" and issue.intro("fr") == "Bonjour"


def test_preview_in_both_languages_is_a_sandboxed_frame(client, staff, make_issue):
    issue = make_issue()
    page = client.get(f"/admin/newsletter/{issue.id}", headers=EN).get_data(as_text=True)
    assert page.count("<iframe") == 2 and 'sandbox=""' in page
    fr = client.get(f"/admin/newsletter/{issue.id}/preview/fr")
    en = client.get(f"/admin/newsletter/{issue.id}/preview/en")
    assert "Vendanges en Bourgogne" in fr.get_data(as_text=True)
    assert "Grape harvest in Burgundy" in en.get_data(as_text=True)
    csp = en.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "sandbox" in csp and "script-src" not in csp
    assert en.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get(f"/admin/newsletter/{issue.id}/preview/de").status_code == 404


def test_send_a_test_to_oneself(client, staff, mailbox, make_issue, make_subscriber):
    make_subscriber("reader@example.org")
    issue = make_issue()
    response = post_form(
        client, f"/admin/newsletter/{issue.id}/test", {}, page=f"/admin/newsletter/{issue.id}"
    )
    assert response.status_code == 302
    mails = mailbox.to("staff@example.org")
    assert sorted(m["Subject"] for m in mails) == [
        "[TEST] Les images de la semaine",
        "[TEST] This week's footage",
    ]
    assert all(m["List-Unsubscribe"] and m["Message-ID"] for m in mails)
    assert mailbox.to("reader@example.org") == []
    assert NewsletterIssue.query.one().status == "draft"


def test_send_has_a_confirmation_step_with_the_counts(
    client, staff, mailbox, make_issue, make_subscriber
):
    make_subscriber("a@example.org", "fr")
    make_subscriber("b@example.org", "fr")
    make_subscriber("c@example.org", "en")
    make_subscriber("d@example.org", "en", status="pending")
    issue = make_issue()
    page = client.get(f"/admin/newsletter/{issue.id}/send", headers=EN)
    html = page.get_data(as_text=True)
    assert "3 confirmed subscribers" in html
    assert 'data-count="fr">2<' in html and 'data-count="en">1<' in html
    assert mailbox.messages == []
    response = post_form(client, f"/admin/newsletter/{issue.id}/send", {})
    assert response.status_code == 302
    for address in ("a@example.org", "b@example.org", "c@example.org"):
        assert len(mailbox.to(address)) == 1
    assert mailbox.to("d@example.org") == []
    # A second POST (double click, back button) sends nothing more.
    post_form(
        client, f"/admin/newsletter/{issue.id}/send", {}, page=f"/admin/newsletter/{issue.id}"
    )
    assert len(mailbox.to("a@example.org")) == 1
    html = client.get(f"/admin/newsletter/{issue.id}", headers=EN).get_data(as_text=True)
    assert 'data-field="sent">3<' in html


class Bouncer(Mailbox):
    """An SMTP server that refuses some recipients (550), like a real one would."""

    refuse = {"bounce@example.org"}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def bouncer(app_config):
    handler = Bouncer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app_config["MAIL_PORT"] = controller.port
    yield handler
    controller.stop()


def test_failures_with_reasons_and_retry(bouncer, client, staff, make_issue, make_subscriber):
    for address in ("ok1@example.org", "bounce@example.org", "ok2@example.org"):
        make_subscriber(address, "en")
    issue = make_issue()
    start_send(issue)
    assert len(bouncer.to("ok1@example.org")) == 1 and len(bouncer.to("ok2@example.org")) == 1
    failed = Delivery.query.filter_by(status="failed").one()
    assert failed.email == "bounce@example.org" and failed.error.startswith("550")
    html = client.get(f"/admin/newsletter/{issue.id}", headers=EN).get_data(as_text=True)
    assert "bounce@example.org" in html and "No such user here" in html
    assert "Retry the failed recipients" in html

    bouncer.refuse = set()  # the mailbox exists now
    response = post_form(
        client, f"/admin/newsletter/{issue.id}/retry", {}, page=f"/admin/newsletter/{issue.id}"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert {d.status for d in Delivery.query.all()} == {"sent"}
    for address in ("ok1@example.org", "bounce@example.org", "ok2@example.org"):
        assert len(bouncer.to(address)) == 1


def test_subscriber_list_counts_and_csv(client, staff, make_subscriber):
    make_subscriber("a@example.org", "fr")
    make_subscriber("b@example.org", "fr")
    make_subscriber("c@example.org", "en")
    make_subscriber("=cmd@example.org", "en", status="pending")
    make_subscriber("e@example.org", "en", status="unsubscribed")
    html = client.get("/admin/newsletter/subscribers", headers=EN).get_data(as_text=True)
    assert 'data-count="active-fr">2<' in html
    assert 'data-count="active-en">1<' in html
    assert 'data-count="pending">1<' in html and 'data-count="unsubscribed">1<' in html
    found = client.get("/admin/newsletter/subscribers?q=c%40ex", headers=EN).get_data(as_text=True)
    assert "c@example.org" in found and "a@example.org" not in found

    response = client.get("/admin/newsletter/subscribers.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 5
    by_email = {r["email"]: r for r in rows}
    assert by_email["c@example.org"]["language"] == "en"
    assert by_email["c@example.org"]["status"] == "active"
    assert "'=cmd@example.org" in by_email  # no spreadsheet formula injection


def test_sent_issue_can_no_longer_be_edited(client, staff, mailbox, make_issue, make_subscriber):
    make_subscriber("a@example.org")
    issue = make_issue()
    start_send(issue)
    response = client.get(f"/admin/newsletter/{issue.id}/edit")
    assert response.status_code == 302
    response = post_form(
        client,
        f"/admin/newsletter/{issue.id}/edit",
        {"subject_fr": "X", "subject_en": "Y"},
        page=f"/admin/newsletter/{issue.id}",
    )
    db.session.expire_all()
    assert NewsletterIssue.query.one().subject_fr == "Les images de la semaine"


def test_mail_html_of_an_issue_has_posters_by_absolute_url(client, staff, mailbox, make_issue):
    issue = make_issue()
    post_form(
        client, f"/admin/newsletter/{issue.id}/test", {}, page=f"/admin/newsletter/{issue.id}"
    )
    html = html_part(mailbox.last_to("staff@example.org"))
    posters = re.findall(r'<img[^>]+src="([^"]+)"', html)
    assert posters and all(p.startswith("https://rushes.example/") for p in posters)
