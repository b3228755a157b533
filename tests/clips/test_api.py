"""The clip API contract: POST /videos/<id>/clips, GET /clips/<id>, GET /clips/<id>/download."""

import os

import pytest

from app.clips import service as clip_service
from app.clock import utcnow
from app.extensions import db
from app.models import Clip, ClipRequest, Download, User
from tests.clips.conftest import count_frames, csrf_token_of, sign_in, sign_out

# ---------------------------------------------------------------- who may ask


def test_anonymous_gets_a_json_401(client, make_video, post_clip):
    video = make_video()
    response = post_clip(video.id, json={"in_frame": 0, "out_frame": 10})
    assert response.status_code == 401
    assert response.is_json
    assert "log in" in response.get_json()["error"]
    assert db.session.query(Clip).count() == 0


def test_unverified_user_gets_a_json_403(client, make_user, make_video, post_clip):
    make_user(email="bob@example.org", verified=False, language="en")
    video = make_video()
    sign_in(client, User.by_email("bob@example.org"))
    response = post_clip(video.id, json={"in_frame": 0, "out_frame": 10})
    assert response.status_code == 403
    assert "verify" in response.get_json()["error"]
    assert db.session.query(Clip).count() == 0


def test_usage_terms_must_be_accepted_first(client, make_user, make_video, post_clip):
    # Verified, but has not accepted the usage terms in force.
    make_user(email="cy@example.org", language="en", terms_accepted_at=None)
    sign_in(client, User.by_email("cy@example.org"))
    video = make_video()
    response = post_clip(video.id, json={"in_frame": 0, "out_frame": 10})
    assert response.status_code == 403
    body = response.get_json()
    assert body["code"] == "usage_terms"
    assert "usage terms" in body["error"]


def test_unpublished_video_is_404_except_for_staff(client, make_user, make_video, post_clip):
    video = make_video(published=False)
    make_user(email="ada@example.org", terms_accepted_at=utcnow())
    sign_in(client, User.by_email("ada@example.org"))
    assert post_clip(video.id, json={"in_frame": 0, "out_frame": 10}).status_code == 404
    assert post_clip(999999, json={"in_frame": 0, "out_frame": 10}).status_code == 404

    sign_out(client)
    staff = make_user(email="staff@example.org", staff=True, terms_accepted_at=None)
    sign_in(client, User.by_email("staff@example.org"))
    # Staff see it, and follow the download rule of everyone: usage terms first (as for
    # full downloads).
    refused = post_clip(video.id, json={"in_frame": 0, "out_frame": 10})
    assert refused.status_code == 403 and refused.get_json()["code"] == "usage_terms"
    staff.terms_accepted_at = utcnow()
    db.session.commit()
    assert post_clip(video.id, json={"in_frame": 0, "out_frame": 10}).status_code == 202


def test_missing_csrf_token_is_refused(client, logged_in, make_video, post_clip):
    video = make_video()
    response = post_clip(video.id, json={"in_frame": 0, "out_frame": 10}, token=False)
    assert response.status_code == 400
    assert db.session.query(Clip).count() == 0


# ---------------------------------------------------------------- bad selections


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"in": "banana", "out": "10:00:01:00"}, "is not a timecode"),
        ({"in": "10:00:00:00", "out": "10:00:00:30"}, "is not a valid timecode"),
        ({"in": "10:00:01:00", "out": "10:00:00:10"}, "comes before the in point"),
        ({"in": "10:00:01:00", "out": "10:00:01:00"}, "selection is empty"),
        ({"in": "10:00:01:00", "out": "10:00:09:00"}, "beyond the video"),
        ({"in": "09:59:59:00", "out": "10:00:01:00"}, "beyond the video"),
        ({"in_frame": 10, "out_frame": 76}, "beyond the video"),
        ({"in_frame": -1, "out_frame": 10}, "beyond the video"),
        ({"in_frame": "ten", "out_frame": 20}, "whole number of frames"),
        ({"in_frame": 1.5, "out_frame": 20}, "whole number of frames"),
        ({"in_frame": 10}, "both an in point and an out point"),
        ({"out": "10:00:01:00"}, "both an in point and an out point"),
        ({}, "both an in point and an out point"),
        ({"in": 5, "out": 7}, "HH:MM:SS:FF"),
    ],
)
def test_bad_selections_are_a_translated_400(logged_in, make_video, post_clip, payload, expected):
    video = make_video()
    response = post_clip(video.id, json=payload)
    assert response.status_code == 400
    assert expected in response.get_json()["error"]
    assert db.session.query(Clip).count() == 0


def test_bad_selection_message_in_french(logged_in, make_video, post_clip):
    logged_in.language = "fr"
    db.session.commit()
    video = make_video()
    response = post_clip(video.id, json={"in": "10:00:01:00", "out": "10:00:00:10"}, lang="fr")
    # The logged-in user's saved language wins over Accept-Language.
    assert response.status_code == 400
    assert "avant le point d'entrée" in response.get_json()["error"]


def test_a_json_body_that_is_not_an_object_is_a_400(client, logged_in, make_video):
    video = make_video()
    response = client.post(
        f"/videos/{video.id}/clips",
        data="[1, 2]",
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token_of(client), "Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert response.is_json


# ---------------------------------------------------------------- a clip from request to file


def test_timecode_request_is_cut_and_downloadable(client, logged_in, make_video, post_clip):
    video = make_video(recorded_on=__import__("datetime").date(2026, 3, 14))
    # Master timecode: the master starts at 10:00:00:00; out is exclusive (EDL style).
    response = post_clip(video.id, data={"in": "10:00:01:03", "out": "10:00:02:05"})
    assert response.status_code == 202
    body = response.get_json()
    assert set(body) >= {"id", "status_url"}
    assert body["status_url"] == f"/clips/{body['id']}"

    status = client.get(body["status_url"]).get_json()
    assert status["status"] == "done"  # huey is immediate in tests
    assert status["progress"] == 1.0
    assert status["frames"] == 27
    assert status["in_frame"] == 28 and status["out_frame"] == 55
    assert status["tc_in"] == "10:00:01:03"
    assert status["tc_out"] == "10:00:02:05"
    assert status["error"] is None
    assert status["size"] > 1000
    assert status["download_url"] == f"/clips/{body['id']}/download"

    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert len(download.data) == status["size"]
    disposition = download.headers["Content-Disposition"]
    assert "2026-03-14_harbour-storm_10-00-01-03_10-00-02-04.mp4" in disposition
    path = os.path.join(client.application.config["MEDIA_ROOT"], "check.mp4")
    with open(path, "wb") as f:
        f.write(download.data)
    assert count_frames(path) == 27


def test_frame_request_and_json_shape(client, logged_in, make_video, post_clip):
    video = make_video()
    response = post_clip(video.id, json={"in_frame": 0, "out_frame": 25})
    assert response.status_code == 202
    status = client.get(response.get_json()["status_url"]).get_json()
    for key in ("status", "progress", "frames", "tc_in", "tc_out", "size", "download_url", "error"):
        assert key in status
    assert status["frames"] == 25
    assert status["tc_in"] == "10:00:00:00"
    assert status["tc_out"] == "10:00:01:00"
    assert status["duration"] == 1.0


def test_drop_frame_timecodes(client, logged_in, make_video, post_clip):
    video = make_video("h264_2997df")
    response = post_clip(video.id, json={"in": "10:00:00;10", "out": "10:00:01;15"})
    assert response.status_code == 202
    status = client.get(response.get_json()["status_url"]).get_json()
    assert (status["in_frame"], status["out_frame"]) == (10, 45)
    assert status["tc_out"] == "10:00:01;15"
    assert status["status"] == "done"


# ---------------------------------------------------------------- ownership


def test_only_the_owner_and_staff_see_a_clip(client, app, make_user, make_video, post_clip):
    video = make_video()
    make_user(email="ada@example.org", terms_accepted_at=utcnow())
    sign_in(client, User.by_email("ada@example.org"))
    clip_id = post_clip(video.id, json={"in_frame": 5, "out_frame": 15}).get_json()["id"]
    assert client.get(f"/clips/{clip_id}").status_code == 200
    sign_out(client)

    assert (
        client.get(f"/clips/{clip_id}", headers={"Accept": "application/json"}).status_code == 401
    )

    make_user(email="eve@example.org", terms_accepted_at=utcnow())
    sign_in(client, User.by_email("eve@example.org"))
    assert client.get(f"/clips/{clip_id}").status_code == 404
    assert client.get(f"/clips/{clip_id}/download").status_code == 404
    sign_out(client)

    make_user(email="staff@example.org", staff=True)
    sign_in(client, User.by_email("staff@example.org"))
    assert client.get(f"/clips/{clip_id}").get_json()["status"] == "done"


def test_unpublishing_hides_the_clip(client, logged_in, make_video, post_clip):
    video = make_video()
    clip_id = post_clip(video.id, json={"in_frame": 5, "out_frame": 15}).get_json()["id"]
    video.published = False
    db.session.commit()
    assert client.get(f"/clips/{clip_id}").status_code == 404
    assert client.get(f"/clips/{clip_id}/download").status_code == 404


# ---------------------------------------------------------------- cache and dedupe


def test_cache_hit_returns_the_done_clip_at_once_without_a_new_job(
    client, make_user, make_video, post_clip, cut_calls
):
    video = make_video()
    make_user(email="ada@example.org", terms_accepted_at=utcnow())
    make_user(email="ben@example.org", terms_accepted_at=utcnow())
    sign_in(client, User.by_email("ada@example.org"))
    first = post_clip(video.id, json={"in_frame": 3, "out_frame": 30}).get_json()
    assert len(cut_calls) == 1
    sign_out(client)

    sign_in(client, User.by_email("ben@example.org"))
    response = post_clip(video.id, json={"in": "10:00:00:03", "out": "10:00:01:05"})
    assert response.status_code == 202
    second = response.get_json()
    assert second["status"] == "done"  # in the POST answer itself
    assert second["download_url"]
    assert len(cut_calls) == 1  # no second cut
    assert second["id"] != first["id"]  # each user has a request of their own...
    assert db.session.query(Clip).count() == 1  # ...for the one shared clip


def test_same_user_asking_twice_gets_the_same_request(
    client, logged_in, make_video, post_clip, cut_calls
):
    video = make_video()
    a = post_clip(video.id, json={"in_frame": 3, "out_frame": 30}).get_json()
    b = post_clip(video.id, json={"in_frame": 3, "out_frame": 30}).get_json()
    assert a["id"] == b["id"]
    assert len(cut_calls) == 1
    assert db.session.query(ClipRequest).count() == 1


def test_identical_requests_while_queued_share_one_job(app, make_user, make_video, monkeypatch):
    """Requests that arrive while the clip is still queued enqueue nothing more."""
    video = make_video()
    ada = make_user(email="ada@example.org")
    ben = make_user(email="ben@example.org")
    req_a, job_a = clip_service.request_clip(video, ada, 10, 20)
    req_b, job_b = clip_service.request_clip(video, ben, 10, 20)
    assert (job_a, job_b) == (True, False)  # only the first asks its caller to enqueue
    assert req_a.clip_id == req_b.clip_id


def test_a_concurrent_insert_of_the_same_selection_is_shared(
    app, make_user, make_video, monkeypatch
):
    """Two requests both miss the lookup; the unique row makes the second one join."""
    video = make_video()
    ada = make_user(email="ada@example.org")
    ben = make_user(email="ben@example.org")
    _req_a, job_a = clip_service.request_clip(video, ada, 10, 20)
    real_find = clip_service.find_clip
    misses = iter([None])
    monkeypatch.setattr(clip_service, "find_clip", lambda *a: next(misses, None) or real_find(*a))
    req_b, job_b = clip_service.request_clip(video, ben, 10, 20)
    assert (job_a, job_b) == (True, False)
    assert db.session.query(Clip).count() == 1
    assert req_b.clip.in_frame == 10


def test_lru_eviction_under_a_tiny_cache(client, app, logged_in, make_video, post_clip, cut_calls):
    video = make_video()
    ids = {}
    for name, (a, b) in {"A": (0, 20), "B": (20, 40)}.items():
        ids[name] = post_clip(video.id, json={"in_frame": a, "out_frame": b}).get_json()["id"]
    clip = {n: db.session.get(ClipRequest, i).clip for n, i in ids.items()}
    path_b = os.path.join(app.config["MEDIA_ROOT"], clip["B"].path)
    # Room for about two clips: the third one pushes the least recently used one out
    # (the three differ in size by their re-encoded joins: half a clip of slack).
    sizes = clip["A"].size, clip["B"].size
    app.config["CLIP_CACHE_MAX_BYTES"] = sum(sizes) + min(sizes) // 2
    from app.clock import utcnow

    clip["A"].last_used_at = utcnow().replace(year=2030)  # A was used last
    db.session.commit()
    ids["C"] = post_clip(video.id, json={"in_frame": 40, "out_frame": 60}).get_json()["id"]

    db.session.expire_all()
    states = {n: db.session.get(ClipRequest, i).clip.status for n, i in ids.items()}
    assert states == {"A": "done", "B": "evicted", "C": "done"}
    assert not os.path.exists(path_b)
    assert len(cut_calls) == 3

    # B is asked for again: it is cut again, transparently.
    status = client.get(f"/clips/{ids['B']}").get_json()
    assert status["status"] == "done"
    assert len(cut_calls) == 4
    assert os.path.exists(path_b)


def test_a_clip_larger_than_the_whole_cache_is_still_served(
    client, app, logged_in, make_video, post_clip
):
    app.config["CLIP_CACHE_MAX_BYTES"] = 1
    video = make_video()
    body = post_clip(video.id, json={"in_frame": 0, "out_frame": 10}).get_json()
    assert client.get(body["status_url"]).get_json()["status"] == "done"
    assert client.get(f"/clips/{body['id']}/download").status_code == 200


# ---------------------------------------------------------------- downloads


def test_download_honours_range_and_is_logged_with_in_and_out(
    client, logged_in, make_video, post_clip
):
    video = make_video()
    body = post_clip(video.id, json={"in_frame": 7, "out_frame": 33}).get_json()
    url = f"/clips/{body['id']}/download"
    partial = client.get(url, headers={"Range": "bytes=0-99"})
    assert partial.status_code == 206
    assert len(partial.data) == 100
    assert partial.headers["Content-Range"].startswith("bytes 0-99/")
    partial.close()

    whole = client.get(url)
    etag = whole.headers["ETag"]
    assert whole.status_code == 200
    whole_length = len(whole.data)
    whole.close()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    rows = db.session.query(Download).order_by(Download.id).all()
    assert [r.rendition for r in rows] == ["clip", "clip"]  # 304 is not a download
    first = rows[0]
    assert (first.video_id, first.in_frame, first.out_frame) == (video.id, 7, 33)
    assert first.clip_id == db.session.get(ClipRequest, body["id"]).clip_id
    assert first.user_id == logged_in.id
    assert first.bytes_sent == 100
    assert first.range_header == "bytes=0-99"
    assert rows[1].bytes_sent == whole_length


def test_download_behind_nginx_uses_x_accel_redirect(client, app, logged_in, make_video, post_clip):
    app.config["X_ACCEL_REDIRECT"] = True
    video = make_video()
    body = post_clip(video.id, json={"in_frame": 0, "out_frame": 10}).get_json()
    response = client.get(f"/clips/{body['id']}/download")
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"].startswith("/_protected/clips/")
    assert response.data == b""
    assert db.session.query(Download).count() == 1


def test_download_needs_the_usage_terms(client, make_user, make_video, post_clip):
    video = make_video()
    user = make_user(email="ada@example.org", terms_accepted_at=utcnow())
    sign_in(client, User.by_email("ada@example.org"))
    body = post_clip(video.id, json={"in_frame": 0, "out_frame": 10}).get_json()
    user = db.session.merge(user)
    user.terms_accepted_at = None
    db.session.commit()
    assert client.get(f"/clips/{body['id']}/download").status_code == 403


def test_too_many_clips_in_the_works_is_a_429(
    client, app, logged_in, make_video, post_clip, monkeypatch
):
    from app.clips import routes as clip_routes

    app.config["CLIP_MAX_PENDING_PER_USER"] = 2
    monkeypatch.setattr(clip_routes, "cut_clip", lambda clip_id: None)  # jobs stay queued
    video = make_video()
    assert post_clip(video.id, json={"in_frame": 0, "out_frame": 5}).status_code == 202
    assert post_clip(video.id, json={"in_frame": 5, "out_frame": 9}).status_code == 202
    third = post_clip(video.id, json={"in_frame": 9, "out_frame": 12})
    assert third.status_code == 429
    assert "2 clips being cut" in third.get_json()["error"]
    # Asking again for one already in the works is not a new job: allowed.
    assert post_clip(video.id, json={"in_frame": 0, "out_frame": 5}).status_code == 202


def test_truly_concurrent_identical_requests_share_one_clip_and_one_job(
    app, make_user, make_video, monkeypatch
):
    import threading

    from app.models import Video

    video_id = make_video().id
    user_ids = [make_user(email=f"u{i}@example.org").id for i in range(4)]
    enqueued = []
    barrier = threading.Barrier(len(user_ids))
    results, errors = [], []

    def ask(user_id):
        try:
            with app.app_context():
                video = db.session.get(Video, video_id)
                user = db.session.get(User, user_id)
                barrier.wait(timeout=10)
                request, needs_cut = clip_service.request_clip(video, user, 12, 34)
                if needs_cut:
                    enqueued.append(request.clip_id)
                results.append(request.clip_id)
                db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(results) == 4 and len(set(results)) == 1
    assert enqueued == [results[0]]
    db.session.expire_all()
    assert db.session.query(Clip).count() == 1
    assert db.session.query(ClipRequest).count() == 4


def test_an_intra_master_gives_a_copied_clip_in_its_own_container(
    client, app, logged_in, make_video, post_clip
):
    video = make_video("prores", slug="studio-prores")
    body = post_clip(video.id, json={"in": "10:00:00:03", "out": "10:00:00:13"}).get_json()
    status = client.get(body["status_url"]).get_json()
    assert status["status"] == "done"
    assert status["filename"].endswith("_studio-prores_10-00-00-03_10-00-00-12.mov")
    clip = db.session.get(ClipRequest, body["id"]).clip
    assert clip.report["method"] == "copy"  # the engine's report is kept
    assert count_frames(os.path.join(app.config["MEDIA_ROOT"], clip.path)) == 10
