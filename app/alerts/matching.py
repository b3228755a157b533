"""Which saved searches a newly published video matches.

The match is the library's: each distinct query string is read by the library's parser
and asked of the library's listing (`listing.matching_among`), so an alert names exactly
what the search's results page would show. A match is recorded as a pending AlertItem;
the unique (search, video) pair makes a second publication, or a second worker, record
nothing more.
"""

from sqlalchemy.dialects import postgresql, sqlite

from app.alerts.service import filters_of
from app.clock import utcnow
from app.extensions import db
from app.library.listing import matching_among
from app.models import AlertItem, SavedSearch, Video


def match_published(video_id):
    """Record the video for every saved search (alerts on) it matches; return the ids of
    the "immediate" searches that got it just now: the caller queues their mails."""
    video = db.session.get(Video, video_id)
    if video is None or not video.published:
        return []
    searches = db.session.execute(
        db.select(SavedSearch).where(SavedSearch.alerts_on.is_(True)).order_by(SavedSearch.id)
    ).scalars()
    by_query = {}
    for search in searches:
        by_query.setdefault(search.query, []).append(search)
    now = utcnow()
    due = []
    for query, group in by_query.items():
        filters = filters_of(query)
        if filters.errors or video_id not in matching_among(filters, [video_id]):
            continue
        for search in group:
            if _record(search.id, video_id, now) and search.frequency == "immediate":
                due.append(search.id)
    db.session.commit()
    return due


def _record(search_id, video_id, now):
    """Insert the pending item unless the pair exists: True when inserted (RETURNING says
    so on both databases; psycopg's rowcount for this statement is -1)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(AlertItem.__table__)
        .values(saved_search_id=search_id, video_id=video_id, status="pending", created_at=now)
        .on_conflict_do_nothing(index_elements=["saved_search_id", "video_id"])
        .returning(AlertItem.__table__.c.id)
    )
    return db.session.execute(statement).scalar_one_or_none() is not None
