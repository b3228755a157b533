"""Chromium: the still links follow the frame on the player (static/js/stills.js)."""

import os

import pytest
from flask import render_template_string

from app.http.sendfile import send_media
from app.library import policy

pytestmark = [pytest.mark.e2e, pytest.mark.fresh_app]

PAGE = """{% extends "base.html" %}{% block content %}
<video id="player" muted preload="auto" src="/_test/stills/{{ video.id }}/master"></video>
{% include "stills/_buttons.html" %}
{% endblock %}
{% block scripts %}{% if with_tc %}<script src="{{ url_for('static', filename='js/timecode.js') }}" defer></script>{% endif %}{% endblock %}"""

SEEK = """async (frame) => {
  const v = document.querySelector("video");
  if (v.readyState < 1) await new Promise((ok) => { v.onloadedmetadata = ok; });
  v.currentTime = (frame + 0.5) / 25;
  await new Promise((ok) => { v.onseeked = ok; });
  await new Promise((ok) => setTimeout(ok, 50));
  return [...document.querySelectorAll("[data-still]")].map((a) => a.getAttribute("href"));
}"""


@pytest.fixture
def test_page(app, make_video):
    video = make_video()

    def page(video_id):
        item = policy.visible_video_or_404(video_id)
        from_tc = bool(int(os.environ.get("_STILLS_WITH_TC", "1")))
        return render_template_string(PAGE, video=item, with_tc=from_tc)

    def master(video_id):
        item = policy.visible_video_or_404(video_id)
        path = os.path.join(app.config["MEDIA_ROOT"], item.master_path)
        return send_media(path, "master.mp4", as_attachment=False)

    app.add_url_rule("/_test/stills/<int:video_id>", "test_stills_page", page)
    app.add_url_rule("/_test/stills/<int:video_id>/master", "test_stills_master", master)
    return video


@pytest.mark.parametrize("with_tc", ["1", "0"])
def test_the_links_name_the_frame_on_the_player(
    browser, live_server, test_page, logged_in, monkeypatch, with_tc
):
    monkeypatch.setenv("_STILLS_WITH_TC", with_tc)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/_test/stills/{test_page.id}")
        base = f"/videos/{test_page.id}/stills/"
        assert page.evaluate(SEEK, 37) == [base + "37.png", base + "37.jpg"]
        assert page.evaluate(SEEK, 0) == [base + "0.png", base + "0.jpg"]
        assert page.evaluate(SEEK, 74) == [base + "74.png", base + "74.jpg"]
        if with_tc == "1":
            assert page.text_content("[data-stills-now]") == "10:00:02:24"
    finally:
        context.close()
