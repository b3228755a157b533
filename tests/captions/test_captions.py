"""Captions end to end: staff attach them, the player offers them, they download as
.vtt and .srt, a clip gets a sidecar cut to its frames, and search finds their words."""

import re

from app.api import tokens
from app.captions import cues
from app.extensions import db
from app.models import Caption

# One cue per second of the 25 fps master, naming the frames it covers (the frame at
# n / 25 s is frame n): "frames 25-49" runs from 00:00:01.000 to 00:00:02.000.
FRAMES_SRT = "".join(
    f"{n + 1}\n00:00:{n:02d},000 --> 00:00:{n + 1:02d},000\nframes {n * 25}-{n * 25 + 24}\n\n"
    for n in range(10)
).encode()


def test_staff_attach_an_srt_and_the_player_offers_it(client, staff, video):
    page = staff.upload(video, FRAMES_SRT, lang="fr").get_data(as_text=True)
    assert "Captions (Français) attached: 10 cues." in page
    caption = db.session.execute(db.select(Caption)).scalar_one()
    assert caption.lang == "fr" and caption.cue_count == 10
    assert caption.vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nframes 0-24")

    html = client.get(f"/videos/{video.id}-{video.slug}").get_data(as_text=True)
    track = re.search(r'<track kind="captions" srclang="fr" label="Français" src="([^"]+)">', html)
    assert track, "no <track> in the player"
    served = client.get(track.group(1))
    assert served.status_code == 200 and served.mimetype == "text/vtt"
    assert served.get_data(as_text=True) == caption.vtt
    assert "Content-Disposition" not in served.headers
    again = client.get(track.group(1), headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304

    srt = client.get(f"/videos/{video.id}/captions/fr.srt")
    assert srt.headers["Content-Disposition"].startswith("attachment")
    assert "captions-fr.srt" in srt.headers["Content-Disposition"]
    assert [c.plain for c in cues.parse(srt.data)] == [c.plain for c in cues.parse(FRAMES_SRT)]


def test_a_bad_file_is_refused_with_its_lines_and_changes_nothing(staff, video):
    staff.upload(video, FRAMES_SRT, lang="en")
    body = b"1\n00:00:01,000 --> 00:00:20,000\ntoo long\n\n2\n00:00:02,000 --> 00:00:03,000\nover\n"
    page = staff.upload(video, body, lang="en").get_data(as_text=True)
    assert "The captions were not attached" in page
    assert "Line 2: This cue ends after the end of the video (00:00:10.000)." in page
    assert "Line 6: This cue starts before the previous one ends (line 2)." in page
    caption = db.session.execute(db.select(Caption)).scalar_one()
    assert caption.cue_count == 10  # the earlier file is still there


def test_overlaps_can_be_allowed_and_the_master_timecode_is_understood(staff, video):
    body = b"1\n10:00:01,000 --> 10:00:03,000\none\n\n2\n10:00:02,000 --> 10:00:04,000\ntwo\n"
    assert "were not attached" in staff.upload(video, body).get_data(as_text=True)
    assert "2 cues" in staff.upload(video, body, allow_overlap=True).get_data(as_text=True)
    caption = db.session.execute(db.select(Caption)).scalar_one()
    assert caption.vtt.startswith("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\none")


def test_only_staff_attach_and_remove(client, make_user, login, video):
    make_user(email="ada@example.org")
    login()
    response = client.post(f"/admin/videos/{video.id}/captions", data={})
    assert response.status_code in (302, 403, 404)
    assert db.session.execute(db.select(Caption)).first() is None


def test_removing_captions_removes_their_words_from_search(client, staff, video):
    staff.upload(video, b"1\n00:00:01,000 --> 00:00:02,000\nLe ministre parle du brise-lames\n")
    hits = client.get("/videos?q=brise-lames", headers={"Accept-Language": "fr"})
    assert f"/videos/{video.id}-" in hits.get_data(as_text=True)
    token = re.search(
        r'name="csrf_token" value="([^"]+)"',
        staff.get(f"/admin/videos/{video.id}").get_data(as_text=True),
    ).group(1)
    staff.post(f"/admin/videos/{video.id}/captions/fr/delete", data={"csrf_token": token})
    assert db.session.execute(db.select(Caption)).first() is None
    hits = client.get("/videos?q=brise-lames", headers={"Accept-Language": "fr"})
    assert f"/videos/{video.id}-" not in hits.get_data(as_text=True)


def test_a_search_hit_in_the_captions_links_to_the_cue(client, staff, video):
    body = (
        b"1\n00:00:01,000 --> 00:00:02,000\nLa temp\xc3\xaate arrive.\n\n"
        b"2\n00:00:04,000 --> 00:00:05,520\nLes d\xc3\xa9gats du brise-lames sont visibles.\n"
    )
    staff.upload(video, body)
    html = client.get("/videos?q=degats", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Les dégats du brise-lames sont visibles." in html
    assert "&lt;" not in html  # the card's markup stays markup
    # Frames 100 to 138 (5.52 s is frame 138's start: the cue ends before it).
    assert (
        f"/videos/{video.id}-harbour-storm?in=10:00:04:00&amp;out=10:00:05:13#clip-editor" in html
    )
    assert "10:00:04:00" in html


def test_a_clip_sidecar_is_cut_to_its_frames(client, staff, video):
    staff.upload(video, FRAMES_SRT)
    # Frames 30 to 59 of the master (out exclusive): cues of frames 25-49 and 50-74.
    response = client.get(f"/videos/{video.id}/captions/fr.vtt?in_frame=30&out_frame=60&download=1")
    assert response.status_code == 200
    assert "_10-00-01-05_10-00-02-09_captions-fr.vtt" in response.headers["Content-Disposition"]
    clip = cues.parse(response.data)
    assert [c.plain for c in clip] == ["frames 25-49", "frames 50-74"]
    # In the clip, frame k shows at k / 25 s: the cue naming frames 25-49 covers the
    # clip's frames 0-19 (master 30-49) and the next one its frames 20-29 (master 50-59).
    for k in range(30):
        at = k * 40 + 20  # the middle of the clip's frame k
        (seen,) = [c for c in clip if c.start <= at < c.end]
        first, last = map(int, seen.plain.removeprefix("frames ").split("-"))
        assert first <= 30 + k <= last
    assert clip[-1].end == 1200


def test_bad_ranges_and_unknown_languages(client, staff, video):
    staff.upload(video, FRAMES_SRT)
    base = f"/videos/{video.id}/captions"
    assert client.get(f"{base}/de.vtt").status_code == 404
    for query in ("in_frame=10", "in_frame=20&out_frame=10", "in_frame=-1&out_frame=5",
                  "in_frame=0&out_frame=99999", "in_frame=a&out_frame=3"):  # fmt: skip
        assert client.get(f"{base}/fr.vtt?{query}").status_code == 400, query
    video.published = False
    db.session.commit()
    assert client.get(f"{base}/fr.vtt").status_code == 404


def test_the_api_lists_the_captions_with_absolute_links(app, client, staff, video, make_user):
    staff.upload(video, FRAMES_SRT, lang="en")
    token = tokens.create_token(make_user(email="desk@example.org"), "desk")[1]
    body = client.get(
        f"/api/v1/videos/{video.id}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    (caption,) = body["captions"]
    site = app.config["SITE_URL"]
    assert caption["lang"] == "en" and caption["cues"] == 10
    assert caption["srt_url"] == f"{site}/videos/{video.id}/captions/en.srt"
    assert client.get(caption["srt_url"].removeprefix(site)).status_code == 200
