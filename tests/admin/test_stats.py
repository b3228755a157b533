"""Staff statistics of the download log (admin area): who may see them, counts, CSV, periods."""

import csv
import io
from itertools import count

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import Download, Video, VideoText


@pytest.fixture
def make_video(app):
    """make_video(title_en=...) -> a published Video (the statistics need no files)."""
    numbers = count(1)

    def make(title_en="Defence ministers meet"):
        video = Video(slug=f"video-{next(numbers)}", status="ready", published=True)
        video.texts = [VideoText(lang="en", title=title_en), VideoText(lang="fr", title="Titre")]
        db.session.add(video)
        db.session.commit()
        return video

    return make


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


def test_stats_accept_the_last_day_a_date_can_hold(client, make_video, make_user, login):
    video = make_video()
    _log(make_user(email="ada@example.org"), video)
    db.session.commit()
    make_user(email="staff@example.org", staff=True, language="en")
    login("staff@example.org")
    assert client.get("/admin/stats?to=9999-12-31").status_code == 200
    table = client.get("/admin/stats/videos.csv?from=2000-01-01&to=9999-12-31").get_data(
        as_text=True
    )
    assert len(table.strip().splitlines()) == 2
    assert client.get("/admin/stats/users.csv?from=0001-01-01").status_code == 200


def test_stats_csv_refuses_bad_periods(client, make_user, login):
    make_user(email="staff@example.org", staff=True, language="en")
    login("staff@example.org")
    for query in ("to=2026-02-30", "from=2026-03-02&to=2026-03-01", "to=99999-01-01"):
        assert client.get(f"/admin/stats/videos.csv?{query}").status_code == 400
    assert client.get("/admin/stats/other.csv").status_code == 404


def test_stats_are_linked_from_the_admin_pages(client, make_user, login):
    make_user(email="staff@example.org", staff=True, language="en")
    login("staff@example.org")
    html = client.get("/admin/stats").get_data(as_text=True)
    assert 'href="/admin/stats"' in html
