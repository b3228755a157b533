"""Fixtures of the caption tests: a published video row at 25 fps starting at 10:00:00:00
(no media needed), a staff client that uploads caption files from the edit page."""

import io
import os

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import Rendition, Video, VideoText
from tests.helpers import csrf_token, staff_client


@pytest.fixture
def video(app):
    item = Video(
        slug="harbour-storm",
        status="ready",
        published=True,
        published_at=utcnow(),
        fps_num=25,
        fps_den=1,
        frame_count=250,  # 10 s
        duration=10.0,
        start_timecode="10:00:00:00",
    )
    item.texts = [
        VideoText(lang="fr", title="Tempête sur le port"),
        VideoText(lang="en", title="Storm in the harbour"),
    ]
    db.session.add(item)
    db.session.commit()
    # A proxy file (any bytes: the page only needs it to be there) for the player.
    relative = f"videos/{item.id}/proxy.mp4"
    os.makedirs(os.path.join(app.config["MEDIA_ROOT"], f"videos/{item.id}"), exist_ok=True)
    with open(os.path.join(app.config["MEDIA_ROOT"], relative), "wb") as out:
        out.write(b"\0" * 16)
    item.renditions.append(Rendition(name="proxy", path=relative, size=16))
    db.session.commit()
    return item


@pytest.fixture
def staff(app, make_user):
    client = staff_client(app, make_user)

    def upload(video, body, lang="fr", name="captions.srt", allow_overlap=False):
        token = csrf_token(client.get(f"/admin/videos/{video.id}").get_data(as_text=True))
        data = {"csrf_token": token, "lang": lang, "file": (io.BytesIO(body), name)}
        if allow_overlap:
            data["allow_overlap"] = "y"
        return client.post(
            f"/admin/videos/{video.id}/captions",
            data=data,
            content_type="multipart/form-data",
            follow_redirects=True,
        )

    client.upload = upload
    return client
