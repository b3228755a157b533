"""Browse and search: both languages, accents, stemming, filters, sort, pagination."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import VideoText

EN = {"Accept-Language": "en"}


def titles(client, url, headers=EN):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    return re.findall(r'class="video-card-title"[^>]*>([^<]+)<', html)


@pytest.fixture
def library(make_video):
    make_video(
        title_fr="Réunion des ministres de la Défense",
        title_en="Defence ministers meet in Brussels",
        summary_fr="Les ministres européens de la défense ont discuté du budget.",
        summary_en="European defence ministers discussed the budget.",
        story_en="The meeting of the defence ministers lasted two days.",
        shots_fr="10:00:05:00 SOUNDBITE (French) La ministre des Armées",
        recorded_on=date(2026, 3, 14),
        published_at=datetime(2026, 3, 15, 9),
        location="Bruxelles",
        tags=("Politique", "Défense"),
    )
    make_video(
        title_fr="Inondations dans le sud-ouest",
        title_en="Floods in the south-west",
        summary_fr="Les pompiers évacuent les habitants des villages inondés.",
        summary_en="Firefighters evacuate residents of flooded villages.",
        shots_fr="10:00:02:00 PLAN AÉRIEN rivière en crue",
        shots_en="10:00:02:00 AERIAL flooded river",
        recorded_on=date(2026, 1, 20),
        published_at=datetime(2026, 1, 21, 9),
        location="Bordeaux",
        tags=("Climat",),
    )
    make_video(
        title_fr="Sommet européen sur l'énergie",
        title_en=None,  # French only: English visitors get the French title
        summary_fr="Les chefs d'État parlent de défense énergétique et de prix.",
        shots_fr="",
        recorded_on=date(2026, 2, 10),
        published_at=datetime(2026, 2, 11, 9),
        location="Bruxelles",
        tags=("Politique",),
    )


def test_grid_is_newest_first_in_the_visitor_language_with_fallback(client, library):
    assert titles(client, "/videos") == [
        "Defence ministers meet in Brussels",
        "Sommet européen sur l&#39;énergie",
        "Floods in the south-west",
    ]
    assert titles(client, "/", headers={"Accept-Language": "fr"})[0] == (
        "Réunion des ministres de la Défense"
    )


def test_fallback_title_is_marked_with_its_language(client, library):
    html = client.get("/videos", headers=EN).get_data(as_text=True)
    assert 'class="video-card-title" lang="fr">Sommet' in html


def test_accent_insensitive_defense_finds_defense(client, library):
    found = titles(client, "/videos?q=defense&sort=date")
    assert "Defence ministers meet in Brussels" in found
    assert "Sommet européen sur l&#39;énergie" in found  # « défense énergétique »
    assert "Floods in the south-west" not in found


def test_accented_query_finds_unaccented_text(client, library):
    assert titles(client, "/videos?q=AÉRIEN") == ["Floods in the south-west"]
    assert titles(client, "/videos?q=aerien") == ["Floods in the south-west"]


def test_search_in_english_with_stemming(client, library):
    # "evacuating" and "firefighter" are not in the text: their stems are.
    assert titles(client, "/videos?q=evacuating+firefighter") == ["Floods in the south-west"]
    assert titles(client, "/videos?q=meetings") == ["Defence ministers meet in Brussels"]


def test_search_in_french_plural_and_inflection(client, library):
    assert titles(client, "/videos?q=ministre") == ["Defence ministers meet in Brussels"]
    assert titles(client, "/videos?q=inondation") == ["Floods in the south-west"]
    assert titles(client, "/videos?q=pompier") == ["Floods in the south-west"]


def test_search_covers_stories_and_shot_lists(client, library):
    assert titles(client, "/videos?q=lasted") == ["Defence ministers meet in Brussels"]
    assert titles(client, "/videos?q=Armées") == ["Defence ministers meet in Brussels"]


def test_all_words_must_match(client, library):
    assert titles(client, "/videos?q=defense+budget") == ["Defence ministers meet in Brussels"]
    assert titles(client, "/videos?q=defense+inondation") == []


def test_no_match_says_so_and_keeps_the_query(client, library):
    html = client.get("/videos?q=zzzyyx", headers=EN).get_data(as_text=True)
    assert "No video matches your search." in html
    assert 'value="zzzyyx"' in html


def test_query_with_punctuation_and_operators_is_harmless(client, library):
    for q in ['"defense', "defense*", "NOT defense", "(defense", "d'état", "-- ;", "^", "né:ant"]:
        response = client.get("/videos", query_string={"q": q}, headers=EN)
        assert response.status_code == 200, q


def test_relevance_puts_the_title_match_first(client, make_video):
    make_video(
        title_en="Budget talks",
        summary_en="Ministers talk about many things, among them energy.",
        published_at=datetime(2026, 3, 20),
    )
    make_video(
        title_en="Energy prices rise",
        summary_en="Energy, energy and energy.",
        published_at=datetime(2026, 1, 1),
    )
    assert titles(client, "/videos?q=energy&sort=relevance")[0] == "Energy prices rise"
    assert titles(client, "/videos?q=energy&sort=date")[0] == "Budget talks"
    # With words, relevance is the default order.
    assert titles(client, "/videos?q=energy")[0] == "Energy prices rise"


def test_filter_by_date_range(client, library):
    found = titles(client, "/videos?from=2026-02-01&to=2026-03-14")
    assert found == ["Defence ministers meet in Brussels", "Sommet européen sur l&#39;énergie"]
    assert titles(client, "/videos?from=2026-03-15") == []


def test_filter_by_category_and_location(client, library):
    found = titles(client, "/videos?tag=politique")
    assert found == ["Defence ministers meet in Brussels", "Sommet européen sur l&#39;énergie"]
    assert titles(client, "/videos?location=Bordeaux") == ["Floods in the south-west"]
    assert titles(client, "/videos?q=defense&tag=Politique&location=Bruxelles&sort=date") == [
        "Defence ministers meet in Brussels",
        "Sommet européen sur l&#39;énergie",
    ]


def test_filters_offer_the_tags_and_locations_in_use(client, library):
    html = client.get("/videos", headers=EN).get_data(as_text=True)
    for value in ("Politique", "Défense", "Climat", "Bruxelles", "Bordeaux"):
        assert f'<option value="{value}"' in html


def test_bad_date_is_a_400_that_keeps_what_was_typed(client, library):
    response = client.get("/videos?q=defense&from=14/03/2026&tag=Politique", headers=EN)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD" in html
    assert 'value="14/03/2026"' in html
    assert 'value="defense"' in html
    assert '<option value="Politique" selected>' in html


def test_reversed_dates_are_refused_in_french(client, library):
    response = client.get(
        "/videos?from=2026-03-01&to=2026-01-01", headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 400
    assert "La date de fin est antérieure à la date de début." in response.get_data(as_text=True)


def test_bad_sort_and_page_do_not_break(client, library):
    assert client.get("/videos?sort=nonsense").status_code == 400
    assert client.get("/videos?page=abc").status_code == 200
    assert client.get("/videos?page=-3").status_code == 200
    assert client.get("/videos?page=999999999999999999999").status_code == 200


def test_pagination_keeps_the_search_in_the_links(client, app, make_video):
    app.config["VIDEOS_PER_PAGE"] = 2
    for i in range(5):
        make_video(title_en=f"Defence item {i}", published_at=datetime(2026, 1, 1 + i))
    first = titles(client, "/videos?q=defence&sort=date")
    assert first == ["Defence item 4", "Defence item 3"]
    html = client.get("/videos?q=defence&sort=date", headers=EN).get_data(as_text=True)
    assert "Page 1 of 3" in html
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "q=defence" in next_link and "sort=date" in next_link and "page=2" in next_link
    assert titles(client, next_link) == ["Defence item 2", "Defence item 1"]
    assert titles(client, "/videos?q=defence&sort=date&page=3") == ["Defence item 0"]
    assert titles(client, "/videos?q=defence&sort=date&page=4") == []


def test_index_follows_edits_and_deletions(client, library):
    text = db.session.execute(
        db.select(VideoText).filter_by(title="Floods in the south-west")
    ).scalar_one()
    text.summary = "Firefighters rescue a heron."
    db.session.commit()
    assert titles(client, "/videos?q=heron") == ["Floods in the south-west"]
    assert titles(client, "/videos?q=residents") == []
    db.session.delete(text.video)
    db.session.commit()
    assert titles(client, "/videos?q=heron") == []
    assert titles(client, "/videos?q=inondations") == []


def test_list_page_runs_a_fixed_number_of_queries(client, app, make_video):
    """No N+1: the number of SQL statements does not grow with the videos shown."""
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def run(url):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    make_video(tags=("A",))
    one = run("/videos")
    search_one = run("/videos?q=defense")
    for _ in range(6):
        make_video(tags=("A", "B"))
    assert run("/videos") == one
    assert run("/videos?q=defense") == search_one
    assert one <= 9  # session, count, page, cards, choices (2), facet counts (3)


def test_listing_fragment_cache_is_cleared_when_a_video_changes(client, app, make_video):
    app.config["LIBRARY_CACHE_SECONDS"] = 300
    video = make_video(title_en="First title")
    assert titles(client, "/videos") == ["First title"]
    # A change made behind the ORM's back is not seen while the fragment is fresh...
    db.session.execute(db.text("UPDATE video_texts SET title = 'Sneaky' WHERE lang = 'en'"))
    db.session.commit()
    assert titles(client, "/videos") == ["First title"]
    # ...a change through the ORM (as the admin pages make them) clears it at once.
    db.session.refresh(video)
    next(t for t in video.texts if t.lang == "en").summary = "Edited"
    db.session.commit()
    assert titles(client, "/videos") == ["Sneaky"]
    video.published = False
    db.session.commit()
    assert titles(client, "/videos") == []


def test_counts_are_in_the_visitor_language(client, library):
    fr = {"Accept-Language": "fr"}
    assert "3 vidéos" in client.get("/videos", headers=fr).get_data(as_text=True)
    html = client.get("/videos?q=defense", headers=fr).get_data(as_text=True)
    assert "2 vidéos correspondent à votre recherche." in html
    assert "3 videos" in client.get("/videos", headers=EN).get_data(as_text=True)


def test_a_page_past_the_end_still_gives_the_total(client, library):
    """The total of a search comes with its page: a page with no row counts apart."""

    def count_line(url):
        html = client.get(url, headers=EN).get_data(as_text=True)
        return re.search(r'class="library-count[^>]*>\s*([^<]+?)\s*<', html).group(1)

    first = count_line("/videos?q=defense")
    assert first == f"{len(titles(client, '/videos?q=defense'))} videos match your search."
    assert first != "0 videos match your search."
    assert count_line("/videos?q=defense&page=9") == first
    assert count_line("/videos?q=defense&sort=date&page=9") == first
    assert titles(client, "/videos?q=defense&page=9") == []
