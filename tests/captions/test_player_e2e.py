"""Chromium: the player offers the captions of each language and shows the cue of the
frame on screen; the page links to the caption files."""

import pytest

from app.captions import service as captions
from tests.basket.test_basket_e2e import _rendition, _sign_in
from tests.clips.conftest import make_video  # noqa: F401  (fixture)
from tests.mediagen import master, media_dir  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e

SRT = "".join(
    f"{n + 1}\n00:00:0{n},000 --> 00:00:0{n + 1},000\nSeconde {n + 1}\n\n" for n in range(3)
).encode()

ACTIVE_CUE_AT = """async (seconds) => {
  const v = document.querySelector("video");
  if (v.readyState < 1) await new Promise((ok) => { v.onloadedmetadata = ok; });
  const track = v.textTracks[0];
  track.mode = "showing";
  v.currentTime = seconds;
  await new Promise((ok) => { v.onseeked = ok; });
  for (let i = 0; i < 50 && !(track.activeCues && track.activeCues.length); i++) {
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return {
    tracks: v.textTracks.length,
    lang: track.language,
    label: track.label,
    cues: track.cues ? track.cues.length : 0,
    active: track.activeCues && track.activeCues.length ? track.activeCues[0].text : null,
  };
}"""


def test_the_player_shows_the_captions_of_the_frame_on_screen(
    app,
    page,
    live_server,
    make_video,  # noqa: F811
    make_user,
):
    video = make_video(slug="harbour-storm")
    _rendition(app, video, "proxy")
    captions.attach(video, "fr", SRT)
    user = make_user(email="ada@example.org")
    _sign_in(app, page.context, live_server, user)

    page.goto(f"{live_server.url}/videos/{video.id}-{video.slug}")
    state = page.evaluate(ACTIVE_CUE_AT, 1.5)
    assert state == {
        "tracks": 1,
        "lang": "fr",
        "label": "Français",
        "cues": 3,
        "active": "Seconde 2",
    }
    assert page.evaluate(ACTIVE_CUE_AT, 2.2)["active"] == "Seconde 3"
    links = page.locator("[data-caption-links] a")
    assert links.count() == 2
    assert links.nth(1).get_attribute("href") == f"/videos/{video.id}/captions/fr.srt"
