"""Fixtures of the API and feed tests: videos with real masters (tests/clips/conftest.py),
their files (poster, proxy, a download rendition), tokens and bearer headers."""

import os

import pytest

from app.api import tokens
from app.extensions import db
from app.models import Rendition, Tag
from tests.clips.conftest import downloader, logged_in, make_video, master, media_dir  # noqa: F401


def _write(app, relative, size):
    path = os.path.join(app.config["MEDIA_ROOT"], relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(b"\0" * size)
    return relative


@pytest.fixture
def library_video(app, make_video):  # noqa: F811
    """make_library_video(slug=..., tags=[...], **fields): a published video with a
    poster, a web proxy and an "fhd" download rendition on disk, credit and terms."""

    def make(slug="harbour-storm", tags=("weather", "sea"), **fields):
        fields.setdefault("credit", "Harbour TV & Co <pool>")
        fields.setdefault("usage_terms", "News use only; no archive sales.")
        fields.setdefault("location", "Brest")
        video = make_video(slug=slug, **fields)
        base = f"videos/{video.id}"
        video.poster_path = _write(app, f"{base}/poster.jpg", 100)
        video.renditions = [
            Rendition(
                name="proxy",
                path=_write(app, f"{base}/proxy.mp4", 2000),
                size=2000,
                width=384,
                height=216,
                bit_rate=500_000,
            ),
            Rendition(
                name="fhd",
                path=_write(app, f"{base}/fhd.mp4", 3000),
                size=3000,
                width=384,
                height=216,
                bit_rate=900_000,
            ),
        ]
        for name in tags:
            tag = db.session.execute(db.select(Tag).filter_by(name=name)).scalar_one_or_none()
            video.tags.append(tag or Tag(name=name))
        by_lang = {t.lang: t for t in video.texts}
        by_lang["fr"].shot_list = "10:00:00:00 Vagues sur la digue\n10:00:01:00 Bateau"
        by_lang["en"].shot_list = "10:00:00:00 Waves on the pier\n10:00:01:00 Boat"
        db.session.commit()
        return video

    return make


@pytest.fixture
def token_of():
    """token_of(user, name="test") -> the token string (its row holds only the hash)."""

    def make(user, name="test"):
        return tokens.create_token(user, name)[1]

    return make


@pytest.fixture
def api_token(downloader, token_of):  # noqa: F811
    return token_of(downloader)


@pytest.fixture
def bearer(api_token):
    return {"Authorization": f"Bearer {api_token}", "Accept-Language": "en"}
