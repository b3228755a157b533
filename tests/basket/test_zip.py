"""Downloading a basket: clips cut first through the job queue, one streamed ZIP of
STORED files with its manifests, every file in the download log as if downloaded alone."""

import csv
import io
import json
import os
import shutil
import zipfile
from pathlib import Path

from app.captions import service as captions
from app.extensions import db
from app.models import Clip, ClipRequest, Download, Rendition
from tests.clips.conftest import count_frames, sign_in
from tests.media.test_still import decoded_rgb, psnr, reference


def with_rendition(app, video, name="fhd"):
    """A download rendition for `video` (the master's bytes stand in for an encode)."""
    relative = f"renditions/{video.id}-{name}.mp4"
    dest = os.path.join(app.config["MEDIA_ROOT"], relative)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copyfile(os.path.join(app.config["MEDIA_ROOT"], video.master_path), dest)
    video.renditions.append(
        Rendition(name=name, path=relative, size=os.path.getsize(dest), width=384, height=216)
    )
    db.session.commit()


def fill(add, storm, port):
    assert add(storm, kind="clip", in_frame="10", out_frame="35").status_code == 302
    assert add(storm, kind="rendition", rendition="fhd").status_code == 302
    assert add(port, kind="still", frame="7", format="png").status_code == 302
    assert add(port, kind="script", lang="en").status_code == 302


def test_the_basket_is_one_zip_of_stored_files_with_manifests_and_log_rows(
    app, client, make_video, logged_in, add, post, tmp_path
):
    storm = make_video(slug="harbour-storm", credit="Rushes / Port TV", usage_terms="News only")
    port = make_video(kind="prores", slug="port-works", credit="Port Authority")
    with_rendition(app, storm)
    fill(add, storm, port)

    # Not cut yet: no ZIP, and the status says so.
    assert client.get("/basket/download.zip").status_code == 409
    assert client.get("/basket/status").get_json()["missing"] is True
    assert post("/basket/prepare").status_code == 302  # huey runs the cut at once here
    state = client.get("/basket/status").get_json()
    assert state["ready"] and state["progress"] == 1.0 and state["clips_done"] == 1

    response = client.get("/basket/download.zip")
    assert response.status_code == 200
    assert response.headers["Accept-Ranges"] == "none"
    body = response.get_data()
    response.close()  # the server closing the answer writes the log
    assert int(response.headers["Content-Length"]) == len(body)
    assert response.headers["Content-Disposition"].startswith("attachment")

    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[-2:] == ["manifest.csv", "manifest.json"]
    assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
    clip_name, rendition_name, still_name, script_name = names[:4]
    assert clip_name.endswith("_10-00-00-10_10-00-01-09.mp4")
    assert rendition_name.endswith("_fhd.mp4") and still_name.endswith(".png")
    assert script_name.endswith("_script.txt")
    assert "SHOTLIST" in archive.read(script_name).decode("utf-8")

    clip_file = tmp_path / "clip.mp4"
    clip_file.write_bytes(archive.read(clip_name))
    assert count_frames(clip_file) == 25
    assert archive.read(rendition_name) == (
        Path(app.config["MEDIA_ROOT"], storm.master_path).read_bytes()
    )

    manifest = json.loads(archive.read("manifest.json"))["files"]
    assert [m["file"] for m in manifest] == names[:4]
    clip_row = manifest[0]
    assert clip_row["video_id"] == storm.id and clip_row["title"] == "Storm in the harbour"
    assert (clip_row["tc_in"], clip_row["tc_out"], clip_row["frames"]) == (
        "10:00:00:10",
        "10:00:01:09",
        25,
    )
    assert clip_row["credit"] == "Rushes / Port TV" and clip_row["usage_terms"] == "News only"
    assert manifest[2]["credit"] == "Port Authority" and manifest[2]["tc_in"] == "10:00:00:07"
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert [r["file"] for r in rows] == names[:4]

    logged = {d.rendition: d for d in db.session.execute(db.select(Download)).scalars()}
    assert set(logged) == {"clip", "fhd", "still"}  # a script is not logged alone either
    clip = db.session.execute(db.select(Clip)).scalar_one()
    assert (logged["clip"].clip_id, logged["clip"].in_frame, logged["clip"].out_frame) == (
        clip.id,
        10,
        35,
    )
    assert logged["clip"].bytes_sent == archive.getinfo(clip_name).file_size
    assert logged["still"].in_frame == 7 and logged["still"].video_id == port.id
    assert all(d.user_id == logged_in.id for d in logged.values())


def test_the_still_in_the_zip_is_the_master_frame(
    app, client, make_video, logged_in, add, tmp_path
):
    video = make_video(slug="harbour-storm")
    add(video, kind="still", frame="30", format="png")
    archive = zipfile.ZipFile(io.BytesIO(client.get("/basket/download.zip").get_data()))
    still = tmp_path / "still.png"
    still.write_bytes(archive.read(archive.namelist()[0]))
    master = os.path.join(app.config["MEDIA_ROOT"], video.master_path)
    rgb, width, height = decoded_rgb(still)
    assert (width, height) == (384, 216)
    # ffmpeg's decode of that frame of the master, as tests/media/test_still.py judges it.
    assert psnr(rgb, reference(master, 30, "bt601")) >= 45
    assert psnr(rgb, reference(master, 29, "bt601")) < 40


def test_the_zip_follows_the_download_rule(client, make_video, make_user, add):
    video = make_video()
    user = make_user(email="late@example.org", terms_accepted_at=None)
    sign_in(client, user)
    assert add(video, kind="master").status_code == 302  # the panel lets them add
    assert client.get("/basket/download.zip").status_code == 403
    assert client.get("/basket/status").status_code == 403


def test_an_empty_basket_has_no_zip(client, logged_in):
    assert client.get("/basket/download.zip").status_code == 404


def test_over_the_size_limit_there_is_no_zip(app, client, make_video, logged_in, add):
    video = make_video()
    add(video, kind="master")
    app.config["BASKET_MAX_BYTES"] = 10
    assert client.get("/basket/download.zip").status_code == 413


def test_a_clip_in_the_basket_brings_its_caption_sidecars(
    app, client, make_video, logged_in, add, post
):
    storm = make_video(slug="harbour-storm")
    # One cue per 10 frames of the 25 fps master, naming them.
    srt = "".join(
        f"{n + 1}\n00:00:0{n * 4 // 10},{n * 400 % 1000:03d} --> "
        f"00:00:0{(n + 1) * 4 // 10},{(n + 1) * 400 % 1000:03d}\nframes {n * 10}-{n * 10 + 9}\n\n"
        for n in range(7)
    )
    captions.attach(storm, "fr", srt.encode())
    assert add(storm, kind="clip", in_frame="10", out_frame="35").status_code == 302
    post("/basket/prepare")
    state = client.get("/basket/status").get_json()
    assert state["ready"]
    response = client.get("/basket/download.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    response.close()
    clip_name, sidecar_name = archive.namelist()[:2]
    assert sidecar_name == clip_name.rsplit(".", 1)[0] + "_captions-fr.vtt"
    sidecar = archive.read(sidecar_name).decode("utf-8")
    assert sidecar.startswith(
        "WEBVTT\n\n00:00:00.000 --> 00:00:00.400\nframes 10-19\n\n"
        "00:00:00.400 --> 00:00:00.800\nframes 20-29\n\n"
        "00:00:00.800 --> 00:00:01.000\nframes 30-39\n\n"
    )
    manifest = json.loads(archive.read("manifest.json"))["files"]
    assert [m["kind"] for m in manifest] == ["clip", "captions-fr"]

    # The clip editor's status offers the same sidecar next to the clip's download.
    clip_request = db.session.execute(db.select(ClipRequest)).scalar_one()
    status = client.get(f"/clips/{clip_request.id}").get_json()
    assert status["captions"][0]["lang"] == "fr"
    assert status["captions"][0]["vtt_url"].endswith("in_frame=10&out_frame=35")
    assert client.get(status["captions"][0]["vtt_url"]).data.decode() == sidecar
