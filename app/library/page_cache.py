"""Rendered HTML of the library's listings, kept in the shared cache (Flask-Caching).

Two kinds of entries, neither of which depends on who asks (only published videos are
listed):

* listing bodies (heading, search form, count, grid, pagination), keyed by language and
  normalised query string, for LIBRARY_CACHE_SECONDS;
* each video's card, keyed by (video id, language), shared by every listing and search
  page that shows the video, for LIBRARY_CARD_CACHE_SECONDS.

A change of a video, its texts or a tag made through the ORM, once committed, gives the
listings a new *generation* (part of their keys, so every older body is stale at once)
and deletes the cards of the videos it touched. Both live in the cache itself: with
Redis (REDIS_URL) every process sees an edit at once; with the in-process cache of a
single process, so does that process. A time of 0 turns a cache off.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import cache
from app.models import Tag, TagName, Video, VideoText

GENERATION_KEY = "library:generation"
_STALE = "rushes_library_stale"  # session.info: ids of videos changed, None for "any"


def page_seconds():
    return int(current_app.config["LIBRARY_CACHE_SECONDS"])


def card_seconds():
    return int(current_app.config["LIBRARY_CARD_CACHE_SECONDS"])


def generation():
    """The listings' current generation: a token replaced on every committed change."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        token = secrets.token_hex(8)
        if not cache.add(GENERATION_KEY, token, timeout=0):  # another process was first
            token = cache.get(GENERATION_KEY) or token
    return token


def _digest(parts):
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def listing_key(*parts):
    """The key of a listing body (or of anything derived from every published video)."""
    return f"library:page:{generation()}:{_digest(parts)}"


def card_key(video_id, lang):
    return f"library:card:{int(video_id)}:{lang}"


def get_listing(key, seconds=None):
    """The entry at `key`; None when absent or when its cache is off (`seconds` <= 0)."""
    seconds = page_seconds() if seconds is None else seconds
    return cache.get(key) if seconds > 0 else None


def put_listing(key, value, seconds=None):
    seconds = page_seconds() if seconds is None else seconds
    if seconds > 0:
        cache.set(key, value, timeout=seconds)


def get_cards(ids, lang):
    """{video id: card HTML} of the cards of `ids` found in the cache."""
    if card_seconds() <= 0 or not ids:
        return {}
    found = cache.get_many(*(card_key(i, lang) for i in ids))
    return {i: html for i, html in zip(ids, found, strict=True) if html is not None}


def put_cards(html_by_id, lang):
    if card_seconds() > 0 and html_by_id:
        cache.set_many(
            {card_key(i, lang): html for i, html in html_by_id.items()}, timeout=card_seconds()
        )


def forget(video_ids):
    """A new generation of listings, and the cards of `video_ids` dropped."""
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=0)
    keys = [card_key(i, lang) for i in video_ids for lang in current_app.config["LANGUAGES"]]
    if keys:
        cache.delete_many(*keys)


# ------------------------------------------------------------------ ORM changes


def _changed(_mapper, _connection, target):
    """An insert, update or delete of a Video, VideoText, Tag or TagName, flushed by the ORM."""
    session = Session.object_session(target)
    if session is None:
        return
    stale = session.info.setdefault(_STALE, set())
    # A card shows the video's row and its titles; tags are not on it (listings are).
    video_id = target.id if isinstance(target, Video) else getattr(target, "video_id", None)
    if video_id is not None:
        stale.add(video_id)


def _committed(session):
    stale = session.info.pop(_STALE, None)
    # Forgotten after the commit, not at the flush: a request that read the old row in
    # between would otherwise cache it again.
    if stale is not None and has_app_context() and cache in current_app.extensions.get("cache", {}):
        forget(stale)


def _rolled_back(session):
    session.info.pop(_STALE, None)


for _model in (Video, VideoText, Tag, TagName):
    for _name in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _name, _changed)
event.listen(Session, "after_commit", _committed)
event.listen(Session, "after_rollback", _rolled_back)
