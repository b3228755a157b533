"""Reading the library: visible videos, the listing with its filters, file paths."""

from __future__ import annotations

import math
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from flask import abort, current_app, has_app_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.orm import Session, load_only, noload, object_session, selectinload

from app.extensions import db
from app.library import search
from app.models import Tag, Video, VideoText
from app.models.videos import video_tags

SORTS = ("date", "relevance")


def is_staff():
    return bool(current_user.is_authenticated and current_user.is_staff)


def visible_video_or_404(video_id):
    """The video, if this visitor may see it: published, or any video for staff."""
    video = db.session.get(Video, video_id)
    if video is None or not (video.published or is_staff()):
        abort(404)
    return video


def media_path(relative):
    """Absolute path of a path stored relative to MEDIA_ROOT; None if unsafe or missing."""
    if not relative:
        return None
    root = os.path.realpath(current_app.config["MEDIA_ROOT"])
    target = os.path.realpath(os.path.join(root, relative))
    if not target.startswith(root + os.sep):
        return None
    return target if os.path.isfile(target) else None


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
            Video.location,
            Video.status,
        ),
        selectinload(Video.texts).load_only(VideoText.lang, VideoText.title),
        noload(Video.renditions),
        noload(Video.tags),
    )


def _filtered(stmt, filters: Filters):
    """`stmt` (a select of Video.id) with the publication and non-text filters."""
    stmt = stmt.where(Video.published.is_(True))
    if filters.date_from:
        stmt = stmt.where(Video.recorded_on >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Video.recorded_on <= filters.date_to)
    if filters.location:
        stmt = stmt.where(func.lower(Video.location) == filters.location.lower())
    if filters.tag:
        # Tags first (a handful), then their videos through ix_video_tags_tag_id: a join
        # would let SQLite scan every (video, tag) pair instead.
        tag_ids = db.select(Tag.id).where(func.lower(Tag.name) == filters.tag.lower())
        tagged = db.select(video_tags.c.video_id).where(video_tags.c.tag_id.in_(tag_ids))
        stmt = stmt.where(Video.id.in_(tagged))
    return stmt


def list_videos(filters: Filters, per_page: int) -> Page:
    words = search.terms(filters.q)
    offset = (filters.page - 1) * per_page
    # Published videos always have published_at: this order walks its index.
    newest = (Video.published_at.desc(), Video.id.desc())
    if words:
        ids, total = _search_page(filters, per_page, offset, newest)
    else:
        base = _filtered(db.select(Video.id), filters)
        total = _count(base)
        ids = []
        if total:
            ids = list(
                db.session.execute(base.order_by(*newest).limit(per_page).offset(offset)).scalars()
            )
    return Page(ids, total, filters.page, per_page)


def _count(stmt):
    return db.session.execute(db.select(func.count()).select_from(stmt.subquery())).scalar_one()


def _search_page(filters, per_page, offset, newest):
    """(ids of the page, total) of a search, in one statement.

    The total comes with the page (``count(*) OVER ()`` is computed before LIMIT), so the
    full-text match runs once rather than once for the count and once for the page.
    """
    total = func.count().over().label("total")
    if filters.sort == "relevance":
        scored = search.scored(filters.q)
        stmt = (
            _filtered(
                db.select(Video.id, total).join(scored, scored.c.video_id == Video.id), filters
            )
            .group_by(Video.id)
            .order_by(func.max(scored.c.score).desc(), *newest)
        )
    else:
        matched = search.matched_videos(filters.q)
        stmt = _filtered(
            db.select(Video.id, total).join(matched, matched.c.video_id == Video.id), filters
        ).order_by(*newest)
    rows = db.session.execute(stmt.limit(per_page).offset(offset)).all()
    if rows:
        return [row.id for row in rows], rows[0].total
    if not offset:
        return [], 0
    # A page past the end has no row to carry the total: count apart (rare).
    matched = _filtered(db.select(Video.id), filters).where(
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


_choices_cache = {"at": 0.0, "key": None, "value": None}
CHOICES_TTL = 60.0


def filter_choices():
    """Tags and locations used by published videos (cached for a minute per process)."""
    key = current_app.config["SQLALCHEMY_DATABASE_URI"]
    now = time.monotonic()
    if (
        not current_app.testing
        and _choices_cache["key"] == key
        and now - _choices_cache["at"] < CHOICES_TTL
    ):
        return _choices_cache["value"]
    tags = db.session.execute(
        db.select(Tag.name)
        .join(video_tags, video_tags.c.tag_id == Tag.id)
        .join(Video, Video.id == video_tags.c.video_id)
        .where(Video.published.is_(True))
        .distinct()
        .order_by(Tag.name)
    ).scalars()
    locations = db.session.execute(
        db.select(Video.location)
        .where(Video.published.is_(True), Video.location != "")
        .distinct()
        .order_by(Video.location)
    ).scalars()
    value = (list(tags), list(locations))
    _choices_cache.update(at=now, key=key, value=value)
    return value


# ------------------------------------------------------------------ fragment cache


class FragmentCache:
    """Rendered HTML, per process, for a few seconds (least recently stored dropped first).

    Two instances: ``fragments`` holds listing bodies (heading, search form, count, grid,
    pagination) keyed by language and normalised query string; ``cards`` holds the HTML of
    each video's card keyed by (video id, language), shared by every listing and search
    page that shows the video. Neither depends on who asks (only published videos are
    listed). Any change to a video or its texts made through the ORM in this process drops
    what it affects at once (see ``_listen_for_changes``); other processes see it within
    their time to live: LIBRARY_CACHE_SECONDS for pages, LIBRARY_CARD_CACHE_SECONDS for
    cards (default 30 each; 0 turns a cache off; both off by default in tests).
    """

    def __init__(self, max_entries=512):
        self.max_entries = max_entries
        self.entries = OrderedDict()

    def get(self, key, ttl):
        entry = self.entries.get(key)
        if entry is None or time.monotonic() - entry[0] > ttl:
            return None
        return entry[1]

    def put(self, key, value):
        self.entries.pop(key, None)
        while len(self.entries) >= self.max_entries:
            try:
                self.entries.popitem(last=False)
            except KeyError:  # emptied meanwhile by another thread
                break
        self.entries[key] = (time.monotonic(), value)

    def discard(self, keys):
        for key in keys:
            self.entries.pop(key, None)

    def clear(self):
        self.entries.clear()


fragments = FragmentCache()
# Two languages of the 10,000 videos of the benchmark fit: a card is about 1 kB.
cards = FragmentCache(max_entries=20_000)


def cache_seconds():
    return float(current_app.config["LIBRARY_CACHE_SECONDS"])


def card_cache_seconds():
    return float(current_app.config["LIBRARY_CARD_CACHE_SECONDS"])


def _video_changed(mapper, connection, target):
    """An insert, update or delete of a Video, VideoText or Tag through the ORM."""
    fragments.clear()
    _choices_cache["at"] = 0.0
    # A card shows the video's row and its titles; tags are not on it.
    video_id = target.id if isinstance(target, Video) else getattr(target, "video_id", None)
    if video_id is None:
        return
    if has_app_context():
        keys = [(video_id, lang) for lang in current_app.config["LANGUAGES"]]
        cards.discard(keys)
        # Once more after the commit: between this flush and the commit, a request in
        # another thread of this process may have cached the card of the old row.
        session = object_session(target)
        if session is not None:
            session.info.setdefault(_STALE_CARDS, set()).update(keys)
    else:
        cards.clear()


_STALE_CARDS = "rushes_stale_cards"


def _committed(session):
    stale = session.info.pop(_STALE_CARDS, None)
    if stale:
        cards.discard(list(stale))
        fragments.clear()


def _rolled_back(session):
    session.info.pop(_STALE_CARDS, None)


def _listen_for_changes():
    from sqlalchemy import event

    for model in (Video, VideoText, Tag):
        for name in ("after_insert", "after_update", "after_delete"):
            event.listen(model, name, _video_changed)
    event.listen(Session, "after_commit", _committed)
    event.listen(Session, "after_rollback", _rolled_back)


_listen_for_changes()
