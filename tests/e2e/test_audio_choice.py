"""Choosing audio tracks in the clip editor, in Chromium: the tracks are listed with what
staff call them, a choice of none is refused on the page, and a clip of the whole video
with the voice-over only downloads with that one stream."""

import json
import os
import subprocess

import pytest

from app.clock import utcnow
from app.extensions import db
from app.media.probe import probe
from app.models import AudioLabel, Rendition
from tests.clips.conftest import make_video, master, media_dir  # noqa: F401
from tests.e2e.test_clips import _open, _sign_in, _wait_until
from tests.mediagen import FFMPEG, ffprobe_json

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_track_page(app, make_video, master):  # noqa: F811
    video = make_video("two_stereo", media_info=probe(master("two_stereo")).to_dict())
    root = app.config["MEDIA_ROOT"]
    proxy = f"videos/{video.id}/proxy.mp4"
    os.makedirs(os.path.join(root, f"videos/{video.id}"), exist_ok=True)
    subprocess.run(  # a web proxy Chromium plays: the master's pictures, AAC sound
        [FFMPEG, "-nostdin", "-v", "error", "-y", "-i", os.path.join(root, video.master_path)]
        + ["-map", "0:v", "-map", "0:a:0", "-c:v", "copy", "-c:a", "aac"]
        + [os.path.join(root, proxy)],
        check=True,
        timeout=60,
    )
    video.renditions.append(Rendition(name="proxy", path=proxy, size=1, width=384, height=216))
    video.audio_labels = [
        AudioLabel(track="1", lang="fr", label="Son international"),
        AudioLabel(track="2", lang="fr", label="Voix off (français)"),
        AudioLabel(track="2", lang="en", label="French voice-over"),
    ]
    db.session.commit()
    return video, f"/videos/{video.id}-{video.slug}"


@pytest.mark.parametrize(
    ("lang", "locale", "no_audio", "names", "download"),
    [
        ("fr", "fr-FR", "Choisissez au moins une piste audio.", "Audio 2 — Voix off (français)",
         "Télécharger cet extrait"),
        ("en", "en-GB", "Choose at least one audio track.", "Audio 2 — French voice-over",
         "Download this clip"),
    ],
)  # fmt: skip
def test_the_voice_over_only_of_the_whole_video(
    browser, app, live_server, make_user, two_track_page, lang, locale, no_audio, names, download
):
    video, path = two_track_page
    user = make_user(email=f"{lang}@example.org", terms_accepted_at=utcnow(), language=lang)
    context = browser.new_context(locale=locale, accept_downloads=True)
    context.set_default_timeout(15000)
    _sign_in(app, context, live_server, user)
    page = context.new_page()
    _open(page, live_server, path)

    boxes = page.locator('[data-clip-audio] input[name="audio"]')
    assert boxes.count() == 2
    assert all(boxes.nth(i).is_checked() for i in range(2))
    legend = page.locator("[data-clip-audio]").text_content()
    assert "Son international" in legend  # no English name: the French one, not nothing
    assert names.split(" — ")[1] in legend

    # No track at all: said on the page, nothing sent.
    posts = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    boxes.nth(0).uncheck()
    boxes.nth(1).uncheck()
    page.get_by_role("button", name=download).click()
    _wait_until(page, "document.querySelector('[data-clip-message]').textContent.length > 0")
    assert page.text_content("[data-clip-message]") == no_audio
    assert posts == []

    # The voice-over only, with no in or out marked: the whole video.
    boxes.nth(1).check()
    with page.expect_request(lambda r: r.method == "POST" and "/clips" in r.url) as sent:
        page.get_by_role("button", name=download).click()
    assert json.loads(sent.value.post_data) == {"in_frame": 0, "out_frame": 50, "audio": ["2"]}
    item = page.locator("[data-clip-list] [data-clip-item]").first
    link = item.locator('[data-field="download"]')
    link.wait_for(state="visible", timeout=120000)
    assert item.locator('[data-field="audio"]').is_visible()
    assert names in item.locator('[data-field="audio"]').text_content()
    with page.expect_download() as got:
        link.click()
    saved = got.value.path()
    assert got.value.suggested_filename.endswith("_audio-2.mov")
    streams = ffprobe_json(saved)["streams"]
    assert [s["codec_type"] for s in streams if s["codec_type"] != "data"] == ["video", "audio"]
    context.close()
