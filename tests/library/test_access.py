"""Who sees what: anonymous, unverified, verified and staff; unpublished videos are 404."""

import pytest

from app.extensions import db
from app.models import Download, User
from tests.conftest import PASSWORD
from tests.helpers import post_form
from tests.library.conftest import FHD_BYTES, MASTER_BYTES, SD_BYTES


def page_of(video):
    return f"/videos/{video.id}-{video.slug}"


def test_video_page_redirects_to_the_canonical_slug(client, make_video):
    video = make_video(slug="defence-ministers")
    for wrong in (f"/videos/{video.id}", f"/videos/{video.id}-old-slug"):
        response = client.get(wrong)
        assert response.status_code == 301
        assert response.headers["Location"].endswith(f"/videos/{video.id}-defence-ministers")


def test_anonymous_sees_the_page_and_an_invitation_not_the_downloads(client, make_video):
    video = make_video()
    html = client.get(page_of(video), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Defence ministers meet" in html
    assert "Create an account" in html
    assert f"/login?next=/videos/{video.id}-{video.slug}" in html.replace("%2F", "/").replace(
        "%23", "#"
    )
    assert f"/videos/{video.id}/download/original" not in html
    # The panel still says what there is: the master with its summary and size.
    assert "ProRes 422 HQ 1920×1080i50" in html


def test_anonymous_download_goes_to_login_and_back_to_the_video(client, make_video):
    video = make_video()
    response = client.get(f"/videos/{video.id}/download/original")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login?next=")
    assert f"videos/{video.id}-{video.slug}" in location.replace("%2F", "/")


def test_login_from_the_panel_returns_to_the_video(client, make_video, make_user):
    video = make_video()
    make_user(email="ada@example.org")
    target = f"/videos/{video.id}-{video.slug}"
    response = post_form(
        client,
        f"/login?next={target}",
        {"email": "ada@example.org", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(target)


def test_unverified_user_cannot_download(client, make_video, make_user, login):
    video = make_video()
    # The login form refuses unverified accounts; a session can still belong to one (an
    # address whose verification was withdrawn): the library must check by itself.
    user = make_user(email="new@example.org", language="en")
    login("new@example.org")
    user.verified_at = None
    db.session.commit()
    html = client.get(page_of(video)).get_data(as_text=True)
    assert "verify your e-mail address" in html
    assert f"/videos/{video.id}/download/original" not in html
    response = client.get(f"/videos/{video.id}/download/original")
    assert response.status_code == 302
    assert MASTER_BYTES[:100] not in response.data
    assert db.session.execute(db.select(Download)).first() is None


def test_the_terms_accepted_at_sign_up_suffice_until_staff_publish_a_new_version(
    client, make_video, make_user, login, clock
):
    from app.models import TermsVersion

    video = make_video()
    make_user(email="ada@example.org", language="en")  # accepted the terms at sign-up
    login("ada@example.org")
    html = client.get(page_of(video)).get_data(as_text=True)
    assert "I accept the usage terms" not in html  # no second acceptance
    assert client.get(f"/videos/{video.id}/download/original").status_code == 200

    clock.advance(minutes=1)
    db.session.add(TermsVersion(note="New credit rules"))  # staff publish a new version
    db.session.commit()
    html = client.get(page_of(video)).get_data(as_text=True)
    assert "I accept the usage terms" in html
    # Before accepting, the download route sends back to the terms.
    response = client.get(f"/videos/{video.id}/download/original")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#download")
    # Without ticking the box: refused, nothing recorded.
    before = User.by_email("ada@example.org").terms_accepted_at
    post_form(client, f"/videos/{video.id}/accept-terms", {}, page=page_of(video))
    db.session.expire_all()
    assert User.by_email("ada@example.org").terms_accepted_at == before
    clock.advance(minutes=1)
    response = post_form(
        client, f"/videos/{video.id}/accept-terms", {"accept": "yes"}, page=page_of(video)
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert User.by_email("ada@example.org").terms_accepted_at > before
    html = client.get(page_of(video)).get_data(as_text=True)
    assert "I accept the usage terms" not in html
    assert f"/videos/{video.id}/download/original" in html
    response = client.get(f"/videos/{video.id}/download/original", buffered=True)
    assert response.status_code == 200
    assert response.data == MASTER_BYTES


def test_download_panel_lists_the_master_and_renditions_with_sizes(client, make_video, verified):
    video = make_video()
    html = client.get(page_of(video)).get_data(as_text=True)
    assert "Original" in html and "ProRes 422 HQ 1920×1080i50" in html
    assert "1.0\u00a0MiB" in html  # the ~1 MiB master: binary units, named as such
    assert "Full HD 1080p" in html and "HD 720p" in html
    assert "195\u00a0KiB" in html  # FHD_BYTES is 200,000 bytes
    assert "SD 576i25 (interlaced)" in html and "H.264/AAC MP4 720×576" in html
    for name in ("original", "fhd", "hd", "sd"):
        assert f"/videos/{video.id}/download/{name}" in html
    assert f"/videos/{video.id}/download/proxy" not in html


def test_the_sd_rendition_is_offered_in_french_and_downloads(client, make_video, verified):
    video = make_video()
    verified.language = "fr"
    db.session.commit()
    html = client.get(page_of(video)).get_data(as_text=True)
    assert "SD 576i25 (entrelacé)" in html
    response = client.get(f"/videos/{video.id}/download/sd", buffered=True)
    assert response.status_code == 200 and response.data == SD_BYTES
    assert "_sd.mp4" in response.headers["Content-Disposition"]


def test_the_proxy_is_not_a_download(client, make_video, verified):
    video = make_video()
    assert client.get(f"/videos/{video.id}/download/proxy").status_code == 404
    assert client.get(f"/videos/{video.id}/download/nonsense").status_code == 404


def test_rendition_download_has_a_dated_filename(client, make_video, verified):
    video = make_video(slug="defence-ministers-meet")
    response = client.get(f"/videos/{video.id}/download/fhd", buffered=True)
    assert response.status_code == 200
    assert response.data == FHD_BYTES
    assert (
        "filename=2026-03-14_defence-ministers-meet_fhd.mp4"
        in response.headers["Content-Disposition"]
    )


def test_non_ascii_slug_gets_rfc6266_filename(client, make_video, verified):
    video = make_video(slug="réunion-défense")
    response = client.get(f"/videos/{video.id}/download/original", buffered=True)
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''2026-03-14_r%C3%A9union-d%C3%A9fense_original.mov" in disposition
    assert "filename=2026-03-14_reunion-defense_original.mov" in disposition


@pytest.mark.parametrize(
    "url",
    [
        "/videos/{id}-{slug}",
        "/videos/{id}/files/poster.jpg",
        "/videos/{id}/files/thumbs.jpg",
        "/videos/{id}/files/thumbs.vtt",
        "/videos/{id}/files/proxy.mp4",
        "/videos/{id}/download/original",
        "/videos/{id}/download/fhd",
    ],
)
def test_unpublished_is_404_for_visitors_and_users_files_included(
    client, make_video, verified, url
):
    video = make_video(published=False)
    response = client.get(url.format(id=video.id, slug=video.slug))
    assert response.status_code == 404


def test_unpublished_is_404_for_anonymous(client, make_video):
    video = make_video(published=False)
    assert client.get(f"/videos/{video.id}-{video.slug}").status_code == 404
    assert client.get(f"/videos/{video.id}/files/proxy.mp4").status_code == 404


def test_staff_see_unpublished_videos_and_their_files(client, make_video, make_user, login):
    from app.clock import utcnow

    video = make_video(published=False)
    make_user(email="staff@example.org", staff=True, terms_accepted_at=utcnow())
    login("staff@example.org")
    assert client.get(f"/videos/{video.id}-{video.slug}").status_code == 200
    assert client.get(f"/videos/{video.id}/files/proxy.mp4").status_code == 200
    response = client.get(f"/videos/{video.id}/download/original", buffered=True)
    assert response.status_code == 200


def test_unpublished_videos_are_not_listed(client, make_video):
    make_video(title_en="Visible one", published=True)
    make_video(title_en="Hidden one", published=False)
    html = client.get("/videos", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Visible one" in html
    assert "Hidden one" not in html
    html = client.get("/videos?q=hidden", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Hidden one" not in html


def test_player_files_are_served_only_by_name_of_this_video(client, make_video):
    video = make_video()
    response = client.get(f"/videos/{video.id}/files/poster.jpg", buffered=True)
    assert response.status_code == 200
    assert response.data == b"\xff\xd8poster"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert client.get(f"/videos/{video.id}/files/thumbs.vtt").mimetype == "text/vtt"
    # The master and the download renditions are never player files.
    for name in ("master.mov", "fhd.mp4", "hd.mp4", "..%2Fmaster.mov", "x"):
        assert client.get(f"/videos/{video.id}/files/{name}").status_code == 404


def test_proxy_answers_ranges_for_the_player(client, make_video):
    video = make_video(proxy_bytes=b"0123456789" * 100)
    response = client.get(
        f"/videos/{video.id}/files/proxy.mp4", headers={"Range": "bytes=10-19"}, buffered=True
    )
    assert response.status_code == 206
    assert response.data == b"0123456789"
    # Watching is not downloading: no log row.
    assert db.session.execute(db.select(Download)).first() is None


def test_missing_video_is_404(client):
    assert client.get("/videos/999999-nothing").status_code == 404
    assert client.get("/videos/999999/download/original").status_code == 404
