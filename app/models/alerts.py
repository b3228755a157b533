"""Saved searches and the alert mails they send (app/alerts/, docs/alerts.md).

A saved search keeps the query string of /videos as the library reads it: the library's
own parser and search decide what matches (app/library/listing.py), never a copy here.
Each video a search matched is one AlertItem row, unique per (search, video): that
constraint is what makes "each video is sent once per saved search" hold, also when
two workers see the same publication.
"""

from sqlalchemy import delete, event

from app.clock import utcnow
from app.extensions import db
from app.models.users import User
from app.models.videos import Video


class SavedSearch(db.Model):
    __tablename__ = "saved_searches"
    FREQUENCIES = ("immediate", "daily")

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(
        db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name = db.Column(db.String(100), nullable=False)
    # The query string of /videos (q, from, to, tag, location, sort), without a page.
    query = db.Column(db.String(1000), nullable=False, default="")
    language = db.Column(db.String(5), nullable=False, default="fr")  # of its mails and feed
    frequency = db.Column(db.String(16), nullable=False, default="immediate")
    # Off after a one-click unsubscribe: the search stays (and its feed), mails stop.
    alerts_on = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")

    def __repr__(self):
        return f"<SavedSearch {self.id} user={self.user_id} {self.frequency}>"


class AlertItem(db.Model):
    """A video a saved search matched: pending until mailed (at once or in the digest),
    claimed (sending) by the one task that mails it, then sent."""

    __tablename__ = "alert_items"
    STATUSES = ("pending", "sending", "sent")

    id = db.Column(db.Integer, primary_key=True)
    saved_search_id = db.Column(
        db.Integer, db.ForeignKey("saved_searches.id", ondelete="CASCADE"), nullable=False
    )
    video_id = db.Column(
        db.Integer, db.ForeignKey("videos.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status = db.Column(db.String(16), nullable=False, default="pending")
    claim = db.Column(db.String(32))  # the task that is mailing it
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    sent_at = db.Column(db.DateTime)

    __table_args__ = (
        db.UniqueConstraint("saved_search_id", "video_id", name="uq_alert_items_search_video"),
        db.Index("ix_alert_items_status_created", "status", "created_at"),
    )


# SQLite may not enforce the foreign keys: the rows go with their account or video.
@event.listens_for(User, "before_delete")
def _forget_searches_of_deleted_account(mapper, connection, user):
    searches = db.select(SavedSearch.__table__.c.id).where(
        SavedSearch.__table__.c.user_id == user.id
    )
    items = AlertItem.__table__
    connection.execute(delete(items).where(items.c.saved_search_id.in_(searches)))
    connection.execute(
        delete(SavedSearch.__table__).where(SavedSearch.__table__.c.user_id == user.id)
    )


@event.listens_for(Video, "before_delete")
def _forget_alerts_of_deleted_video(mapper, connection, video):
    items = AlertItem.__table__
    connection.execute(delete(items).where(items.c.video_id == video.id))
