"""The clip editor as editors expect it (issue 12), in Chromium:

- the out point marked (O, or the button) is the last frame of the clip, included: the
  duration shown is out - in + 1 frames, and the editor posts out_frame = out + 1 (the
  API's exclusive out);
- "Download the clip" is neither shown nor clickable while the clip is queued or cut,
  and appears within half a second of the end of the cut (a steady 250 ms poll); the
  progress is announced in a polite live region.
"""

import os
import time

import pytest

from app.clock import utcnow
from app.extensions import db
from tests.clips.conftest import make_video, master, media_dir  # noqa: F401
from tests.e2e.test_clips import _open, _seeked, _sign_in, _wait_until, video_page  # noqa: F401

pytestmark = pytest.mark.e2e

WORDS = {
    "fr": {"locale": "fr-FR", "set_in": "Définir l'entrée", "set_out": "Définir la sortie",
           "frames": "images", "download": "Télécharger cet extrait",
           "queued": "En attente", "ready": "Votre extrait est prêt."},
    "en": {"locale": "en-GB", "set_in": "Set in point", "set_out": "Set out point",
           "frames": "frames", "download": "Download this clip",
           "queued": "Queued", "ready": "Your clip is ready."},
}  # fmt: skip


@pytest.fixture
def tab(request, browser, app, live_server, make_user):
    """(page, user, words) of a signed-in user whose interface is in `request.param`."""
    lang = request.param
    user = make_user(email=f"{lang}@example.org", terms_accepted_at=utcnow(), language=lang)
    context = browser.new_context(locale=WORDS[lang]["locale"], accept_downloads=True)
    context.set_default_timeout(15000)
    _sign_in(app, context, live_server, user)
    yield context.new_page(), user, WORDS[lang]
    context.close()


@pytest.mark.parametrize("tab", ["fr", "en"], indirect=True)
def test_the_out_point_marked_is_the_last_frame_of_the_clip(tab, live_server, video_page):  # noqa: F811
    page, _, words = tab
    video, path = video_page
    _open(page, live_server, path)
    page.locator("body").click(position={"x": 5, "y": 5})

    # In at frame 30 (10:00:01:05) with the key, out at frame 40 (10:00:01:15) with the
    # button (English) or the key (French), both from the frame on screen.
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    _seeked(page, "10:00:01:05")
    page.keyboard.press("i")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    _seeked(page, "10:00:01:15")
    if words["locale"] == "en-GB":
        page.get_by_role("button", name=words["set_out"]).click()
    else:
        page.keyboard.press("o")
    assert page.input_value("#clip-in") == "10:00:01:05"
    assert page.input_value("#clip-out") == "10:00:01:15"  # the frame on screen, included
    assert page.text_content("[data-clip-duration]") == f"00:00:00:11 · 11 {words['frames']}"
    handle = page.locator('[data-clip-handle="out"]')
    assert handle.get_attribute("aria-valuenow") == "40"
    assert handle.get_attribute("aria-valuetext") == "10:00:01:15"

    # "Go to out" shows that frame: it is in the clip.
    page.locator('[data-action="go-in"]').click()
    _seeked(page, "10:00:01:05")
    page.locator('[data-action="go-out"]').click()
    _seeked(page, "10:00:01:15")

    # What is sent keeps the API's convention: out_frame = the marked out + 1.
    with page.expect_request(lambda r: r.method == "POST" and "/clips" in r.url) as sent:
        page.get_by_role("button", name=words["download"]).click()
    assert sent.value.post_data_json == {"in_frame": 30, "out_frame": 41}
    item = page.locator("[data-clip-list] [data-clip-item]").first
    item.locator('[data-field="download"]').wait_for(state="visible", timeout=120000)
    assert f"11 {words['frames']}" in item.text_content()
    assert "10:00:01:05 → 10:00:01:15" in item.text_content()

    # A typed out timecode is the last frame included too.
    page.fill("#clip-out", "10:00:01:09")
    page.press("#clip-out", "Enter")
    assert page.text_content("[data-clip-duration]") == f"00:00:00:05 · 5 {words['frames']}"
    assert handle.get_attribute("aria-valuetext") == "10:00:01:09"


def _clip_request(app, video, user, status="queued"):
    from app.models import Clip, ClipRequest

    clip = Clip(video_id=video.id, in_frame=10, out_frame=35, status=status, queued_at=utcnow())
    db.session.add(clip)
    db.session.flush()
    request = ClipRequest(clip_id=clip.id, user_id=user.id)
    db.session.add(request)
    db.session.commit()
    return clip, request


def _finish(app, clip):
    relative = f"clips/{clip.video_id}/{clip.video_id}-{clip.in_frame}-{clip.out_frame}.mp4"
    path = os.path.join(app.config["MEDIA_ROOT"], relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\0" * 2048)
    clip.status, clip.path, clip.size, clip.progress = "done", relative, 2048, 1.0
    clip.finished_at = utcnow()
    db.session.commit()


@pytest.mark.parametrize("tab", ["fr", "en"], indirect=True)
def test_the_download_button_waits_for_the_cut_then_comes_at_once(
    tab,
    app,
    live_server,
    video_page,  # noqa: F811
):
    page, user, words = tab
    video, path = video_page
    clip, _ = _clip_request(app, video, user)
    _open(page, live_server, path)
    item = page.locator("[data-clip-list] [data-clip-item]").first
    link = item.locator('[data-field="download"]')

    # Queued: the state is shown, the link is neither shown nor clickable.
    assert item.locator('[data-field="state"]').text_content() == words["queued"]
    assert not link.is_visible()
    assert link.evaluate("a => getComputedStyle(a).display") == "none"
    assert link.get_attribute("href") is None
    progress = item.locator('[data-field="progress"]')
    assert progress.get_attribute("aria-label")

    # Being cut, half way: still no link; the bar says how far, in words too.
    clip.status, clip.progress, clip.started_at = "running", 0.5, utcnow()
    clip.heartbeat_at = utcnow()
    db.session.commit()
    _wait_until(page, "document.querySelector('[data-clip-item]').dataset.status === 'running'")
    assert "50" in progress.get_attribute("aria-valuetext")
    assert not link.is_visible() and link.get_attribute("href") is None
    live = page.locator("[data-clip-message]")
    assert live.get_attribute("aria-live") == "polite"
    _wait_until(page, "document.querySelector('[data-clip-message]').textContent.includes('50')")

    # Done: the link comes within half a second (the poll runs every 250 ms).
    page.wait_for_timeout(1500)  # the old poll had slowed down to about a second by now
    _finish(app, clip)
    done_at = time.monotonic()
    deadline = done_at + 5
    while not link.is_visible():
        assert time.monotonic() < deadline, "the download link never came"
        page.wait_for_timeout(20)
    waited = time.monotonic() - done_at
    assert waited <= 0.5, f"the link came {waited:.2f} s after the cut"
    assert link.get_attribute("href").endswith("/download")
    _wait_until(
        page, f"document.querySelector('[data-clip-message]').textContent === {words['ready']!r}"
    )
