"""Two app instances (two processes in production) sharing one Redis cache: an edit made
through either is seen by both at once, while unchanged pages come from the cache."""

import re
import secrets

import pytest
import redis

import config
from app import create_app
from app.extensions import db
from app.models import Video, VideoText

REDIS_URL = "redis://127.0.0.1:6379/15"
EN = {"Accept-Language": "en"}


def _redis_answers():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(), reason="no Redis at 127.0.0.1:6379")


@pytest.fixture
def two_apps(app, app_config):
    prefix = f"rushes-test-{secrets.token_hex(4)}:"
    settings = dict(
        app_config,
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=prefix,
        LIBRARY_CACHE_SECONDS=300,
        LIBRARY_CARD_CACHE_SECONDS=300,
    )
    apps = [create_app(config.TestConfig, **settings) for _ in range(2)]
    yield apps
    for each in apps:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()
    server = redis.Redis.from_url(REDIS_URL)
    keys = list(server.scan_iter(f"{prefix}*"))
    if keys:
        server.delete(*keys)


def titles(application):
    with application.app_context():
        html = application.test_client().get("/videos", headers=EN).get_data(as_text=True)
    return re.findall(r'class="video-card-title"[^>]*>([^<]+)<', html)


def test_an_edit_in_one_process_is_seen_by_the_other_at_once(two_apps):
    one, two = two_apps
    with one.app_context():
        video = Video(slug="floods", status="ready", published=True)
        video.published_at = db.func.now()
        video.texts = [VideoText(lang="en", title="First title")]
        db.session.add(video)
        db.session.commit()
        video_id = video.id
    assert titles(one) == ["First title"]
    assert titles(two) == ["First title"]

    # Behind the ORM's back: both keep showing what the shared cache holds.
    with one.app_context():
        db.session.execute(db.text("UPDATE video_texts SET title = 'Sneaky'"))
        db.session.commit()
    assert titles(one) == ["First title"]
    assert titles(two) == ["First title"]

    # Through the ORM in the second app: the first sees it at once.
    with two.app_context():
        text = db.session.execute(
            db.select(VideoText).filter_by(video_id=video_id, lang="en")
        ).scalar_one()
        text.title = "Edited"
        db.session.commit()
    assert titles(one) == ["Edited"]
    assert titles(two) == ["Edited"]

    with one.app_context():
        db.session.get(Video, video_id).published = False
        db.session.commit()
    assert titles(two) == []
