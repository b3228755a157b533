"""Conditional GET for the API's lists and the feeds: an ETag from a cheap fingerprint.

The fingerprint of a listing page is: the listings' generation (replaced on every
committed change of a video, its texts or a tag: ``app.library.page_cache``), the
normalised query, the total of the matched set, the ids of the page and the newest
update time among them. It costs the listing query (which the answer needs anyway) and
one aggregate over at most a page of ids, so a 304 is answered before any row is loaded
or any XML or JSON is rendered.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import make_response, request
from sqlalchemy import func, select

from app.extensions import db
from app.library import page_cache
from app.models import Video


def newest_update(ids) -> datetime | None:
    """The newest update (or publication) time of the videos `ids`, in UTC."""
    if not ids:
        return None
    newest = db.session.execute(
        select(func.max(Video.updated_at), func.max(Video.published_at)).where(Video.id.in_(ids))
    ).one()
    stamps = [s for s in newest if s is not None]
    if not stamps:
        return None
    value = max(stamps)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def listing_etag(kind, args, page, *extra) -> str:
    """A strong ETag for a listing `page` (app.library.listing.Page) shown as `kind`."""
    parts = (kind, page_cache.generation(), sorted(args.items()), page.total, page.items, extra)
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def not_modified(etag: str, last_modified: datetime | None):
    """A 304 answer when the client's copy is current, else None (RFC 9110 §13.2.2:
    If-None-Match wins over If-Modified-Since)."""
    if request.if_none_match:
        fresh = request.if_none_match.contains_weak(etag)
    elif request.if_modified_since and last_modified is not None:
        fresh = last_modified.replace(microsecond=0) <= request.if_modified_since
    else:
        fresh = False
    if not fresh:
        return None
    response = make_response("", 304)
    return stamp(response, etag, last_modified)


def stamp(response, etag: str, last_modified: datetime | None):
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    # Answers depend on the token (download links, rights): caches must ask again.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Authorization")
    return response
