"""The JSON API: tokens, search, metadata, rights, downloads in the log, clips."""

import hashlib

from app.extensions import db
from app.models import ApiToken, Download
from tests.clips.conftest import sign_in

SITE = "http://127.0.0.1:8000"


def test_no_token_is_a_401_in_json(client, library_video):
    library_video()
    for headers in ({}, {"Authorization": "Bearer rsh_nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/videos", headers=headers)
        assert response.status_code == 401
        assert response.is_json
        assert "Bearer" in response.get_json()["error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_is_not_a_token(client, library_video, logged_in):
    library_video()
    assert client.get("/api/v1/videos").status_code == 401


def test_search_with_the_sites_filters_and_pages(client, library_video, bearer):
    library_video(slug="storm-one", tags=("weather",))
    library_video(slug="storm-two", tags=("politics",))
    response = client.get("/api/v1/videos?tag=weather", headers=bearer)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["total"] == 1
    assert body["items"][0]["tags"] == ["weather"]
    assert body["items"][0]["url"].startswith("http://127.0.0.1:8000/videos/")
    paged = client.get("/api/v1/videos?per_page=1", headers=bearer).get_json()
    assert paged["total"] == 2 and paged["pages"] == 2 and len(paged["items"]) == 1
    assert paged["links"]["next"] == f"{SITE}/api/v1/videos?page=2&per_page=1&lang=en"
    assert paged["links"]["prev"] is None
    found = client.get("/api/v1/videos?q=storm&lang=en", headers=bearer).get_json()
    assert found["total"] == 2
    assert found["items"][0]["title"] == "Storm in the harbour"


def test_search_errors_are_400_json(client, library_video, bearer):
    for query in ("from=yesterday", "per_page=0", "per_page=abc", "sort=nonsense"):
        response = client.get(f"/api/v1/videos?{query}", headers=bearer)
        assert response.status_code == 400, query
        assert response.is_json


def test_list_answers_304_to_its_etag(client, library_video, bearer):
    video = library_video()
    first = client.get("/api/v1/videos", headers=bearer)
    etag = first.headers["ETag"]
    again = client.get("/api/v1/videos", headers={**bearer, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    next(t for t in video.texts if t.lang == "en").title = "Another title"
    db.session.commit()
    changed = client.get("/api/v1/videos", headers={**bearer, "If-None-Match": etag})
    assert changed.status_code == 200


def test_video_metadata_in_both_languages(client, library_video, bearer):
    video = library_video()
    body = client.get(f"/api/v1/videos/{video.id}", headers=bearer).get_json()
    assert body["texts"]["fr"]["title"] == "Tempête sur le port"
    assert body["texts"]["en"]["title"] == "Storm in the harbour"
    assert body["credit"] == "Harbour TV & Co <pool>"
    assert {r["name"]: r["size"] for r in body["renditions"]} == {"proxy": 2000, "fhd": 3000}
    assert [d["name"] for d in body["downloads"]] == ["original", "fhd"]
    assert body["shots"]["en"][1] == {
        "timecode": "10:00:01:00",
        "description": "Boat",
        "seconds": 1.0,
    }
    shots = client.get(f"/api/v1/videos/{video.id}/shots", headers=bearer).get_json()
    assert shots["shots"]["fr"][0]["description"] == "Vagues sur la digue"
    renditions = client.get(f"/api/v1/videos/{video.id}/renditions", headers=bearer).get_json()
    assert renditions["renditions"][1]["download_url"].endswith(
        f"/api/v1/videos/{video.id}/download/fhd"
    )


def test_unpublished_and_unknown_videos_are_404(client, library_video, bearer):
    hidden = library_video(published=False)
    for url in (f"/api/v1/videos/{hidden.id}", "/api/v1/videos/999999", "/api/v1/videos/0"):
        response = client.get(url, headers=bearer)
        assert response.status_code == 404 and response.is_json


def test_download_through_the_api_is_logged(client, library_video, bearer, downloader):
    video = library_video()
    response = client.get(f"/api/v1/videos/{video.id}/download/fhd", headers=bearer)
    assert response.status_code == 200
    assert len(response.data) == 3000
    response.close()
    rows = db.session.execute(db.select(Download)).scalars().all()
    assert [(r.user_id, r.video_id, r.rendition, r.bytes_sent) for r in rows] == [
        (downloader.id, video.id, "fhd", 3000)
    ]
    original = client.get(f"/api/v1/videos/{video.id}/download/original", headers=bearer)
    assert original.status_code == 200
    original.close()
    missing = client.get(f"/api/v1/videos/{video.id}/download/nope", headers=bearer)
    assert missing.status_code == 404 and missing.is_json


def test_rights_are_the_sites(client, library_video, make_user, token_of):
    video = library_video()
    unverified = make_user(email="bob@example.org", verified=False)
    no_terms = make_user(email="eve@example.org")
    no_terms.terms_accepted_at = None  # the terms in force not accepted
    db.session.commit()
    for user in (unverified, no_terms):
        headers = {"Authorization": f"Bearer {token_of(user)}"}
        response = client.get(f"/api/v1/videos/{video.id}/download/fhd", headers=headers)
        assert response.status_code == 403 and response.is_json
        clip = client.post(
            f"/api/v1/videos/{video.id}/clips",
            json={"in_frame": 0, "out_frame": 10},
            headers=headers,
        )
        assert clip.status_code == 403
    assert db.session.execute(db.select(Download)).first() is None


def test_tokens_are_hashed_at_rest_and_revocable(client, downloader, token_of, library_video):
    library_video()
    token = token_of(downloader, "newsroom")
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.prefix) and token.startswith(row.prefix)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/videos", headers=headers).status_code == 200
    second = token_of(downloader, "second")
    sign_in(client, downloader)
    page = client.get("/account/api-tokens").get_data(as_text=True)
    assert "newsroom" in page and "second" in page and token not in page
    csrf = _csrf(page)
    response = client.post(
        "/account/api-tokens/revoke", data={"csrf_token": csrf, "token_id": row.id}
    )
    assert response.status_code == 302
    assert client.get("/api/v1/videos", headers=headers).status_code == 401
    assert (
        client.get("/api/v1/videos", headers={"Authorization": f"Bearer {second}"}).status_code
        == 200
    )


def test_token_created_on_the_account_page_is_shown_once(client, downloader):
    sign_in(client, downloader)
    csrf = _csrf(client.get("/account/api-tokens").get_data(as_text=True))
    response = client.post("/account/api-tokens", data={"csrf_token": csrf, "name": "Desk"})
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    token = html.split("data-api-token>")[1].split("<")[0]
    assert token.startswith("rsh_")
    assert (
        client.get("/api/v1/videos", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    assert token not in client.get("/account/api-tokens").get_data(as_text=True)
    refused = client.post("/account/api-tokens", data={"name": "no csrf"})
    assert refused.status_code == 400


def test_another_users_token_cannot_be_revoked(client, downloader, make_user, token_of):
    other = make_user(email="bob@example.org")
    token = token_of(other)
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    sign_in(client, downloader)
    csrf = _csrf(client.get("/account/api-tokens").get_data(as_text=True))
    client.post("/account/api-tokens/revoke", data={"csrf_token": csrf, "token_id": row.id})
    assert (
        client.get("/api/v1/videos", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )


def test_another_users_clip_is_404(client, library_video, make_user, token_of, bearer):
    video = library_video()
    created = client.post(
        f"/api/v1/videos/{video.id}/clips",
        json={"in": "10:00:00:00", "out": "10:00:01:00"},
        headers=bearer,
    )
    assert created.status_code == 202, created.get_data(as_text=True)
    other = {"Authorization": f"Bearer {token_of(make_user(email='bob@example.org'))}"}
    assert client.get(f"/api/v1/clips/{created.get_json()['id']}", headers=other).status_code == 404


def test_a_clip_through_the_api_is_done_and_downloadable(client, library_video, bearer):
    video = library_video()
    response = client.post(
        f"/api/v1/videos/{video.id}/clips",
        json={"in": "10:00:00:00", "out": "10:00:01:00"},
        headers=bearer,
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "done"  # huey runs immediately in tests
    assert body["frames"] == 25 and body["tc_in"] == "10:00:00:00"
    assert response.headers["Location"] == body["status_url"]
    assert body["status_url"].startswith("http://127.0.0.1:8000/api/v1/clips/")
    status = client.get(body["status_url"].removeprefix("http://127.0.0.1:8000"), headers=bearer)
    assert status.get_json()["status"] == "done"
    download = client.get(
        body["download_url"].removeprefix("http://127.0.0.1:8000"), headers=bearer
    )
    assert download.status_code == 200 and len(download.data) > 1000
    download.close()
    logged = db.session.execute(db.select(Download)).scalar_one()
    assert (logged.rendition, logged.in_frame, logged.out_frame) == ("clip", 0, 25)


def test_bad_clip_bodies_are_4xx(client, library_video, bearer):
    video = library_video()
    url = f"/api/v1/videos/{video.id}/clips"
    for body in ([1, 2], {"in": 5, "out": 7}, {"in_frame": 10, "out_frame": 5}, {}, "x"):
        response = client.post(url, json=body, headers=bearer)
        assert response.status_code == 400, body
        assert response.is_json
    assert (
        client.post(
            url, data="not json", headers={**bearer, "Content-Type": "application/json"}
        ).status_code
        == 400
    )


def test_rate_limit_per_token(app, client, library_video, bearer, downloader, token_of):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    statuses = [client.get("/api/v1/videos", headers=bearer).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/videos", headers=bearer)
    assert limited.is_json and limited.get_json()["status"] == 429
    fresh = {"Authorization": f"Bearer {token_of(downloader, 'other')}"}
    assert client.get("/api/v1/videos", headers=fresh).status_code == 200


def _csrf(html):
    return html.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]


def test_deleting_the_account_deletes_its_tokens(client, downloader, token_of):
    token = token_of(downloader)
    db.session.delete(downloader)
    db.session.commit()
    assert db.session.execute(db.select(ApiToken)).first() is None
    assert (
        client.get("/api/v1/videos", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
