"""The download log, the user's history and the staff statistics with CSV export."""

import csv
import io

from app.clock import utcnow
from app.extensions import db
from app.models import Download
from tests.library.conftest import FHD_BYTES, MASTER_BYTES


def rows():
    db.session.expire_all()
    return db.session.execute(db.select(Download).order_by(Download.id)).scalars().all()


def test_full_download_is_logged_with_bytes_and_address(client, make_video, verified):
    video = make_video()
    response = client.get(
        f"/videos/{video.id}/download/original",
        buffered=True,
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.data == MASTER_BYTES
    [row] = rows()
    assert row.user_id == verified.id
    assert row.video_id == video.id
    assert row.rendition == "master"
    assert row.bytes_sent == len(MASTER_BYTES)
    assert row.range_header is None
    assert row.client_address == "203.0.113.9"
    assert row.created_at is not None


def test_resumed_download_logs_the_range_and_its_bytes(client, make_video, verified):
    video = make_video()
    response = client.get(
        f"/videos/{video.id}/download/fhd", headers={"Range": "bytes=1000-"}, buffered=True
    )
    assert response.status_code == 206
    assert response.data == FHD_BYTES[1000:]
    [row] = rows()
    assert row.rendition == "fhd"
    assert row.range_header == "bytes=1000-"
    assert row.bytes_sent == len(FHD_BYTES) - 1000


def test_conditional_answers_are_not_logged(client, make_video, verified):
    video = make_video()
    etag = client.get(f"/videos/{video.id}/download/fhd", buffered=True).headers["ETag"]
    client.get(f"/videos/{video.id}/download/fhd", headers={"If-None-Match": etag}, buffered=True)
    client.head(f"/videos/{video.id}/download/fhd")
    assert len(rows()) == 1


def test_a_broken_download_logs_what_was_sent(client, make_video, verified, app):
    app.config["DOWNLOAD_BLOCK_SIZE"] = 64 * 1024
    video = make_video()
    response = client.get(f"/videos/{video.id}/download/original")
    stream = iter(response.response)
    next(stream), next(stream), next(stream)
    response.close()  # the client went away after three blocks
    [row] = rows()
    assert row.bytes_sent == 2 * 64 * 1024


def test_x_accel_redirect_download_is_authorised_and_logged(client, make_video, verified, app):
    app.config["X_ACCEL_REDIRECT"] = True
    video = make_video()
    response = client.get(f"/videos/{video.id}/download/original", buffered=True)
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == f"/_protected/videos/{video.id}/master.mov"
    assert response.data == b""
    [row] = rows()
    assert row.bytes_sent == len(MASTER_BYTES)


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
    assert "2.1\u00a0MB" in page  # two full masters


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


def _log(user, video, rendition="master", size=1000):
    db.session.add(
        Download(
            user_id=user.id if user else None,
            video_id=video.id,
            rendition=rendition,
            bytes_sent=size,
            created_at=utcnow(),
        )
    )


def test_stats_are_404_for_everyone_but_staff(client, make_user, login):
    assert client.get("/admin/stats").status_code == 404
    assert client.get("/admin/stats/videos.csv").status_code == 404
    make_user(email="ada@example.org")
    login("ada@example.org")
    assert client.get("/admin/stats").status_code == 404
    assert client.get("/admin/stats/users.csv").status_code == 404


def test_stats_count_per_video_and_per_user_and_export_csv(client, make_video, make_user, login):
    first = make_video(title_en="=HYPERLINK(evil)")
    second = make_video(title_en="Floods")
    ada = make_user(email="ada@example.org", full_name="Ada Lovelace")
    bob = make_user(email="bob@example.org", full_name="Bob", organisation="+cmd")
    _log(ada, first, size=100)
    _log(ada, first, "fhd", size=200)
    _log(bob, first, size=300)
    _log(bob, second, "hd", size=400)
    db.session.commit()
    make_user(email="staff@example.org", staff=True, language="en")
    login("staff@example.org")

    html = client.get("/admin/stats").get_data(as_text=True)
    assert "Download statistics" in html
    assert "Floods" in html and "Ada Lovelace" in html

    response = client.get("/admin/stats/videos.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_id = {int(r["video_id"]): r for r in table}
    assert by_id[first.id]["downloads"] == "3"
    assert by_id[first.id]["users"] == "2"
    assert by_id[first.id]["bytes_sent"] == "600"
    assert by_id[first.id]["title"] == "'=HYPERLINK(evil)"  # no formula in a spreadsheet
    assert by_id[second.id]["downloads"] == "1"

    response = client.get("/admin/stats/users.csv")
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_mail = {r["email"]: r for r in table}
    assert by_mail["ada@example.org"]["downloads"] == "2"
    assert by_mail["ada@example.org"]["videos"] == "1"
    assert by_mail["bob@example.org"]["videos"] == "2"
    assert by_mail["bob@example.org"]["bytes_sent"] == "700"
    assert by_mail["bob@example.org"]["organisation"] == "'+cmd"


def test_stats_period_filter_and_bad_dates(client, make_video, make_user, login, clock):
    video = make_video()
    ada = make_user(email="ada@example.org")
    _log(ada, video)
    db.session.commit()
    make_user(email="staff@example.org", staff=True, language="en")
    login("staff@example.org")
    today = utcnow().date()
    table = client.get(f"/admin/stats/videos.csv?from={today}&to={today}").get_data(as_text=True)
    assert len(table.strip().splitlines()) == 2
    table = client.get("/admin/stats/videos.csv?from=2000-01-01&to=2000-01-02").get_data(
        as_text=True
    )
    assert len(table.strip().splitlines()) == 1
    response = client.get("/admin/stats?from=yesterday")
    assert response.status_code == 400
    assert 'value="yesterday"' in response.get_data(as_text=True)
    assert client.get("/admin/stats/videos.csv?from=yesterday").status_code == 400
