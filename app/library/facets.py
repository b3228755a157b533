"""How many videos a search lists with each category and each place: the counts the
filters show beside their choices ("defence (12)").

Each facet counts with the search's other filters and words, its own choice set aside,
so that its list says what choosing another value would give. A place is counted as the
page shows it: as written in the page's language, else in the language that has one.

They cost more than the listing query (two to three times at 10,000 videos, 40 ms for the
whole library: benchmarks/bench_facets.py): they are kept in the cache per search and
language (every page of a search shares them) for LIBRARY_CACHE_SECONDS, under the
listings' generation.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import func
from sqlalchemy.orm import aliased

from app.extensions import db
from app.library import page_cache, search
from app.library.listing import Filters, filtered
from app.models import Tag, Video, VideoText
from app.models.videos import video_tags


def _matching(filters: Filters, without: str):
    """The ids of the videos the search lists with its `without` filter set aside."""
    stmt = filtered(db.select(Video.id), dataclasses.replace(filters, **{without: ""}))
    matched = search.matching_ids(filters.q)
    return stmt if matched is None else stmt.where(Video.id.in_(matched))


def counts(filters: Filters, lang: str) -> tuple[dict[str, int], dict[str, int]]:
    """(category key -> videos, place -> videos) of the search, from the cache if fresh."""
    key = page_cache.listing_key("facets", lang, sorted(filters.url_args(page=1).items()))
    found = page_cache.get_listing(key)
    if found is None:
        found = (tag_counts(filters), place_counts(filters, lang))
        page_cache.put_listing(key, found)
    return found


def tag_counts(filters: Filters) -> dict[str, int]:
    """category key -> number of videos."""
    rows = db.session.execute(
        db.select(Tag.name, func.count())
        .join(video_tags, video_tags.c.tag_id == Tag.id)
        .where(video_tags.c.video_id.in_(_matching(filters, "tag")))
        .group_by(Tag.name)
    )
    return dict(rows.all())


def place_counts(filters: Filters, lang: str) -> dict[str, int]:
    """place as the page shows it -> number of videos."""
    ids = _matching(filters, "location")
    own = (
        db.select(VideoText.location, func.count())
        .where(VideoText.video_id.in_(ids), VideoText.lang == lang, VideoText.location != "")
        .group_by(VideoText.location)
    )
    counts = dict(db.session.execute(own).all())
    # Videos with no place in this language: counted under the one another has.
    mine = aliased(VideoText)
    others = (
        db.select(VideoText.location, func.count(func.distinct(VideoText.video_id)))
        .outerjoin(
            mine,
            (mine.video_id == VideoText.video_id) & (mine.lang == lang) & (mine.location != ""),
        )
        .where(
            mine.id.is_(None),
            VideoText.video_id.in_(ids),
            VideoText.lang != lang,
            VideoText.location != "",
        )
        .group_by(VideoText.location)
    )
    for place, count in db.session.execute(others).all():
        counts[place] = counts.get(place, 0) + count
    return counts
