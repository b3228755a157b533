"""Saving a search from the results page, managing it on the account page, and every
way of asking for what is not yours or not valid."""

import re

import pytest

from app.alerts import service
from app.clock import utcnow
from app.extensions import db
from app.models import SavedSearch
from tests.alerts.conftest import logged_in_client
from tests.alerts.helpers import save_search
from tests.helpers import csrf_token


def _account(client):
    page = client.get("/account/")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_search_is_saved_from_its_results_page_with_its_filters(app, reader):
    search = save_search(reader, "q=storm+-rain&tag=weather&from=2026-01-02", name="Storms")
    db.session.refresh(search)
    assert search.user_id == reader.user.id
    assert search.name == "Storms" and search.language == "en"
    assert search.frequency == "immediate" and search.alerts_on
    assert search.query == "q=storm+-rain&from=2026-01-02&tag=weather"
    filters = service.filters_of(search.query)
    assert (filters.q, filters.tag, str(filters.date_from)) == (
        "storm -rain",
        "weather",
        "2026-01-02",
    )


def test_visitors_see_no_save_form_and_cannot_save(app, client):
    assert 'action="/alerts/searches"' not in client.get("/videos?q=storm").get_data(as_text=True)
    response = client.post("/alerts/searches", data={"name": "x"})
    assert response.status_code in (302, 400)  # the login page, or CSRF first
    assert db.session.execute(db.select(db.func.count(SavedSearch.id))).scalar() == 0


def test_the_account_page_lists_each_search_with_its_results_and_feed(app, reader, make_video):
    search = save_search(reader, "q=storm", name="Harbour storms", language="fr")
    body = _account(reader)
    assert "Harbour storms" in body
    assert 'href="/videos?q=storm"' in body
    feed = re.search(r'href="(http://127\.0\.0\.1:8000/feeds/fr/videos\.rss\?q=storm)"', body)
    assert feed, body[body.find("saved-searches") :][:2000]
    assert search.language == "fr"
    # The feed link answers with the search's videos, in the search's language.
    video = make_video()
    video.published, video.published_at = True, utcnow()
    make_video(slug="calm", title_en="Calm sea", title_fr="Mer calme").published = True
    db.session.commit()
    rss = reader.get(feed.group(1).removeprefix("http://127.0.0.1:8000"))
    assert rss.status_code == 200 and rss.mimetype == "application/rss+xml"
    body = rss.get_data(as_text=True)
    assert "Tempête sur le port" in body and "Mer calme" not in body


def test_rename_change_frequency_turn_off_and_delete(app, reader):
    search = save_search(reader, "q=storm", name="Storms")
    token = csrf_token(_account(reader))
    prefix = f"s{search.id}-"
    response = reader.post(
        f"/account/saved-searches/{search.id}",
        data={"csrf_token": token, prefix + "name": "Gales", prefix + "frequency": "daily"},
    )
    assert response.status_code == 302
    db.session.refresh(search)
    assert (search.name, search.frequency, search.alerts_on) == ("Gales", "daily", False)
    reader.post(
        f"/account/saved-searches/{search.id}",
        data={
            "csrf_token": token,
            prefix + "name": "Gales",
            prefix + "frequency": "immediate",
            prefix + "alerts_on": "y",
        },
    )
    db.session.refresh(search)
    assert (search.frequency, search.alerts_on) == ("immediate", True)
    assert "Gales" in _account(reader)
    response = reader.post(
        f"/account/saved-searches/{search.id}/delete", data={"csrf_token": token}
    )
    assert response.status_code == 302
    search_id = search.id
    db.session.expunge_all()
    assert db.session.get(SavedSearch, search_id) is None
    assert "Gales" not in _account(reader)


def test_another_users_search_is_a_404(app, reader, make_user):
    search = save_search(reader, "q=storm", name="Ada's")
    make_user(email="eve@example.org")
    eve = logged_in_client(app, "eve@example.org")
    token = csrf_token(_account(eve))
    assert "Ada&#39;s" not in _account(eve)
    for url in (
        f"/account/saved-searches/{search.id}",
        f"/account/saved-searches/{search.id}/delete",
    ):
        data = {
            "csrf_token": token,
            f"s{search.id}-name": "Mine",
            f"s{search.id}-frequency": "daily",
        }
        assert eve.post(url, data=data).status_code == 404
    own = {"csrf_token": csrf_token(_account(reader))}
    assert reader.post("/account/saved-searches/999999", data=own).status_code == 404
    assert reader.post("/account/saved-searches/0", data={}).status_code == 404
    db.session.refresh(search)
    assert search.name == "Ada's"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"query": "from=14/03/2026"}, "This search cannot be saved: correct its filters first."),
        ({"query": "sort=sideways"}, "This search cannot be saved: correct its filters first."),
        ({"query": "q=" + "x" * 1200}, "This search is too long to save."),
        ({"name": ""}, "Give the search a name."),
        ({"name": "n" * 101}, "A name has at most 100 characters."),
        ({"frequency": "hourly"}, "Choose how often you receive alerts."),
        ({"language": "de"}, "Choose one of the languages offered."),
    ],
)
def test_bad_values_are_a_400_that_says_why(app, reader, changes, message):
    token = csrf_token(reader.get("/videos").get_data(as_text=True))
    data = {"csrf_token": token, "query": "q=storm", "name": "S", "language": "en"}
    data["frequency"] = "immediate"
    data.update(changes)
    response = reader.post("/alerts/searches", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(SavedSearch.id))).scalar() == 0


def test_refusals_are_translated(app, reader):
    reader.user.language = "fr"
    db.session.commit()
    token = csrf_token(reader.get("/videos").get_data(as_text=True))
    data = {"csrf_token": token, "query": "to=demain", "name": "S", "language": "fr"}
    response = reader.post("/alerts/searches", data={**data, "frequency": "immediate"})
    assert response.status_code == 400
    assert "Cette recherche ne peut pas être enregistrée" in response.get_data(as_text=True)


def test_no_csrf_token_no_save_and_no_change(app, reader):
    search = save_search(reader, "q=storm")
    assert reader.post("/alerts/searches", data={"name": "x", "query": ""}).status_code == 400
    prefix = f"s{search.id}-"
    bad = {prefix + "name": "Hijacked", prefix + "frequency": "daily"}
    assert reader.post(f"/account/saved-searches/{search.id}", data=bad).status_code == 400
    assert reader.post(f"/account/saved-searches/{search.id}/delete").status_code == 400
    db.session.refresh(search)
    assert search.name == "Storms"


def test_a_bad_edit_is_a_400_with_the_form(app, reader):
    search = save_search(reader, "q=storm")
    token = csrf_token(_account(reader))
    prefix = f"s{search.id}-"
    response = reader.post(
        f"/account/saved-searches/{search.id}",
        data={"csrf_token": token, prefix + "name": " ", prefix + "frequency": "weekly"},
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Give the search a name." in body and "Choose how often you receive alerts." in body


def test_a_user_holds_a_bounded_number_of_searches(app, reader, monkeypatch):
    monkeypatch.setattr(service, "MAX_SEARCHES_PER_USER", 2)
    save_search(reader, "q=one")
    save_search(reader, "q=two")
    token = csrf_token(reader.get("/videos").get_data(as_text=True))
    response = reader.post(
        "/alerts/searches",
        data={
            "csrf_token": token,
            "query": "q=three",
            "name": "3",
            "language": "en",
            "frequency": "daily",
        },
    )
    assert response.status_code == 400
    assert "You have 2 saved searches" in response.get_data(as_text=True)
