"""GET /videos/<id>/stills/<frame>.png|.jpg: rights, frame range, cache, download log."""

from pathlib import Path

import av
import pytest
from flask import render_template

from app.clock import utcnow
from app.extensions import db
from app.models import Download
from app.stills import service
from tests.clips.conftest import sign_in


def terms(user, accepted):
    """Accept or withdraw the usage terms of `user`."""
    user.terms_accepted_at = utcnow() if accepted else None
    db.session.commit()
    return user


def url(video, frame, ext="png"):
    return f"/videos/{video.id}/stills/{frame}.{ext}"


def test_anonymous_visitors_are_sent_to_log_in(client, make_video):
    video = make_video()
    response = client.get(url(video, 10))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    api = client.get(url(video, 10), headers={"Accept": "application/json"})
    assert api.status_code == 401
    assert "login_url" in api.get_json()


def test_unverified_users_and_users_without_the_terms_get_403(client, make_video, make_user):
    video = make_video()
    sign_in(client, make_user(email="bob@example.org", verified=False, language="en"))
    response = client.get(url(video, 10))
    assert response.status_code == 403
    assert "verify your e-mail address" in response.get_data(as_text=True)
    sign_in(client, terms(make_user(email="eve@example.org", language="en"), False))
    assert client.get(url(video, 10)).status_code == 403
    assert db.session.execute(db.select(Download)).first() is None


def test_a_still_is_made_from_the_master_cached_and_logged(client, make_video, logged_in, app):
    video = make_video()
    response = client.get(url(video, 37))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "image/png"
    body = response.get_data()
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    disposition = response.headers["Content-Disposition"]
    assert "harbour-storm_still-10-00-01-12.png" in disposition
    response.close()  # the server closes the response: the download is logged
    cached = service.still_path(video, 37, "png")
    assert cached.read_bytes() == body
    assert cached.parent == Path(app.config["MEDIA_ROOT"]).resolve() / "stills" / str(video.id)
    with av.open(str(cached)) as container:
        frame = next(container.decode(video=0))
    assert (frame.width, frame.height) == (384, 216)
    row = db.session.execute(db.select(Download)).scalar_one()
    assert (row.user_id, row.video_id, row.rendition) == (logged_in.id, video.id, "still")
    assert (row.in_frame, row.out_frame, row.bytes_sent) == (37, 38, len(body))


def test_the_second_request_is_served_from_the_cache(client, make_video, logged_in, monkeypatch):
    video = make_video()
    first = client.get(url(video, 5, "jpg"))
    assert first.status_code == 200
    first.close()
    calls = []
    monkeypatch.setattr(service, "grab_still", lambda *a, **k: calls.append(a))
    response = client.get(url(video, 5, "jpg"))
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.get_data()[:2] == b"\xff\xd8"
    response.close()
    assert calls == []
    assert db.session.execute(db.select(db.func.count(Download.id))).scalar_one() == 2


@pytest.mark.parametrize("frame", ["75", "99999999999", "-1", "abc"])
def test_a_frame_outside_the_master_is_404(client, make_video, logged_in, frame):
    video = make_video()  # 75 frames: 0..74
    response = client.get(f"/videos/{video.id}/stills/{frame}.png")
    assert response.status_code == 404


def test_an_unpublished_video_has_no_stills(client, make_video, logged_in):
    video = make_video(published=False)
    assert client.get(url(video, 1)).status_code == 404
    assert client.get(f"/videos/{video.id}/stills/1.gif").status_code == 404


def test_staff_follow_the_same_download_rule(client, make_video, make_user):
    video = make_video(published=False)
    staff = terms(make_user(email="staff@example.org", staff=True, language="en"), False)
    sign_in(client, staff)
    assert client.get(url(video, 1)).status_code == 403  # terms not accepted
    sign_in(client, terms(staff, True))
    assert client.get(url(video, 1)).status_code == 200


def test_the_buttons_partial_points_at_the_stills_of_the_video(app, make_video):
    video = make_video()
    with app.test_request_context("/"):
        html = render_template("stills/_buttons.html", video=video)
        link = render_template("scripts/_link.html", video=video)
    assert 'data-fps-num="25"' in html and 'data-frames="75"' in html
    assert f'data-png-url="/videos/{video.id}/stills/{{frame}}.png"' in html
    assert f'data-jpg-url="/videos/{video.id}/stills/{{frame}}.jpg"' in html
    assert f'href="/videos/{video.id}/stills/0.png"' in html  # without JavaScript
    assert "js/stills.js" in html and "css/stills.css" in html
    assert f'href="/videos/{video.id}/script"' in link


def test_making_stills_is_rate_limited_but_cached_ones_are_free(client, make_video, logged_in, app):
    app.config["STILL_LIMIT_PER_USER"] = "2 per minute"
    video = make_video()
    for frame in (1, 2):
        response = client.get(url(video, frame))
        assert response.status_code == 200
        response.close()
    assert client.get(url(video, 3)).status_code == 429
    again = client.get(url(video, 1))  # already made: no new work, no count
    assert again.status_code == 200
    again.close()
