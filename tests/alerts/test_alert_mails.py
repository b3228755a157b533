"""Alert mails through a real SMTP server (aiosmtpd), parsed with the email package: a
matching video is mailed once per saved search, digests go out once a day at the hour,
and one click unsubscribes."""

from datetime import datetime, timedelta

import pytest

from app.admin.service import delete_video
from app.alerts import delivery, tasks
from app.extensions import db
from app.mailer import MailError
from app.models import AlertItem, SavedSearch, Subscriber
from app.newsletter import service as newsletter
from tests.alerts.helpers import save_search
from tests.helpers import html_part, text_part

ADA = "ada@example.org"
SITE = "http://127.0.0.1:8000"


def _unsubscribe_path(message):
    header = message["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/alerts/unsubscribe/") and header.endswith(">")
    return header[1:-1].removeprefix(SITE)


def test_a_matching_video_is_mailed_once_with_poster_title_summary_and_link(
    app, reader, staff_client, make_video, mailbox
):
    save_search(reader, "q=storm", name="Storms")
    video = make_video(summary_en="Waves break on the pier.")
    other = make_video(slug="calm", title_en="Calm sea", title_fr="Mer calme")
    staff_client.action(video, "publish")
    staff_client.action(other, "publish")
    (message,) = mailbox.wait_for(ADA)
    assert message["Subject"] == "A new video for your search “Storms”"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    _unsubscribe_path(message)
    text, html = text_part(message), html_part(message)
    page = f"{SITE}/videos/{video.id}-storm"
    assert "Storm in the harbour" in text and "Waves break on the pier." in text
    assert page in text and "Calm sea" not in text
    assert f'src="{SITE}/videos/{video.id}/files/poster.jpg"' in html
    # Links come from SITE_URL, never from the Host of the request (localhost here).
    assert f'href="{page}"' in html and "localhost" not in html + text
    assert f"{SITE}/videos?q=storm" in text

    # Published again (after an unpublish), or the task run again: nothing more.
    staff_client.action(video, "unpublish")
    staff_client.action(video, "publish")
    tasks.video_published(video.id)
    assert len(mailbox.to(ADA)) == 1
    # A second matching video is a second mail, about it alone.
    second = make_video(slug="storm-2", title_en="Storm over the bay", title_fr="Orage")
    staff_client.action(second, "publish")
    messages = mailbox.wait_for(ADA, 2)
    assert "Storm over the bay" in text_part(messages[1])
    assert "Storm in the harbour" not in text_part(messages[1])
    assert db.session.execute(db.select(db.func.count(AlertItem.id))).scalar() == 2


def test_each_saved_search_gets_the_video_once(app, reader, staff_client, make_video, mailbox):
    save_search(reader, "q=storm", name="Storms")
    save_search(reader, "q=harbour", name="Harbour")
    save_search(reader, "q=storm", name="Storms again")  # the same query, another search
    video = make_video()
    staff_client.action(video, "publish")
    messages = mailbox.wait_for(ADA, 3)
    subjects = sorted(m["Subject"] for m in messages)
    assert subjects == [
        "A new video for your search “Harbour”",
        "A new video for your search “Storms again”",
        "A new video for your search “Storms”",
    ]
    assert len({m["List-Unsubscribe"] for m in messages}) == 3


def test_the_mail_is_in_the_language_of_the_search(app, reader, staff_client, make_video, mailbox):
    save_search(reader, "tag=weather", name="Météo", language="fr")
    staff_client.action(make_video(tags=["weather"], summary_fr="Des vagues énormes."), "publish")
    (message,) = mailbox.wait_for(ADA)
    assert message["Subject"] == "Une nouvelle vidéo pour votre recherche «\u00a0Météo\u00a0»"
    text = text_part(message)
    assert "Tempête sur le port" in text and "Des vagues énormes." in text
    assert "Storm in the harbour" not in text


def test_one_click_unsubscribe_and_its_confirmation_page(
    app, reader, client, staff_client, make_video, mailbox
):
    search = save_search(reader, "q=storm", name="Storms")
    staff_client.action(make_video(), "publish")
    path = _unsubscribe_path(mailbox.wait_for(ADA)[0])
    # No session: the link works from any mail client.
    page = client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "“Storms”" in page.get_data(as_text=True)
    db.session.refresh(search)
    assert search.alerts_on  # a GET (a link scanner) changes nothing
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})  # RFC 8058, no CSRF
    assert response.status_code == 200
    db.session.refresh(search)
    assert not search.alerts_on
    again = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200  # idempotent
    # a person's click on the page's button is redirected (POST/redirect/GET)
    clicked = client.post(path)
    assert clicked.status_code == 303 and clicked.headers["Location"].endswith(path)
    shown = client.get(path, headers={"Accept-Language": "en"})
    assert shown.status_code == 200  # the page says the alerts are off (below)
    staff_client.action(make_video(slug="storm-2", title_en="Storm again"), "publish")
    assert len(mailbox.to(ADA)) == 1
    page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "no more e-mail alerts" in page


def test_a_bad_unsubscribe_link_is_a_400(app, client, reader):
    search = save_search(reader, "q=storm")
    for token in ("nope", "W10.bad", str(search.id)):
        response = client.get(f"/alerts/unsubscribe/{token}", headers={"Accept-Language": "en"})
        assert response.status_code == 400
        assert "This unsubscribe link is not valid." in response.get_data(as_text=True)
        assert client.post(f"/alerts/unsubscribe/{token}").status_code == 400
    db.session.refresh(search)
    assert search.alerts_on


def test_a_newsletter_token_does_not_open_an_alert(app, client, reader):
    subscriber = Subscriber(email=ADA, status="active")
    db.session.add(subscriber)
    db.session.commit()
    token = newsletter.unsubscribe_token(subscriber)
    assert client.post(f"/alerts/unsubscribe/{token}").status_code == 400


def test_digest_goes_out_once_a_day_at_the_hour(
    app, reader, staff_client, make_video, mailbox, set_clock
):
    app.config["ALERT_DIGEST_HOUR"] = 9
    day = (datetime.utcnow() + timedelta(days=2)).replace(hour=0, minute=0, microsecond=0)
    set_clock(day.replace(hour=8, minute=30))
    save_search(reader, "q=storm", name="Storms", frequency="daily")
    staff_client.action(make_video(), "publish")
    staff_client.action(make_video(slug="storm-2", title_en="Storm over the bay"), "publish")
    tasks.alert_digests()
    assert mailbox.to(ADA) == []  # before the hour

    set_clock(day.replace(hour=9, minute=0, second=30))
    tasks.alert_digests()
    (digest,) = mailbox.wait_for(ADA)
    assert digest["Subject"] == "2 new videos for your search “Storms”"
    text = text_part(digest)
    assert "Storm in the harbour" in text and "Storm over the bay" in text
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    tasks.alert_digests()
    set_clock(day.replace(hour=15))
    tasks.alert_digests()
    assert len(mailbox.to(ADA)) == 1  # once a day

    staff_client.action(make_video(slug="storm-3", title_en="Storm at night"), "publish")
    tasks.alert_digests()
    set_clock(day.replace(hour=8, minute=59) + timedelta(days=1))
    tasks.alert_digests()
    assert len(mailbox.to(ADA)) == 1  # the next digest waits for the next day's hour
    set_clock(day.replace(hour=9, minute=1) + timedelta(days=1))
    tasks.alert_digests()
    messages = mailbox.wait_for(ADA, 2)
    assert messages[1]["Subject"] == "A new video for your search “Storms”"
    assert "Storm at night" in text_part(messages[1])
    assert "Storm in the harbour" not in text_part(messages[1])


def test_a_mail_server_failure_keeps_the_videos_for_the_next_try(
    app, reader, staff_client, make_video, mailbox
):
    search = save_search(reader, "q=storm", name="Storms", frequency="daily")
    staff_client.action(make_video(), "publish")
    item = db.session.execute(db.select(AlertItem)).scalar_one()
    port = app.config["MAIL_PORT"]
    app.extensions["mail"].port = 1  # nothing listens there
    try:
        with pytest.raises(MailError):
            delivery.send_pending(search.id)
    finally:
        app.extensions["mail"].port = port
    db.session.refresh(item)
    assert (item.status, item.claim) == ("pending", None)
    assert delivery.send_pending(search.id) == 1
    assert delivery.send_pending(search.id) == 0
    db.session.refresh(item)
    assert item.status == "sent" and item.sent_at is not None
    assert len(mailbox.wait_for(ADA)) == 1


def test_deleting_the_account_or_the_video_removes_its_alert_rows(
    app, reader, staff_client, make_video, mailbox
):
    save_search(reader, "q=storm", frequency="daily")
    video = make_video()
    staff_client.action(video, "publish")
    delete_video(video)
    assert db.session.execute(db.select(db.func.count(AlertItem.id))).scalar() == 0
    user = reader.user
    db.session.delete(db.session.merge(user))
    db.session.commit()
    assert db.session.execute(db.select(db.func.count(SavedSearch.id))).scalar() == 0
