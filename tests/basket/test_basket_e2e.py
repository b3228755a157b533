"""Chromium: a user fills a basket from two videos (a clip, a still, a rendition, a
script) on the video pages, downloads it, and the files are judged by ffmpeg/ffprobe."""

import io
import json
import os
import shutil
import zipfile

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import Download, Rendition
from tests.clips.conftest import count_frames
from tests.media.test_still import decoded_rgb, psnr, reference

pytestmark = pytest.mark.e2e

SEEK = """async (frame) => {
  const v = document.querySelector("video");
  if (v.readyState < 1) await new Promise((ok) => { v.onloadedmetadata = ok; });
  v.currentTime = (frame + 0.5) / 25;
  await new Promise((ok) => { v.onseeked = ok; });
  await new Promise((ok) => setTimeout(ok, 50));
}"""


def _rendition(app, video, name):
    """A rendition file of `video` (the small H.264 master stands in for an encode)."""
    root = app.config["MEDIA_ROOT"]
    relative = f"videos/{video.id}/{name}.mp4"
    os.makedirs(os.path.join(root, f"videos/{video.id}"), exist_ok=True)
    shutil.copyfile(os.path.join(root, video.master_path), os.path.join(root, relative))
    size = os.path.getsize(os.path.join(root, relative))
    video.renditions.append(Rendition(name=name, path=relative, size=size, width=384, height=216))
    db.session.commit()


def _sign_in(app, context, live_server, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True
    cookie = client.get_cookie("session")
    context.add_cookies([{"name": "session", "value": cookie.value, "url": live_server.url}])


def test_a_basket_from_two_videos_is_downloaded_as_one_zip(
    app, page, live_server, make_video, make_user, tmp_path
):
    storm = make_video(slug="harbour-storm", credit="Port TV")
    port = make_video(slug="port-works", credit="Port Authority", usage_terms="News only")
    _rendition(app, storm, "proxy")
    _rendition(app, port, "fhd")
    user = make_user(email="ada@example.org", terms_accepted_at=utcnow())
    _sign_in(app, page.context, live_server, user)

    # The clip editor's in/out (the out point typed is the clip's last frame).
    page.goto(f"{live_server.url}/videos/{storm.id}-{storm.slug}")
    page.fill("#clip-in", "10:00:00:10")
    page.fill("#clip-out", "10:00:01:09")
    page.click("form[data-basket-clip] button")
    page.wait_for_selector(".flash-success")
    assert "Ajouté à votre panier" in page.text_content(".flash-success")
    # The still of the frame on the player.
    page.evaluate(SEEK, 30)
    page.click('form[data-basket-still]:has(input[value="png"]) button')
    page.wait_for_selector(".flash-success")

    page.goto(f"{live_server.url}/videos/{port.id}-{port.slug}")
    page.click('form:has(input[name="rendition"][value="fhd"]) button')
    page.wait_for_selector(".flash-success")
    page.click('[data-basket-add="script"]')
    page.wait_for_selector(".flash-success")
    assert page.get_attribute("[data-basket-count]", "data-basket-count") == "4"

    page.click(".basket-link")
    page.click("[data-basket-prepare] button")
    page.wait_for_selector("[data-basket-zip]:not([hidden])")
    with page.expect_download() as waiting:
        page.click("[data-basket-zip]")
    body = open(waiting.value.path(), "rb").read()  # noqa: SIM115

    archive = zipfile.ZipFile(io.BytesIO(body))
    assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
    clip_name, still_name, rendition_name, script_name = archive.namelist()[:4]
    (tmp_path / "clip.mp4").write_bytes(archive.read(clip_name))
    assert count_frames(tmp_path / "clip.mp4") == 25
    (tmp_path / "still.png").write_bytes(archive.read(still_name))
    rgb, _w, _h = decoded_rgb(tmp_path / "still.png")
    master = os.path.join(app.config["MEDIA_ROOT"], storm.master_path)
    assert psnr(rgb, reference(master, 30, "bt601")) >= 45
    assert rendition_name.endswith("_fhd.mp4") and script_name.endswith("_script.txt")
    manifest = json.loads(archive.read("manifest.json"))["files"]
    assert [(m["video_id"], m["tc_in"], m["tc_out"]) for m in manifest] == [
        (storm.id, "10:00:00:10", "10:00:01:09"),
        (storm.id, "10:00:01:05", "10:00:01:05"),
        (port.id, "10:00:00:00", "10:00:02:24"),
        (port.id, "10:00:00:00", "10:00:02:24"),
    ]
    assert manifest[2]["credit"] == "Port Authority" and manifest[2]["usage_terms"] == "News only"

    db.session.expire_all()
    logged = sorted(d.rendition for d in db.session.execute(db.select(Download)).scalars())
    assert logged == ["clip", "fhd", "still"]
