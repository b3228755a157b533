"""Fixtures of the alert tests: videos without media (a poster file only), a staff
client that publishes through the admin pages, a reader's client, the clock set to a
given moment."""

import os
from datetime import datetime

import pytest

import app.clock as app_clock
from app.extensions import db
from app.models import Tag, Video, VideoText
from tests.conftest import PASSWORD
from tests.helpers import csrf_token, post_form


def logged_in_client(app, email):
    client = app.test_client()
    response = post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


@pytest.fixture
def make_video(app):
    """make_video(slug, title_en, title_fr, ...): a ready, unpublished video with a poster."""

    def make(slug="storm", title_en="Storm in the harbour", title_fr="Tempête sur le port", **kw):
        video = Video(slug=slug, status="ready", published=False)
        place = kw.get("location", "")
        video.texts = [
            VideoText(
                lang="en",
                title=title_en,
                summary=kw.get("summary_en", "Waves on the pier."),
                location=place,
            ),
            VideoText(
                lang="fr",
                title=title_fr,
                summary=kw.get("summary_fr", "Des vagues."),
                location=place,
            ),
        ]
        for name in kw.get("tags", ()):
            tag = db.session.execute(db.select(Tag).filter_by(name=name)).scalar_one_or_none()
            video.tags.append(tag or Tag(name=name))
        db.session.add(video)
        db.session.commit()
        video.poster_path = f"videos/{video.id}/poster.jpg"
        path = os.path.join(app.config["MEDIA_ROOT"], video.poster_path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(b"\xff\xd8\xff\xd9")
        db.session.commit()
        return video

    return make


@pytest.fixture
def staff_client(app, make_user):
    make_user(email="staff@example.org", staff=True, language="en")
    client = logged_in_client(app, "staff@example.org")

    def action(video, name, **headers):
        token = csrf_token(client.get("/admin/videos").get_data(as_text=True))
        response = client.post(
            f"/admin/videos/{video.id}/{name}", data={"csrf_token": token}, headers=headers
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return response

    client.action = action
    return client


@pytest.fixture
def reader(app, make_user):
    """Ada, who reads English, logged in."""
    user = make_user(email="ada@example.org", language="en")
    client = logged_in_client(app, "ada@example.org")
    client.user = user
    return client


@pytest.fixture
def set_clock(clock):
    """set_clock(datetime): the app's clock reads that moment (naive UTC) now."""

    def set_to(moment: datetime):
        app_clock._offset = app_clock._offset + (moment - app_clock.utcnow())

    return set_to
