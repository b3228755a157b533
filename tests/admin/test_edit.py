"""The admin list, the edit page, publish/unpublish and delete."""

import html
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Rendition, Tag, Video, VideoText
from tests.helpers import csrf_token, post_form

DEFENCE_FR = "Réunion des ministres de la Défense"


@pytest.fixture
def make_video(app):
    def make(status="ready", title=None, files=True, **fields):
        video = Video(status=status, original_filename="master.mov", **fields)
        if title:
            video.texts.append(VideoText(lang="fr", title=title))
        db.session.add(video)
        db.session.commit()
        if files:
            folder = Path(app.config["MEDIA_ROOT"]) / "videos" / str(video.id)
            folder.mkdir(parents=True)
            for name in ("master.mov", "poster.jpg", "thumbs.jpg", "thumbs.vtt", "proxy.mp4"):
                (folder / name).write_bytes(b"data")
            video.master_path = f"videos/{video.id}/master.mov"
            video.poster_path = f"videos/{video.id}/poster.jpg"
            video.renditions.append(
                Rendition(name="proxy", path=f"videos/{video.id}/proxy.mp4", size=4)
            )
            db.session.commit()
        return video

    return make


def form_data(**overrides):
    data = {
        "title_fr": DEFENCE_FR,
        "summary_fr": "Les ministres se sont réunis à Bruxelles.",
        "story_fr": "Les ministres de la Défense de l'Union européenne se sont retrouvés jeudi.",
        "shots_fr": "00:00:00:00 Plan large de la salle\n00:00:05:00 SOUNDBITE (français) Ministre",
        "title_en": "Defence ministers meet",
        "summary_en": "",
        "story_en": "",
        "shots_en": "",
        "recorded_on": "2026-03-12",
        "location_fr": "Bruxelles, Belgique",
        "location_en": "Brussels,   Belgium",
        "tags": "défense, Europe ,défense, politique",
        "credit": "",
        "terms_fr": "Usage éditorial uniquement.",
        "terms_en": "Editorial use only.",
    }
    data.update(overrides)
    return data


def test_strangers_get_404_everywhere(app, client, make_user, login, make_video):
    video = make_video()
    make_user(email="user@example.org")
    for who in ("anonymous", "user"):
        if who == "user":
            login("user@example.org")
        for url in (
            "/admin/",
            "/admin/videos",
            f"/admin/videos/{video.id}",
            "/admin/videos/status.json",
            f"/admin/videos/{video.id}/delete",
        ):
            assert client.get(url).status_code == 404, (who, url)
        for url in (f"/admin/videos/{video.id}/publish", f"/admin/videos/{video.id}/delete"):
            assert client.post(url).status_code == 404, (who, url)
    assert db.session.get(Video, video.id) is not None


def test_list_shows_videos_and_their_state(app, client, staff, make_video):
    make_video(title=DEFENCE_FR)
    make_video(status="processing", title="En cours", files=False, progress=0.42)
    make_video(
        status="failed", title="Cassée", files=False, error="The file contains no video stream."
    )
    page = client.get("/admin/videos", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert DEFENCE_FR in page
    assert 'value="42"' in page  # the progress bar of the one being processed
    assert "The file contains no video stream." in page
    assert "Retry" in page

    status = client.get("/admin/videos/status.json").get_json()
    by_title = {v["title"]: v for v in status["videos"]}
    assert by_title["En cours"]["progress"] == 42
    assert by_title["En cours"]["status"] == "processing"
    assert by_title["Cassée"]["error"] == "The file contains no video stream."
    assert by_title[DEFENCE_FR]["poster"].startswith("/admin/videos/")
    assert client.get(by_title[DEFENCE_FR]["poster"]).data == b"data"


def test_edit_saves_texts_tags_and_defaults(app, client, staff, make_video):
    video = make_video()
    url = f"/admin/videos/{video.id}"
    page = client.get(url).get_data(as_text=True)
    assert f"© {app.config['SITE_NAME']}, " in page  # default credit line offered
    response = post_form(client, url, form_data())
    assert response.status_code == 302
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    texts = {t.lang: t for t in video.texts}
    assert texts["fr"].title == DEFENCE_FR
    assert texts["en"].title == "Defence ministers meet"
    assert (texts["fr"].location, texts["en"].location) == (
        "Bruxelles, Belgique",
        "Brussels, Belgium",
    )
    assert texts["fr"].usage_terms == "Usage éditorial uniquement."
    assert (video.place("en"), video.terms("en")) == ("Brussels, Belgium", "Editorial use only.")
    assert texts["fr"].shot_list.splitlines()[1] == "00:00:05:00 SOUNDBITE (français) Ministre"
    assert sorted(t.name for t in video.tags) == ["Europe", "défense", "politique"]
    assert str(video.recorded_on) == "2026-03-12"
    assert video.credit.startswith(f"© {app.config['SITE_NAME']}, ")
    assert video.slug == "reunion-des-ministres-de-la-defense"
    # Saving again with the same tags reuses the Tag rows.
    post_form(client, url, form_data(tags="Europe, DÉFENSE"))
    assert db.session.execute(db.select(db.func.count(Tag.id))).scalar() == 3


def test_bad_shot_list_lines_are_reported_and_input_kept(app, client, staff, make_video):
    video = make_video(fps_num=25, fps_den=1)
    shots = (
        "00:00:01:00 Good\n10:61:00:00 Bad minutes\n\n00:00:02:30 Frame 30 at 25 fps\nno timecode"
    )
    response = post_form(
        client,
        f"/admin/videos/{video.id}",
        form_data(shots_en=shots, title_en="Kept title"),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Lines 2, 4, 5 are not" in page
    assert "Kept title" in page and "Frame 30 at 25 fps" in page
    db.session.expire_all()
    assert db.session.get(Video, video.id).texts == []

    staff.language = "fr"
    db.session.commit()
    fr = post_form(
        client,
        f"/admin/videos/{video.id}",
        form_data(shots_fr="25:00:00 x"),
        headers={"Accept-Language": "fr"},
    )
    assert "La ligne 1 n'est pas" in html.unescape(fr.get_data(as_text=True))


def test_bad_date_is_a_clear_400(app, client, staff, make_video):
    video = make_video()
    response = post_form(
        client,
        f"/admin/videos/{video.id}",
        form_data(recorded_on="12/31/2026"),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "12/31/2026" in response.get_data(as_text=True)


def _post_action(client, video, action, lang="en"):
    token = csrf_token(client.get("/admin/videos").get_data(as_text=True))
    return client.post(
        f"/admin/videos/{video.id}/{action}",
        data={"csrf_token": token},
        headers={"Accept-Language": lang},
        follow_redirects=True,
    )


def test_publish_needs_ready_and_a_title(app, client, staff, make_video):
    untitled = make_video()
    page = _post_action(client, untitled, "publish").get_data(as_text=True)
    assert "without a title" in page
    processing = make_video(status="processing", title="Busy", files=False)
    page = _post_action(client, processing, "publish").get_data(as_text=True)
    assert "processing is not finished" in page
    db.session.expire_all()
    assert not db.session.get(Video, untitled.id).published
    assert not db.session.get(Video, processing.id).published

    ready = make_video(title=DEFENCE_FR)
    _post_action(client, ready, "publish")
    db.session.expire_all()
    video = db.session.get(Video, ready.id)
    assert video.published and video.published_at is not None
    _post_action(client, ready, "unpublish")
    db.session.expire_all()
    assert not db.session.get(Video, ready.id).published


def test_actions_need_the_csrf_token(app, client, staff, make_video):
    video = make_video(title=DEFENCE_FR)
    assert client.post(f"/admin/videos/{video.id}/publish").status_code == 400
    assert client.post(f"/admin/videos/{video.id}/delete").status_code == 400
    db.session.expire_all()
    assert not db.session.get(Video, video.id).published


def test_delete_removes_rows_and_files(app, client, staff, make_video):
    video_id = make_video(title=DEFENCE_FR).id
    folder = Path(app.config["MEDIA_ROOT"]) / "videos" / str(video_id)
    assert folder.exists()
    confirm = client.get(f"/admin/videos/{video_id}/delete")
    assert confirm.status_code == 200 and DEFENCE_FR in confirm.get_data(as_text=True)
    response = post_form(client, f"/admin/videos/{video_id}/delete", {})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Video, video_id) is None
    assert db.session.execute(db.select(VideoText)).first() is None
    assert db.session.execute(db.select(Rendition)).first() is None
    assert not folder.exists()
    assert client.get(f"/admin/videos/{video_id}").status_code == 404


def test_unknown_video_is_404(app, client, staff):
    assert client.get("/admin/videos/999").status_code == 404
    assert client.get("/admin/videos/999/poster.jpg").status_code == 404


def _master_at_ten(make_video):
    video = make_video(
        fps_num=25,
        fps_den=1,
        frame_count=375,
        duration=15.0,
        start_timecode="10:00:00:00",
        media_info={"start_timecode": "10:00:00:00"},
    )
    return video


def test_shot_lists_typed_from_zero_are_offered_the_masters_timecode(
    app, client, staff, make_video
):
    video = _master_at_ten(make_video)
    url = f"/admin/videos/{video.id}"
    shots = "00:00:00:00 Wide shot\n10:00:05:00 Already a master timecode\n00:00:07:12 Close-up"
    refused = post_form(client, url, form_data(shots_fr=shots), headers={"Accept-Language": "en"})
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert "Lines 1, 3 are counted from the start of the file" in page
    assert "00:00:00:00 is 10:00:00:00 on the master" in page
    assert "Convert to the master's timecode" in page
    db.session.expire_all()
    assert db.session.get(Video, video.id).texts == []  # nothing saved half-converted

    saved = post_form(client, url, form_data(shots_fr=shots, convert_shots="y"))
    assert saved.status_code == 302
    db.session.expire_all()
    text = db.session.get(Video, video.id).text("fr")
    assert text.shot_list.splitlines() == [
        "10:00:00:00 Wide shot",
        "10:00:05:00 Already a master timecode",
        "10:00:07:12 Close-up",
    ]


def test_a_master_starting_at_zero_takes_shot_lists_as_they_are(app, client, staff, make_video):
    video = make_video(fps_num=25, fps_den=1, frame_count=375, duration=15.0)
    response = post_form(client, f"/admin/videos/{video.id}", form_data())
    assert response.status_code == 302


def test_the_edit_page_marks_shots_from_a_player_in_master_timecode(app, client, staff, make_video):
    video = _master_at_ten(make_video)
    page = client.get(f"/admin/videos/{video.id}", headers={"Accept-Language": "en"})
    body = page.get_data(as_text=True)
    assert 'id="shot-player"' in body and 'data-start="10:00:00:00"' in body
    assert body.count('add-shot" data-target') == 2  # one button per language
    assert "js/admin-shots.js" in body


def test_save_and_publish_keeps_what_was_typed(app, client, staff, make_video):
    video = make_video(title="Ancien titre")
    url = f"/admin/videos/{video.id}"
    response = post_form(
        client, url, form_data(title_fr="Titre tapé avant de publier", and_publish="1")
    )
    assert response.status_code == 302
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert video.published
    assert video.text("fr").title == "Titre tapé avant de publier"


def test_a_logged_out_staff_member_is_sent_to_log_in(app, client, staff, make_video):
    """Only a browser that last logged in as staff learns the page exists; a stranger,
    or a POST, still gets 404."""
    post_form(client, "/logout", {}, page="/admin/videos")
    response = client.get("/admin/videos?page=2")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=/admin/videos?page%3D2") or (
        "/login?next=" in response.headers["Location"]
    )
    assert client.post("/admin/videos/1/publish").status_code == 404
    home = client.get("/admin/")  # the staff home itself, as the issue found it
    assert home.status_code == 302 and "/login?next=" in home.headers["Location"]
    stranger = app.test_client()
    assert stranger.get("/admin/").status_code == 404
    assert stranger.get("/admin/videos").status_code == 404
    assert stranger.get("/admin/newsletter/").status_code == 404
    # A device cookie of an account that is not staff reveals nothing either.
    staff.is_staff = False
    db.session.commit()
    assert client.get("/admin/videos").status_code == 404
