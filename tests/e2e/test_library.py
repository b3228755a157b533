"""The library in Chromium: a verified user searches, opens the video, seeks through the
shot list and downloads the master (usage terms accepted at sign-up)."""

import os
import subprocess

import pytest

from app.extensions import db
from tests.conftest import PASSWORD
from tests.library.conftest import MASTER_BYTES, make_video  # noqa: F401  (fixture)
from tests.mediagen import make_master

pytestmark = pytest.mark.e2e


def _sprite_and_vtt(app, video):
    """A real 2-tile thumbnail sprite and its WebVTT index, as ingest writes them."""
    root = app.config["MEDIA_ROOT"]
    sprite = os.path.join(root, video.thumbs_path)
    subprocess.run(
        [
            "/usr/bin/ffmpeg", "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=1:duration=2",
            "-vf", "tile=2x1", "-frames:v", "1", sprite,
        ],
        check=True,
    )  # fmt: skip
    with open(os.path.join(root, video.thumbs_path[:-4] + ".vtt"), "w") as f:
        f.write(
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nthumbs.jpg#xywh=0,0,160,90\n\n"
            "00:00:01.500 --> 00:00:03.000\nthumbs.jpg#xywh=160,0,160,90\n"
        )


def test_search_open_seek_and_download(
    page,
    live_server,
    app,
    make_video,  # noqa: F811  (the fixture imported above)
    make_user,
    tmp_path,
):
    proxy = make_master("h264_closed", tmp_path)  # H.264/AAC MP4, 3 s: what the player gets
    video = make_video(
        title_fr="Réunion des ministres de la Défense",
        title_en="Defence ministers meet",
        shots_fr="10:00:00:00 PLAN LARGE salle de réunion\n"
        "10:00:02:00 SOUNDBITE (French) La ministre des Armées",
        proxy_bytes=proxy.read_bytes(),
        slug="reunion-ministres-defense",
    )
    video.duration = 3.0
    db.session.commit()
    _sprite_and_vtt(app, video)
    make_video(
        title_fr="Inondations dans le sud-ouest",
        title_en="Floods",
        summary_fr="Crue de la Garonne.",
        summary_en="The river floods.",
        shots_fr="",
        shots_en="",
    )
    make_user(email="ada@example.org")

    # Log in (French browser), then search without the accent.
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=email]", "ada@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/")
    page.fill("#search-q", "defense ministre")
    page.locator(".search-row button[type=submit]").click()
    page.wait_for_url("**/videos?q=defense+ministre*")
    assert "sort=date" not in page.url
    cards = page.locator(".video-card-title")
    assert cards.count() == 1
    assert cards.first.inner_text() == "Réunion des ministres de la Défense"

    cards.first.click()
    page.wait_for_url(f"**/videos/{video.id}-reunion-ministres-defense")
    assert page.locator("h1").inner_text() == "Réunion des ministres de la Défense"
    player = page.locator("#player")
    page.wait_for_function("document.getElementById('player').readyState >= 1", timeout=15000)

    # One timeline under the picture: the browser's own (no second scrub bar of ours).
    assert player.evaluate("v => v.controls") is True
    assert page.locator(".player input[type=range], [data-scrub]").count() == 0

    # The shot list seeks the player.
    assert player.evaluate("v => v.currentTime") == 0
    page.get_by_role("button", name="Lire à partir de 10:00:02:00").click()
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 2) < 0.05")

    # The usage terms were accepted at sign-up (no newer version is published): the
    # panel offers the files at once.
    panel = page.locator("#download")
    assert panel.locator("form.terms-form").count() == 0
    with page.expect_download() as info:
        panel.locator("a[data-download=original]").click()
    download = info.value
    assert download.suggested_filename == "2026-03-14_reunion-ministres-defense_original.mov"
    saved = tmp_path / "received.mov"
    download.save_as(saved)
    assert saved.read_bytes() == MASTER_BYTES

    # The download is in the user's history.
    page.goto(f"{live_server.url}/account/downloads")
    assert "Réunion des ministres de la Défense" in page.locator("table").inner_text()
