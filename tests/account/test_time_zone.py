"""A user chooses the time zone of the dates and times shown: the download history, and
the mail that says when their password changed, name it and use it."""

from datetime import datetime

from app.extensions import db
from app.models import Download, User
from tests.account.test_account import _post

PROFILE = {"full_name": "Ada King", "organisation": "Difference Daily", "language": "en"}


def _user():
    db.session.expire_all()
    return db.session.execute(db.select(User)).scalars().first()


def test_a_chosen_time_zone_is_used_and_named(client, make_video, verified):
    video = make_video(title_en="Defence ministers meet")
    db.session.add(
        Download(
            user_id=verified.id,
            video_id=video.id,
            rendition="master",
            bytes_sent=5,
            created_at=datetime(2026, 7, 1, 20, 30),  # UTC
        )
    )
    db.session.commit()
    page = client.get("/account/downloads").get_data(as_text=True)
    assert "01/07/2026, 20:30" in page and "UTC" in page
    response = _post(client, "/account/profile", {**PROFILE, "timezone": "America/New_York"})
    assert response.status_code == 302
    assert _user().timezone == "America/New_York"
    page = client.get("/account/downloads").get_data(as_text=True)
    assert "01/07/2026, 16:30" in page and "America/New_York" in page  # EDT, UTC-4 in July
    account = client.get("/account/").get_data(as_text=True)
    assert '<option selected value="America/New_York">' in account or (
        'value="America/New_York" selected' in account
    )
    # back to the site's
    _post(client, "/account/profile", {**PROFILE, "timezone": ""})
    assert _user().timezone is None


def test_an_unknown_time_zone_is_a_clear_400_and_nothing_changes(client, verified):
    for bad in ("Mars/Olympus", "../../etc/passwd", "x" * 300):
        response = _post(client, "/account/profile", {**PROFILE, "timezone": bad})
        assert response.status_code == 400
        assert "Choose one of the time zones offered." in response.get_data(as_text=True)
    assert _user().timezone is None
