"""Audio tracks end to end: the technical sheet shows each stream and channel pair with
what staff call it, in both languages; a clip asks for some tracks and gets only
those (its own cache entry, its own file name); bad choices are clear 400s."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Clip
from tests.mediagen import ffprobe_json

pytestmark = pytest.mark.media


def _sheet(client, video, lang):
    page = client.get(
        f"/videos/{video.id}", headers={"Accept-Language": lang}, follow_redirects=True
    )
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_staff_name_tracks_and_the_sheet_shows_them_in_each_language(client, staff, probed_video):
    video = probed_video("two_stereo")
    response = staff.label(
        video,
        {
            "label-1-fr": "Son international",
            "label-1-en": "International sound",
            "label-2-fr": "Voix off (français)",
            "label-2-en": "",  # none in English: the French one is shown
            "label-9-fr": "ignored: no such track",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/videos/{video.id}#audio")
    db.session.refresh(video)
    assert {(r.track, r.lang, r.label) for r in video.audio_labels} == {
        ("1", "fr", "Son international"),
        ("1", "en", "International sound"),
        ("2", "fr", "Voix off (français)"),
    }
    english = _sheet(client, video, "en")
    assert "Audio 1" in english and "Audio 2" in english
    assert "PCM stereo 24\u00a0bits 48\u00a0kHz — International sound" in english
    assert "[fra] — Voix off (français)" in english
    french = _sheet(client, video, "fr")
    assert "Audio 1" in french and "— Son international" in french
    # an empty field removes a label
    staff.label(video, {"label-1-en": ""})
    db.session.refresh(video)
    assert ("1", "en") not in {(r.track, r.lang) for r in video.audio_labels}
    # the edit page holds the names for the next change
    page = staff.get(f"/admin/videos/{video.id}").get_data(as_text=True)
    assert 'value="Son international"' in page


def test_only_staff_name_tracks(client, logged_in, probed_video):
    video = probed_video("two_stereo")
    assert client.post(f"/admin/videos/{video.id}/audio", data={"label-1-fr": "x"}).status_code in (
        403,
        404,
    )
    db.session.refresh(video)
    assert video.audio_labels == []


def test_a_label_is_cut_to_its_length_and_its_spaces_tidied(staff, probed_video):
    video = probed_video("two_stereo")
    staff.label(video, {"label-1-fr": "  Son \n international " + "x" * 300})
    db.session.refresh(video)
    (label,) = video.audio_labels
    assert label.label.startswith("Son international x") and len(label.label) == 120


def test_an_8_channel_stream_is_offered_and_shown_by_pairs(client, logged_in, probed_video):
    video = probed_video("prores")
    page = _sheet(client, video, "en")
    for first, last in ((1, 2), (3, 4), (5, 6), (7, 8)):
        assert f"Audio 1, channels {first}–{last}" in page
        assert f'name="audio" value="1:{first}-{last}" checked' in page
    logged_in.language = "fr"
    db.session.commit()
    french = _sheet(client, video, "fr")
    assert "Audio 1, canaux 1–2" in french


def test_a_master_with_one_track_offers_no_choice(client, logged_in, probed_video):
    page = _sheet(client, probed_video("h264_closed"), "en")
    assert 'name="audio"' not in page


def test_a_clip_of_one_stream_carries_only_it(client, logged_in, probed_video, post_clip, app):
    video = probed_video("two_stereo")
    body = post_clip(video.id, json={"in_frame": 5, "out_frame": 30, "audio": ["2"]}).get_json()
    assert body["status"] == "done", body
    assert body["audio"] == ["2"]
    assert body["audio_names"] == ["Audio 2"]
    assert body["filename"].endswith("_audio-2.mov")
    download = client.get(body["download_url"])
    assert download.status_code == 200
    path = app.config["MEDIA_ROOT"] + "/" + db.session.get(Clip, body["id"]).path
    streams = [s for s in ffprobe_json(path)["streams"] if s["codec_type"] == "audio"]
    assert [s["channels"] for s in streams] == [2]
    assert streams[0]["tags"].get("language") == "fra"


def test_each_choice_is_its_own_clip_and_every_track_is_the_plain_clip(
    logged_in, probed_video, post_clip, cut_calls
):
    video = probed_video("two_stereo")
    plain = post_clip(video.id, json={"in_frame": 0, "out_frame": 10}).get_json()
    every = post_clip(video.id, json={"in_frame": 0, "out_frame": 10, "audio": ["2", "1"]})
    assert every.get_json()["id"] == plain["id"]  # the same file: no second cut
    assert plain["audio"] == ["1", "2"] and plain["audio_names"] == []
    first = post_clip(video.id, json={"in_frame": 0, "out_frame": 10, "audio": "1"}).get_json()
    second = post_clip(video.id, json={"in_frame": 0, "out_frame": 10, "audio": ["2"]}).get_json()
    assert len({plain["id"], first["id"], second["id"]}) == 3
    assert len(cut_calls) == 3
    assert sorted(c.audio for c in db.session.query(Clip)) == ["", "1", "2"]


def test_pairs_of_an_8_channel_stream_in_a_form_post(logged_in, probed_video, post_clip, app):
    video = probed_video("prores")
    response = post_clip(video.id, data={"in_frame": "0", "out_frame": "50", "audio": "1:3-4"})
    body = response.get_json()
    assert response.status_code == 202 and body["status"] == "done", body
    assert body["audio"] == ["1:3-4"]
    path = app.config["MEDIA_ROOT"] + "/" + db.session.get(Clip, body["id"]).path
    streams = [s for s in ffprobe_json(path)["streams"] if s["codec_type"] == "audio"]
    assert [s["channels"] for s in streams] == [2]


@pytest.mark.parametrize(
    ("audio", "lang", "message"),
    [
        (["3"], "en", "This video has no audio track “3”."),
        (["1:2-3"], "en", "This video has no audio track “1:2-3”."),  # not a pair
        (["x; drop"], "en", "This video has no audio track"),
        ([], "en", "Choose at least one audio track."),
        ([], "fr", "Choisissez au moins une piste audio."),
        ([1], "en", "must be a list of audio track keys"),
        ({"a": 1}, "en", "must be a list of audio track keys"),
    ],
)
def test_bad_choices_are_clear_400s(logged_in, probed_video, post_clip, audio, lang, message):
    video = probed_video("prores" if "1:2-3" in str(audio) else "two_stereo")
    logged_in.language = lang  # a user's saved language wins over the browser's
    db.session.commit()
    response = post_clip(video.id, json={"in_frame": 0, "out_frame": 10, "audio": audio}, lang=lang)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert db.session.query(Clip).count() == 0


def test_the_api_lists_tracks_and_cuts_a_choice(client, app, downloader, probed_video, staff):
    from app.api import tokens

    video = probed_video("prores")
    staff.label(video, {"label-1:1-2-fr": "Son international", "label-1:1-2-en": "Int'l sound"})
    secret = tokens.create_token(downloader, "newsroom")[1]
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    detail = client.get(f"/api/v1/videos/{video.id}", headers=headers).get_json()
    tracks = {t["key"]: t for t in detail["audio_tracks"]}
    assert list(tracks) == ["1:1-2", "1:3-4", "1:5-6", "1:7-8"]
    assert tracks["1:1-2"]["channels"] == [1, 2]
    assert tracks["1:1-2"]["labels"] == {"en": "Int'l sound", "fr": "Son international"}
    response = client.post(
        f"/api/v1/videos/{video.id}/clips",
        json={"in_frame": 0, "out_frame": 25, "audio": ["1:1-2", "1:7-8"]},
        headers=headers,
    )
    assert response.status_code == 202
    body = response.get_json()
    assert body["audio"] == ["1:1-2", "1:7-8"]
    assert body["audio_names"] == ["Audio 1, channels 1–2 — Int'l sound", "Audio 1, channels 7–8"]


def test_a_basket_keeps_each_choice_and_its_zip_holds_those_tracks(
    app, client, logged_in, probed_video, add, post, tmp_path
):
    import io
    import zipfile

    video = probed_video("prores")
    span = {"kind": "clip", "in_frame": "0", "out_frame": "25"}
    assert add(video, **span, audio=["1:1-2", "1:7-8"]).status_code == 302
    assert add(video, **span, audio=["1:7-8", "1:1-2"]).status_code == 302  # the same: kept once
    assert add(video, **span).status_code == 302  # every track: another item
    refused = add(video, **span, audio=["1:2-3"])
    assert refused.status_code in (302, 400)
    from app.models import BasketItem

    assert sorted(i.audio for i in db.session.query(BasketItem)) == ["", "1:1-2,1:7-8"]
    assert post("/basket/prepare").status_code == 302
    response = client.get("/basket/download.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    response.close()
    clips = [n for n in archive.namelist() if n.endswith(".mov")]
    assert len(clips) == 2
    channels = {}
    for name in clips:
        path = tmp_path / name
        path.write_bytes(archive.read(name))
        streams = ffprobe_json(path)["streams"]
        channels[name] = [s["channels"] for s in streams if s["codec_type"] == "audio"]
    chosen = next(n for n in clips if "_audio-" in n)
    assert chosen.endswith("_audio-1c1-2+1c7-8.mov")
    assert channels[chosen] == [2, 2]
    assert channels[next(n for n in clips if n != chosen)] == [8]


def test_the_basket_page_names_the_tracks_of_a_clip(client, logged_in, probed_video, add):
    video = probed_video("two_stereo")
    add(video, kind="clip", in_frame="0", out_frame="25", audio="2")
    page = client.get("/basket", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "(Audio 2)" in page
