"""The clip editor in Chromium: keyboard, shot list, sliders, copy link, download.

The video page is the library's (`library/video.html` includes the editor); until a
page with the editor exists in the app, the test serves a minimal page of its own that
includes the same partial beside a player and a shot list.
"""

import os
import shutil
import subprocess
import time

import pytest

from app.clock import utcnow
from app.extensions import db
from tests.clips.conftest import count_frames, make_video, master, media_dir  # noqa: F401

pytestmark = pytest.mark.e2e

SHOTS = [
    ("10:00:00:10", "Waves break on the jetty"),
    ("10:00:01:20", "Wide shot of the harbour"),
    ("10:00:02:10", "A boat leaves"),
]

PAGE = """{% extends "base.html" %}
{% block content %}
<h1>Storm in the harbour</h1>
<video id="player" controls preload="auto" src="/_clip_test/proxy/{{ video.id }}"></video>
<h2>Shot list</h2>
<ol class="shot-list">
{% for tc, text in shots %}<li class="shot" data-tc="{{ tc }}"><span class="tc">{{ tc }}</span> {{ text }}</li>{% endfor %}
</ol>
<div class="panel">{% include "clips/_editor.html" %}</div>
{% endblock %}
{% block scripts %}
<script src="{{ url_for('static', filename='js/timecode.js') }}" defer></script>
<script src="{{ url_for('static', filename='js/clip-editor.js') }}" defer></script>
{% endblock %}
"""


def _player_files(app, video):
    """A web proxy (the small H.264 master plays in Chromium), a thumbnail sprite and its
    WebVTT index, as ingest would leave them."""
    from app.models import Rendition

    root = app.config["MEDIA_ROOT"]
    folder = f"videos/{video.id}"
    os.makedirs(os.path.join(root, folder), exist_ok=True)
    proxy = f"{folder}/proxy.mp4"
    shutil.copyfile(os.path.join(root, video.master_path), os.path.join(root, proxy))
    sprite = f"{folder}/thumbs.jpg"
    subprocess.run(
        [
            "/usr/bin/ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-i",
            os.path.join(root, proxy),
            "-vf",
            "fps=1,scale=160:90,tile=3x1",
            "-frames:v",
            "1",
            os.path.join(root, sprite),
        ],
        check=True,
        timeout=60,
    )
    cues = "".join(
        f"00:00:0{i}.000 --> 00:00:0{i + 1}.000\nthumbs.jpg#xywh={160 * i},0,160,90\n\n"
        for i in range(3)
    )
    with open(os.path.join(root, f"{folder}/thumbs.vtt"), "w") as f:
        f.write("WEBVTT\n\n" + cues)
    video.thumbs_path = sprite
    video.renditions.append(Rendition(name="proxy", path=proxy, size=1, width=384, height=216))
    for text in video.texts:
        text.shot_list = "\n".join(f"{tc} {line}" for tc, line in SHOTS)
    db.session.commit()


@pytest.fixture
def video_page(app, make_video):  # noqa: F811
    """(video, path of its page: the library's video page, with the player, the shot list
    and the editor). Without the library's page, a minimal page of this test's own."""
    from flask import render_template_string

    from app.models import Video

    video = make_video("h264_closed")
    _player_files(app, video)
    if "library.video" in app.view_functions and os.path.exists(
        os.path.join(app.root_path, "..", "templates", "library", "video.html")
    ):
        return video, f"/videos/{video.id}-{video.slug}"

    from app.http.sendfile import send_media

    def page(video_id):
        v = db.session.get(Video, video_id)
        return render_template_string(PAGE, video=v, shots=SHOTS)

    def proxy(video_id):
        v = db.session.get(Video, video_id)
        path = os.path.join(app.config["MEDIA_ROOT"], v.master_path)
        return send_media(path, "proxy.mp4", as_attachment=False)

    app.add_url_rule("/_clip_test/video/<int:video_id>", "clip_test_page", page)
    app.add_url_rule("/_clip_test/proxy/<int:video_id>", "clip_test_proxy", proxy)
    return video, f"/_clip_test/video/{video.id}"


def _sign_in(app, context, live_server, user):
    """Put a logged-in session cookie into the browser context."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True
    cookie = client.get_cookie("session")
    context.add_cookies([{"name": "session", "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def signed_in(app, page, live_server, make_user):
    user = make_user(email="ada@example.org", terms_accepted_at=utcnow())
    _sign_in(app, page.context, live_server, user)
    return user


def _wait_until(page, expression, timeout=15.0):
    """Poll a JavaScript expression from Python: Playwright's wait_for_function polls
    with eval() inside the page, which the strict CSP forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def _open(page, live_server, path):
    page.goto(live_server.url + path)
    page.wait_for_selector(".clip-editor-ready")
    _wait_until(page, "document.getElementById('player').readyState >= 1")


def _seeked(page, frame):
    _wait_until(page, f"document.querySelector('[data-clip-now]').textContent.trim() === '{frame}'")


def test_keyboard_shot_list_and_download(page, live_server, signed_in, video_page, tmp_path):
    video, path = video_page
    _open(page, live_server, path)
    page.locator("body").click(position={"x": 5, "y": 5})  # focus the page, not a field

    # Keyboard: 5 frames, then one second, then I; one more second, then O.
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    _seeked(page, "10:00:01:05")
    page.keyboard.press("i")
    page.keyboard.press("Shift+ArrowRight")
    _seeked(page, "10:00:02:05")
    page.keyboard.press("o")
    assert page.input_value("#clip-in") == "10:00:01:05"
    # The out point marked is the last frame of the clip, included: 26 frames.
    assert page.input_value("#clip-out") == "10:00:02:05"
    assert page.text_content("[data-clip-duration]") == "00:00:01:01 · 26 images"
    page.keyboard.press("ArrowLeft")
    _seeked(page, "10:00:02:04")

    # « Utiliser ce plan » on the second shot: from its timecode to the next shot's.
    buttons = page.locator("[data-use-shot]")
    assert buttons.count() == 3
    assert buttons.nth(1).text_content() == "Utiliser ce plan"
    buttons.nth(1).click()
    assert page.input_value("#clip-in") == "10:00:01:20"
    assert page.input_value("#clip-out") == "10:00:02:09"  # the frame before the next shot

    # The out handle is a keyboard slider: two frames later.
    handle = page.locator('[data-clip-handle="out"]')
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    assert handle.get_attribute("aria-valuetext") == "10:00:02:11"
    assert page.input_value("#clip-out") == "10:00:02:11"

    # A typed timecode counts too.
    page.fill("#clip-in", "10:00:01:21")
    page.press("#clip-in", "Enter")
    assert page.get_attribute('[data-clip-handle="in"]', "aria-valuetext") == "10:00:01:21"

    page.click("text=Télécharger cet extrait")
    link = page.locator("[data-clip-list] [data-clip-item]").first.locator(
        '[data-field="download"]'
    )
    link.wait_for(state="visible", timeout=120000)  # the cut, on a busy machine
    item_text = page.text_content("[data-clip-list] [data-clip-item]")
    assert "10:00:01:21 → 10:00:02:11" in item_text  # in and out both included
    assert "16 images" in item_text
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith("_harbour-storm_10-00-01-21_10-00-02-11.mp4")
    saved = tmp_path / "clip.mp4"
    download.save_as(saved)
    assert count_frames(saved) == 16

    # The clip stays listed after a reload (the server writes the same out point).
    page.reload()
    page.wait_for_selector(".clip-editor-ready")
    assert "10:00:01:21 → 10:00:02:11" in page.text_content("[data-clip-list]")


def test_copy_link_reopens_the_selection(page, live_server, signed_in, video_page):
    video, path = video_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    _open(page, live_server, path)
    handle = page.locator('[data-clip-handle="in"]')
    handle.focus()
    handle.press("Shift+ArrowRight")  # one second
    handle.press("ArrowRight")
    page.click("text=Copier le lien")
    page.wait_for_selector("[data-clip-link-box]:not([hidden])")
    url = page.input_value("[data-clip-link]")
    assert "in=10%3A00%3A01%3A01" in url and "out=10%3A00%3A03%3A00" in url

    other = page.context.new_page()
    other.goto(url)
    other.wait_for_selector(".clip-editor-ready")
    assert other.input_value("#clip-in") == "10:00:01:01"
    assert other.input_value("#clip-out") == "10:00:02:24"  # the link's out is exclusive
    _wait_until(
        other, "document.querySelector('[data-clip-now]').textContent.trim() === '10:00:01:01'"
    )

    # Play in to out: playback stops on the last frame of the selection.
    other.click("text=Lire de l'entrée à la sortie")
    _wait_until(
        other,
        "document.getElementById('player').paused && "
        "document.querySelector('[data-clip-now]').textContent.trim() === '10:00:02:24'",
        timeout=20,
    )


def test_the_editor_in_english_with_a_pointer_drag(
    browser, app, live_server, make_user, video_page
):
    video, path = video_page
    user = make_user(email="ben@example.org", terms_accepted_at=utcnow(), language="en")
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    context.set_default_timeout(15000)
    try:
        _sign_in(app, context, live_server, user)
        page = context.new_page()
        _open(page, live_server, path)
        assert page.locator("text=Set in point").count() == 1
        assert page.locator("[data-use-shot]").first.text_content() == "Use this shot"
        # Drag the in handle to the middle of the timeline with the mouse.
        page.locator("[data-clip-timeline]").scroll_into_view_if_needed()
        box = page.locator("[data-clip-timeline]").bounding_box()
        handle = page.locator('[data-clip-handle="in"]').bounding_box()
        page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + 10, steps=5)
        page.mouse.up()
        frame = int(page.get_attribute('[data-clip-handle="in"]', "aria-valuenow"))
        assert 35 <= frame <= 40  # the middle of 75 frames
        # A reversed selection typed by hand is refused by the server with a message.
        page.fill("#clip-out", "10:00:00:05")
        page.press("#clip-out", "Enter")
        assert page.input_value("#clip-in") == "10:00:00:00"  # in moved back to the start
        page.click("text=Download this clip")
        link = page.locator("[data-clip-list] [data-clip-item]").first.locator(
            '[data-field="download"]'
        )
        link.wait_for(state="visible", timeout=120000)  # the cut, on a busy machine
        assert "6 frames" in page.text_content("[data-clip-list] [data-clip-item]")  # 0..5
    finally:
        context.close()


def test_proxy_plays_in_chromium(page, live_server, video_page):
    """Sanity check of the test page itself: Chromium decodes the H.264 player file."""
    video, path = video_page
    page.goto(live_server.url + path)
    _wait_until(page, "document.getElementById('player').readyState >= 1")
    duration = page.evaluate("document.getElementById('player').duration")
    assert abs(duration - 3.0) < 0.1


@pytest.mark.parametrize(
    ("num", "den", "start"),
    [(25, 1, "10:00:00:00"), (30000, 1001, "10:00:00;00"), (60000, 1001, "00:59:00;04")],
)
def test_browser_timecode_maths_mirror_the_media_core(page, live_server, num, den, start):
    from fractions import Fraction

    from app.media import timecode as core

    page.set_content("<!doctype html><title>tc</title>")
    page.add_script_tag(url=live_server.url + "/static/js/timecode.js")
    frames = list(range(0, 40000, 113)) + [1799, 1800, 17981, 17982, 107892]
    labels = page.evaluate(
        """([num, den, start, frames]) => {
            const tc = RushesTimecode.create({fpsNum: num, fpsDen: den, start: start, frames: 1e6});
            return frames.map(f => [tc.format(f), tc.parse(tc.format(f))]);
        }""",
        [num, den, start, frames],
    )
    rate = Fraction(num, den)
    for frame, (label, back) in zip(frames, labels, strict=True):
        assert label == core.index_to_tc(frame, start, rate)
        assert back == frame


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_touch_drag_and_tap_on_a_phone(browser, app, live_server, make_user, video_page, locale):
    video, path = video_page
    user = make_user(email="cat@example.org", terms_accepted_at=utcnow(), language=locale[:2])
    context = browser.new_context(
        locale=locale, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(15000)
    try:
        _sign_in(app, context, live_server, user)
        page = context.new_page()
        _open(page, live_server, path)
        page.locator("[data-use-shot]").nth(0).tap()
        assert page.input_value("#clip-in") == "10:00:00:10"
        assert page.input_value("#clip-out") == "10:00:01:19"

        # Drag the out handle with a finger to three quarters of the timeline.
        page.locator("[data-clip-timeline]").scroll_into_view_if_needed()
        box = page.locator("[data-clip-timeline]").bounding_box()
        handle = page.locator('[data-clip-handle="out"]').bounding_box()
        cdp = context.new_cdp_session(page)
        x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
        target = box["x"] + box["width"] * 0.75

        def touch(kind, px):
            points = [] if kind == "touchEnd" else [{"x": px, "y": y}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        touch("touchStart", x)
        for i in range(1, 6):
            touch("touchMove", x + (target - x) * i / 5)
        touch("touchEnd", target)
        _wait_until(page, "!document.querySelector('.clip-handle.dragging')")  # finger lifted
        frame = int(page.get_attribute('[data-clip-handle="out"]', "aria-valuenow"))
        assert 53 <= frame <= 57  # three quarters of 75 frames (its last frame)
        assert page.input_value("#clip-out") == page.get_attribute(
            '[data-clip-handle="out"]', "aria-valuetext"
        )
        # (a click: a tap right after a raw CDP touch sequence is sometimes swallowed)
        page.locator('[data-action="download"]').click()
        link = page.locator("[data-clip-list] [data-clip-item]").first.locator(
            '[data-field="download"]'
        )
        link.wait_for(state="visible", timeout=120000)  # the cut, on a busy machine
    finally:
        context.close()
