"""The card cache: each video's card HTML per language, dropped when the video changes."""

import re
from datetime import date, datetime

import pytest

from app.extensions import cache, db
from app.library.page_cache import card_key

FR = {"Accept-Language": "fr"}
EN = {"Accept-Language": "en"}


def cards_of(client, url, headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [
        (title, meta)
        for title, meta in re.findall(
            r'class="video-card-title"[^>]*>([^<]+)<.*?video-card-meta[^>]*>(.*?)</p>', html, re.S
        )
    ]


def titles(client, url, headers):
    return [title for title, _meta in cards_of(client, url, headers)]


def sneak(sql, **params):
    """A change behind the ORM's back: the cache cannot know, so it shows what it kept."""
    db.session.execute(db.text(sql), params)
    db.session.commit()


@pytest.fixture
def card_cache(app):
    app.config["LIBRARY_CARD_CACHE_SECONDS"] = 300
    app.config["LIBRARY_CACHE_SECONDS"] = 0  # pages are rendered each time: cards are not
    cache.clear()
    yield cache
    cache.clear()


def cached(video_id, lang):
    return cache.get(card_key(video_id, lang)) is not None


def text_of(video, lang):
    return next(t for t in video.texts if t.lang == lang)


def test_cards_are_kept_per_language(client, card_cache, make_video):
    video = make_video(title_fr="Titre français", title_en="English title")
    assert titles(client, "/videos", FR) == ["Titre français"]
    assert titles(client, "/videos", EN) == ["English title"]
    assert cached(video.id, "fr") and cached(video.id, "en")
    sneak("UPDATE video_texts SET title = 'Sneaky'")
    assert titles(client, "/videos", FR) == ["Titre français"]
    assert titles(client, "/videos", EN) == ["English title"]
    # Search results show the same cards.
    assert titles(client, "/videos?q=ministres", FR) == ["Titre français"]


def test_editing_a_text_drops_the_cards_of_that_video_in_both_languages(
    client, card_cache, make_video
):
    video = make_video(title_fr="Ancien titre", title_en="Old title")
    other = make_video(title_fr="Autre vidéo", title_en="Other video")
    assert set(titles(client, "/videos", FR)) == {"Ancien titre", "Autre vidéo"}
    assert set(titles(client, "/videos", EN)) == {"Old title", "Other video"}
    sneak("UPDATE video_texts SET title = 'Sneaky' WHERE video_id = :id", id=other.id)

    text_of(video, "fr").title = "Nouveau titre"
    db.session.commit()
    assert set(titles(client, "/videos", FR)) == {"Nouveau titre", "Autre vidéo"}
    # The English card of the edited video was dropped too (its fallback may change);
    # the other video's cards were kept.
    sneak("UPDATE video_texts SET title = 'Renamed behind' WHERE video_id = :id", id=video.id)
    assert set(titles(client, "/videos", EN)) == {"Renamed behind", "Other video"}


def test_editing_the_video_row_drops_its_cards(client, card_cache, make_video):
    video = make_video(title_fr="Inondations", recorded_on=date(2026, 3, 14), location="Lyon")
    [(_title, meta)] = cards_of(client, "/videos", FR)
    assert "Lyon" in meta and "2026" in meta
    for text in video.texts:
        text.location = "Bordeaux"
    video.recorded_on = date(2025, 1, 2)
    db.session.commit()
    [(_title, meta)] = cards_of(client, "/videos", FR)
    assert "Bordeaux" in meta and "2025" in meta and "Lyon" not in meta
    [(_title, meta)] = cards_of(client, "/videos", EN)
    assert "Bordeaux" in meta and "Jan" in meta


def test_publishing_and_unpublishing(client, card_cache, make_video):
    shown = make_video(title_en="Shown", published_at=datetime(2026, 3, 1, 9))
    draft = make_video(title_en="Draft", published=False)
    assert titles(client, "/videos", EN) == ["Shown"]
    draft.published = True
    draft.published_at = datetime(2026, 3, 2, 9)
    db.session.commit()
    assert titles(client, "/videos", EN) == ["Draft", "Shown"]
    shown.published = False
    db.session.commit()
    assert titles(client, "/videos", EN) == ["Draft"]
    assert titles(client, "/videos?q=shown", EN) == []


def test_deleting_a_video_drops_its_cards(client, card_cache, make_video):
    video = make_video(title_en="Gone soon")
    assert titles(client, "/videos", EN) == ["Gone soon"]
    video_id = video.id
    db.session.delete(video)
    db.session.commit()
    assert not cached(video_id, "en")
    assert titles(client, "/videos", EN) == []


def test_cache_off_renders_each_time(client, app, make_video):
    app.config["LIBRARY_CARD_CACHE_SECONDS"] = 0
    cache.clear()
    video = make_video(title_en="Fresh")
    assert titles(client, "/videos", EN) == ["Fresh"]
    sneak("UPDATE video_texts SET title = 'Seen at once' WHERE lang = 'en'")
    assert titles(client, "/videos", EN) == ["Seen at once"]
    assert not cached(video.id, "en")


def test_a_card_cached_between_a_flush_and_its_commit_is_dropped_at_the_commit(
    client, card_cache, make_video
):
    video = make_video(title_fr="Avant", title_en="Before")
    text_of(video, "fr").title = "Après"
    db.session.flush()  # the change is written, not committed: others still see "Avant"
    # Meanwhile another request of this process caches the card of the committed row.
    assert titles(client, "/videos", FR) == ["Avant"]
    db.session.commit()
    assert titles(client, "/videos", FR) == ["Après"]
