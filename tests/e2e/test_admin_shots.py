"""Staff mark shots from the player on the edit page, in Chromium: « Ajouter un plan ici »
starts a shot-list line with the master's timecode of the frame on screen."""

import pytest

from tests.clips import conftest as clip_fixtures
from tests.e2e.test_clips import _player_files, _sign_in, _wait_until

pytestmark = pytest.mark.e2e

# the clip tests' fixtures: a video whose master is a real, small H.264 file
make_video = clip_fixtures.make_video
master = clip_fixtures.master
media_dir = clip_fixtures.media_dir


@pytest.mark.parametrize(
    ("locale", "button", "column"),
    [("fr-FR", "Ajouter un plan ici", "shots_fr"), ("en-GB", "Add a shot here", "shots_en")],
)
def test_add_a_shot_here_inserts_the_master_timecode(
    browser, app, live_server, make_user, make_video, locale, button, column
):
    video = make_video("h264_closed")  # 25 fps, starts at 10:00:00:00
    _player_files(app, video)
    staff = make_user(email="staff@example.org", staff=True, language=locale[:2])
    context = browser.new_context(locale=locale)
    context.set_default_timeout(15000)
    _sign_in(app, context, live_server, staff)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/videos/{video.id}")
        _wait_until(page, "document.getElementById('shot-player').readyState >= 1")
        area = page.locator(f"#{column}")
        area.fill("")
        # Frame 30 (10:00:01:05): the middle of the frame, as a player seeks.
        page.evaluate("document.getElementById('shot-player').currentTime = 30.5 / 25")
        _wait_until(page, "document.getElementById('shot-timecode').textContent === '10:00:01:05'")
        page.locator(f'button.add-shot[data-target="{column}"]').click()
        assert page.locator(f'button.add-shot[data-target="{column}"]').text_content() == button
        assert area.input_value() == "10:00:01:05 "
        area.press_sequentially("Plan large du port")
        page.evaluate("document.getElementById('shot-player').currentTime = 50.5 / 25")
        _wait_until(page, "document.getElementById('shot-timecode').textContent === '10:00:02:00'")
        page.locator(f'button.add-shot[data-target="{column}"]').click()
        assert area.input_value() == "10:00:01:05 Plan large du port\n10:00:02:00 "
    finally:
        context.close()
