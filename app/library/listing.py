"""The library's listing: search filters from the query string, a page of video ids, cards' rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import load_only, noload, selectinload

from app.extensions import db
from app.formatting import collation_key
from app.i18n import current_language
from app.library import page_cache, search
from app.models import Tag, TagName, Video, VideoText
from app.models.videos import video_tags

SORTS = ("date", "relevance")


# ------------------------------------------------------------------ listing


@dataclass
class Filters:
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    tag: str = ""
    location: str = ""
    sort: str = "date"
    page: int = 1
    raw: dict = field(default_factory=dict)  # what the visitor typed, to show it back
    errors: dict = field(default_factory=dict)

    @property
    def active(self):
        return bool(self.q or self.date_from or self.date_to or self.tag or self.location)

    def url_args(self, **changes):
        """Query-string arguments of this search (for links: pages, sort)."""
        args = {
            "q": self.raw.get("q", ""),
            "from": self.raw.get("from", ""),
            "to": self.raw.get("to", ""),
            "tag": self.tag,
            "location": self.location,
            "sort": self.sort if self.raw.get("sort") else "",
            "page": self.page,
        }
        args.update(changes)
        return {k: v for k, v in args.items() if v not in ("", None) and (k, v) != ("page", 1)}


def parse_filters(args):
    """Read the search form from the query string; errors are kept, never raised."""
    raw = {k: (args.get(k) or "").strip()[:200] for k in ("q", "from", "to", "tag", "location")}
    raw["sort"] = (args.get("sort") or "").strip()
    filters = Filters(q=raw["q"], tag=raw["tag"], location=raw["location"], raw=raw)
    for key, attr in (("from", "date_from"), ("to", "date_to")):
        if raw[key]:
            try:
                setattr(filters, attr, date.fromisoformat(raw[key]))
            except ValueError:
                filters.errors[key] = _("Enter a date as YYYY-MM-DD, for example 2026-03-14.")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        filters.errors["to"] = _("The end date is before the start date.")
    if raw["sort"] in SORTS:
        filters.sort = raw["sort"]
    else:
        filters.sort = "relevance" if search.terms(filters.q) else "date"
        if raw["sort"]:
            filters.errors["sort"] = _("Choose a sort order from the list.")
    if filters.sort == "relevance" and not search.terms(filters.q):
        filters.sort = "date"
    try:
        filters.page = max(1, min(int(args.get("page", 1)), 100_000))
    except (TypeError, ValueError):
        filters.page = 1
    return filters


@dataclass
class Page:
    items: list  # ids of the videos of this page, in order (load_videos() gives the rows)
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


def _listing_options():
    # The grid needs a title, a poster, a date and a duration: nothing else is loaded.
    return (
        load_only(
            Video.id,
            Video.slug,
            Video.published,
            Video.published_at,
            Video.recorded_on,
            Video.duration,
            Video.poster_path,
            Video.status,
        ),
        selectinload(Video.texts).load_only(VideoText.lang, VideoText.title, VideoText.location),
        noload(Video.renditions),
        noload(Video.tags),
    )


def filtered(stmt, filters: Filters):
    """`stmt` (a select of Video.id) with the publication and non-text filters."""
    stmt = stmt.where(Video.published.is_(True))
    if filters.date_from:
        stmt = stmt.where(Video.recorded_on >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Video.recorded_on <= filters.date_to)
    if filters.location:  # the place as written in any language
        placed = db.select(VideoText.video_id).where(
            func.lower(VideoText.location) == filters.location.lower()
        )
        stmt = stmt.where(Video.id.in_(placed))
    if filters.tag:
        # Tags first (a handful), then their videos through ix_video_tags_tag_id: a join
        # would let SQLite scan every (video, tag) pair instead.
        # The category by its key or by its name in any language ("défense", "defence").
        wanted = filters.tag.lower()
        named = db.select(TagName.tag_id).where(func.lower(TagName.name) == wanted)
        tag_ids = db.select(Tag.id).where((func.lower(Tag.name) == wanted) | Tag.id.in_(named))
        tagged = db.select(video_tags.c.video_id).where(video_tags.c.tag_id.in_(tag_ids))
        stmt = stmt.where(Video.id.in_(tagged))
    return stmt


def list_videos(filters: Filters, per_page: int, by_publication=False) -> Page:
    """A page of the search. "Newest first" is by the date the cards show (recorded,
    else published); `by_publication` orders by publication instead, as a feed's items
    and its pollers expect (a video recorded long ago but published today comes first)."""
    words = search.terms(filters.q)
    offset = (filters.page - 1) * per_page
    # Published videos always have published_at: that order walks its index.
    newest = (Video.published_at.desc(), Video.id.desc())
    if not by_publication:
        newest = (func.coalesce(Video.recorded_on, Video.published_at).desc(), *newest)
    if words:
        ids, total = _search_page(filters, per_page, offset, newest)
    else:
        base = filtered(db.select(Video.id), filters)
        total = _count(base)
        ids = []
        if total:
            ids = list(
                db.session.execute(base.order_by(*newest).limit(per_page).offset(offset)).scalars()
            )
    return Page(ids, total, filters.page, per_page)


def matching_among(filters: Filters, video_ids) -> set:
    """The ids among `video_ids` that this search lists: the listing's own filters and
    full-text match, so a saved search's alerts find what its page and feed show."""
    stmt = filtered(db.select(Video.id), filters).where(Video.id.in_(list(video_ids)))
    matched = search.matching_ids(filters.q)
    if matched is not None:
        stmt = stmt.where(Video.id.in_(matched))
    return set(db.session.execute(stmt).scalars())


def _count(stmt):
    return db.session.execute(db.select(func.count()).select_from(stmt.subquery())).scalar_one()


def _search_page(filters, per_page, offset, newest):
    """(ids of the page, total) of a search, in one statement.

    The total comes with the page (``count(*) OVER ()`` is computed before LIMIT), so the
    full-text match runs once rather than once for the count and once for the page.
    """
    total = func.count().over().label("total")
    if filters.sort == "relevance":
        scored = search.scored(filters.q, lang=current_language())
        stmt = (
            filtered(
                db.select(Video.id, total).join(scored, scored.c.video_id == Video.id), filters
            )
            .group_by(Video.id)
            .order_by(func.max(scored.c.score).desc(), *newest)
        )
    else:
        matched = search.matched_videos(filters.q)
        stmt = filtered(
            db.select(Video.id, total).join(matched, matched.c.video_id == Video.id), filters
        ).order_by(*newest)
    rows = db.session.execute(stmt.limit(per_page).offset(offset)).all()
    if rows:
        return [row.id for row in rows], rows[0].total
    if not offset:
        return [], 0
    # A page past the end has no row to carry the total: count apart (rare).
    matched = filtered(db.select(Video.id), filters).where(
        Video.id.in_(search.matching_ids(filters.q))
    )
    return [], _count(matched)


def load_videos(ids):
    """The videos of `ids`, in that order, with only what a card shows."""
    if not ids:
        return []
    rows = db.session.execute(
        db.select(Video).where(Video.id.in_(ids)).options(*_listing_options())
    ).scalars()
    by_id = {v.id: v for v in rows}
    return [by_id[i] for i in ids if i in by_id]


def category_name(key, lang) -> str:
    """The name in `lang` of the category `key` (as a filter gives it), else `key`."""
    tag = db.session.execute(
        db.select(Tag).where(func.lower(Tag.name) == (key or "").lower())
    ).scalar_one_or_none()
    return tag.label(lang) if tag is not None else key


CHOICES_SECONDS = 60


def filter_choices(lang):
    """Categories used by published videos, as (key, name in `lang`), and their places
    as written in `lang` (else in the language that has one), in alphabetical order.

    Cached for a minute whether or not listing bodies are (a search is never cached as a
    page, and this query reads every published video), under the listings' generation:
    a change of a video or a tag is seen at once.
    """
    key = page_cache.listing_key("filter choices", lang)
    value = page_cache.get_listing(key, CHOICES_SECONDS)
    if value is not None:
        return value
    used = (
        db.select(video_tags.c.tag_id)
        .join(Video, Video.id == video_tags.c.video_id)
        .where(Video.published.is_(True))
    )
    named = db.session.execute(  # Tag.label(lang), in the same statement
        db.select(Tag.name, TagName.name)
        .outerjoin(TagName, (TagName.tag_id == Tag.id) & (TagName.lang == lang))
        .where(Tag.id.in_(used))
    )
    tags = [(key, name or key) for key, name in named]
    places = {}
    for video_id, text_lang, place in db.session.execute(
        db.select(VideoText.video_id, VideoText.lang, VideoText.location)
        .join(Video, Video.id == VideoText.video_id)
        .where(Video.published.is_(True), VideoText.location != "")
    ):
        if text_lang == lang or video_id not in places:
            places[video_id] = place
    value = (
        sorted(tags, key=lambda tag: collation_key(tag[1])),
        sorted(set(places.values()), key=collation_key),
    )
    page_cache.put_listing(key, value, CHOICES_SECONDS)
    return value
