"""Fixtures for the clip tests: a published video with a real master, users, JSON posts.

The masters come from tests/mediagen.py (Debian ffmpeg); the cuts are real, made by
app/media/cut/ (huey runs in immediate mode, so a request's job has finished
when the request returns).
"""

import os
import re
import shutil

import pytest

from app.clock import utcnow
from app.extensions import db
from tests.mediagen import master, media_dir  # noqa: F401  (fixtures)

MASTERS = {
    # kind: (fps_num, fps_den, frame_count, start timecode)
    "h264_closed": (25, 1, 75, "10:00:00:00"),
    "h264_2997df": (30000, 1001, 90, "10:00:00;00"),
    "prores": (25, 1, 50, "10:00:00:00"),
    "two_stereo": (25, 1, 50, "10:00:00:00"),
}

CSRF_META_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def make_video(app, master):  # noqa: F811
    """make_video(kind="h264_closed", published=True, slug=...) -> Video with its master
    copied under MEDIA_ROOT/masters/."""
    from app.models import Video, VideoText

    def make(kind="h264_closed", published=True, slug="harbour-storm", **fields):
        place, terms = fields.pop("location", ""), fields.pop("usage_terms", "")
        fps_num, fps_den, frames, start_tc = MASTERS[kind]
        source = master(kind)
        relative = f"masters/{kind}-{slug}{source.suffix}"
        dest = os.path.join(app.config["MEDIA_ROOT"], relative)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(source, dest)
        video = Video(
            slug=slug,
            status="ready",
            published=published,
            published_at=utcnow() if published else None,
            master_path=relative,
            original_filename=source.name,
            master_size=os.path.getsize(dest),
            fps_num=fps_num,
            fps_den=fps_den,
            frame_count=frames,
            duration=frames * fps_den / fps_num,
            width=384,
            height=216,
            start_timecode=start_tc,
            **fields,
        )
        video.texts = [
            VideoText(lang=lang, title=title, summary=summary, location=place, usage_terms=terms)
            for lang, title, summary in (
                ("fr", "Tempête sur le port", "Des vagues."),
                ("en", "Storm in the harbour", "Waves."),
            )
        ]
        db.session.add(video)
        db.session.commit()
        return video

    return make


@pytest.fixture
def downloader(make_user):
    """A verified user who accepted the usage terms."""
    return make_user(email="ada@example.org", terms_accepted_at=utcnow(), language="en")


def sign_in(client, user):
    """Log `user` in on `client` as Flask-Login does (independent of the login form)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True


def sign_out(client):
    with client.session_transaction() as session:
        session.clear()


@pytest.fixture
def logged_in(client, downloader):
    sign_in(client, downloader)
    return downloader


def csrf_token_of(client, path="/terms"):
    html = client.get(path).get_data(as_text=True)
    match = CSRF_META_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def post_clip(client):
    """post_clip(video_id, json=... | data=..., lang="en") with a valid CSRF token."""

    def post(video_id, json=None, data=None, lang="en", token=True):
        headers = {"Accept-Language": lang, "Accept": "application/json"}
        csrf = csrf_token_of(client) if token else None
        if json is not None:
            if csrf:
                headers["X-CSRFToken"] = csrf
            return client.post(f"/videos/{video_id}/clips", json=json, headers=headers)
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = csrf
        return client.post(f"/videos/{video_id}/clips", data=form, headers=headers)

    return post


@pytest.fixture
def cut_calls(monkeypatch):
    """Counts the engine's cuts (the real engine still does the work)."""
    from app.media import cut

    calls = []
    real_cut = cut.cut

    def counting_cut(*args, **kwargs):
        calls.append(args)
        return real_cut(*args, **kwargs)

    monkeypatch.setattr(cut, "cut", counting_cut)
    return calls


def count_frames(path):
    import subprocess

    out = subprocess.run(
        [
            "/usr/bin/ffprobe",
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return int(out.stdout.strip().split(",")[0])
