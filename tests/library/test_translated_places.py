"""Places and usage terms in each language (VideoText.location, .usage_terms): English
pages show "Brussels, Belgium", French ones « Bruxelles, Belgique »; the filters list
the places of the page's language and sort them, and the categories, alphabetically
for people ("économie" among the e's, whatever the case)."""

import re
from datetime import date

import pytest

from app.extensions import db
from app.formatting import collation_key
from app.models import VideoText
from tests.library.test_search import titles

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


@pytest.fixture
def brussels(make_video):
    video = make_video(
        title_fr="Réunion des ministres",
        title_en="Ministers meet",
        location="Bruxelles, Belgique",
        recorded_on=date(2026, 3, 12),
        tags=("transport", "économie", "Europe", "défense"),
    )
    english = next(t for t in video.texts if t.lang == "en")
    english.location = "Brussels, Belgium"
    english.usage_terms = "Editorial use only."
    french = next(t for t in video.texts if t.lang == "fr")
    french.usage_terms = "Usage éditorial uniquement."
    db.session.commit()
    return video


def _page(client, url, headers):
    response = client.get(url, headers=headers, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_video_page_and_its_card_speak_the_page_language(client, brussels):
    english = _page(client, f"/videos/{brussels.id}", EN)
    assert "Brussels, Belgium" in english and "Bruxelles" not in english
    assert "Editorial use only." in english and "Usage éditorial" not in english
    french = _page(client, f"/videos/{brussels.id}", FR)
    assert "Bruxelles, Belgique" in french and "Brussels" not in french
    assert "Usage éditorial uniquement." in french
    assert "Brussels, Belgium" in _page(client, "/videos", EN)
    assert "Bruxelles, Belgique" in _page(client, "/videos", FR)


def test_a_place_written_in_one_language_only_is_shown_in_both(client, make_video):
    make_video(title_fr="Glacier", title_en=None, location="Chamonix, France")
    assert "Chamonix, France" in _page(client, "/videos", EN)


def test_the_place_filter_lists_the_page_language_and_finds_either_spelling(
    client, brussels, make_video
):
    make_video(title_fr="Port", title_en="Harbour", location="Anvers")
    english = _page(client, "/videos", EN)
    options = re.findall(r'<option value="([^"]*)"', english.split('name="location"')[1])
    assert "Brussels, Belgium" in options and "Bruxelles, Belgique" not in options
    assert options.index("Anvers") < options.index("Brussels, Belgium")
    assert titles(client, "/videos?location=brussels,+belgium") == ["Ministers meet"]
    assert titles(client, "/videos?location=Bruxelles,+Belgique") == ["Ministers meet"]


def test_categories_sort_as_people_read_them(client, brussels):
    page = _page(client, "/videos", EN)
    options = re.findall(
        r'<option value="([^"]*)"', page.split('name="tag"')[1].split("</select>")[0]
    )
    named = [o for o in options if o]
    assert named == ["défense", "économie", "Europe", "transport"]


def test_collation_key_sets_accents_and_case_aside():
    words = ["transport", "Économie", "europe", "défense", "Eau", "eau", "œuvre", "oeil", "pêche"]
    words += ["Politique", "peche"]
    assert sorted(words, key=collation_key) == [
        "défense",
        "eau",  # lower case before upper, as ICU's French and English
        "Eau",
        "Économie",
        "europe",
        "oeil",
        "œuvre",  # the ligature sorts as "oe", not after z
        "peche",  # unaccented before accented
        "pêche",
        "Politique",
        "transport",
    ]


def test_the_api_and_the_feed_carry_each_language(client, brussels):
    from app.models import Video

    assert db.session.get(Video, brussels.id).place("en") == "Brussels, Belgium"
    feed = client.get("/feeds/en/videos.rss").get_data(as_text=True)
    assert "Editorial use only." in feed and "Usage éditorial" not in feed
    assert "Usage éditorial uniquement." in client.get("/feeds/fr/videos.rss").get_data(
        as_text=True
    )
    rows = {t.lang: t.location for t in db.session.query(VideoText)}
    assert rows == {"fr": "Bruxelles, Belgique", "en": "Brussels, Belgium"}


def _staff_names(app, make_user, names):
    """Log a staff member in on a client of their own and post the categories form."""
    from tests.helpers import csrf_token, staff_client

    staff = staff_client(app, make_user)
    page = staff.get("/admin/categories")
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    return staff, staff.post("/admin/categories", data={"csrf_token": token, **names}, headers=EN)


def test_staff_name_categories_and_english_pages_use_the_names(app, client, brussels, make_user):
    from app.models import Tag

    tags = {t.name: t.id for t in db.session.query(Tag)}
    staff, response = _staff_names(
        app,
        make_user,
        {
            f"name-{tags['défense']}-en": "defence",
            f"name-{tags['économie']}-en": "  economy ",
            f"name-{tags['transport']}-en": "",
            "name-999-en": "no such category",
        },
    )
    assert response.status_code == 302
    english = _page(client, "/videos", EN)
    select = english.split('name="tag"')[1].split("</select>")[0]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select)
    assert [o for o in options if o[0]] == [
        ("défense", "defence (1)"),
        ("économie", "economy (1)"),
        ("Europe", "Europe (1)"),
        ("transport", "transport (1)"),
    ]
    video_page = _page(client, f"/videos/{brussels.id}", EN)
    assert ">defence</a>" in video_page and ">défense</a>" not in video_page
    assert ">défense</a>" in _page(client, f"/videos/{brussels.id}", FR)
    # either name finds the videos; the feed of the category is titled in its language
    assert titles(client, "/videos?tag=defence") == ["Ministers meet"]
    assert titles(client, "/videos?tag=d%C3%A9fense") == ["Ministers meet"]
    feed = client.get("/feeds/en/categories/d%C3%A9fense.rss").get_data(as_text=True)
    assert ": defence</title>" in feed and "<category>defence</category>" in feed
    # the staff page keeps the names for the next change
    page = staff.get("/admin/categories").get_data(as_text=True)
    assert 'value="economy"' in page and "1 video" in page


def test_only_staff_name_categories(client, brussels):
    assert client.get("/admin/categories").status_code == 404
    assert client.post("/admin/categories", data={"name-1-en": "x"}).status_code == 404


def test_each_filter_value_says_how_many_videos_it_gives(client, make_video):
    """Counts with the search's other filters and words, the facet's own choice set
    aside: what choosing another value would list."""
    make_video(title_fr="Défense A", title_en="Defence A", location="Lyon", tags=("défense",))
    make_video(title_fr="Défense B", title_en="Defence B", location="Paris", tags=("défense",))
    make_video(title_fr="Climat", title_en="Climate", location="Lyon", tags=("climat",))

    def options(url, name):
        page = _page(client, url, EN).split(f'name="{name}"')[1].split("</select>")[0]
        return dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)<', page))

    assert options("/videos", "tag") == {"climat": "climat (1)", "défense": "défense (2)"}
    assert options("/videos", "location") == {"Lyon": "Lyon (2)", "Paris": "Paris (1)"}
    # a place chosen: the categories count within it, the places still all of theirs
    assert options("/videos?location=Lyon", "tag") == {
        "climat": "climat (1)",
        "défense": "défense (1)",
    }
    assert options("/videos?location=Lyon", "location") == {
        "Lyon": "Lyon (2)",
        "Paris": "Paris (1)",
    }
    # words count too
    assert options("/videos?q=climate", "location") == {"Lyon": "Lyon (1)", "Paris": "Paris (0)"}
