"""The account's download history: the block on the account page and the full list."""

from app.extensions import db
from app.models import Download


def test_history_block_and_page_list_the_users_downloads(client, make_video, verified):
    video = make_video(title_en="Defence ministers meet")
    other = make_video(title_en="Floods in the south-west")
    client.get(f"/videos/{video.id}/download/original", buffered=True)
    client.get(f"/videos/{video.id}/download/original", buffered=True)  # same day: one line
    client.get(f"/videos/{other.id}/download/hd", buffered=True)
    account = client.get("/account/").get_data(as_text=True)
    assert "Your downloads" in account
    assert "Defence ministers meet" in account and "Floods in the south-west" in account
    assert "HD 720p" in account and "Original" in account
    page = client.get("/account/downloads").get_data(as_text=True)
    assert page.count("<tr>") == 1 + 2  # header + two lines
    assert "2.0\u00a0MiB" in page  # two full masters


def test_history_is_private(client, make_video, make_user, verified):
    video = make_video(title_en="Someone else's choice")
    stranger = make_user(email="bob@example.org")
    db.session.add(
        Download(user_id=stranger.id, video_id=video.id, rendition="master", bytes_sent=5)
    )
    db.session.commit()
    page = client.get("/account/downloads").get_data(as_text=True)
    assert "Someone else" not in page
    assert "You have not downloaded any video yet." in page


def test_history_needs_a_login(client):
    response = client.get("/account/downloads")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_history_pages(client, make_video, verified):
    assert client.get("/account/downloads?page=2").status_code == 200
    for bad in ("0", "x", "9" * 30):
        assert client.get(f"/account/downloads?page={bad}").status_code == 400


def test_history_hides_the_link_of_a_video_no_longer_published(client, make_video, verified):
    video = make_video(title_en="Withdrawn later")
    client.get(f"/videos/{video.id}/download/hd", buffered=True)
    video.published = False
    db.session.commit()
    page = client.get("/account/downloads").get_data(as_text=True)
    assert "Video no longer published" in page
    assert f"/videos/{video.id}-" not in page
