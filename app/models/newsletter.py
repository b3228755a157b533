"""Newsletter: subscribers, issues written by staff, and one delivery row per recipient.

Accounts subscribe in one click (their address is verified); visitors confirm by e-mail
(double opt-in). An issue is sent by a background job that records a Delivery per
recipient; see app/newsletter/delivery.py for the exactly-once rules.
"""

import hashlib
import hmac

from sqlalchemy import delete, event, update

from app.clock import utcnow
from app.extensions import db
from app.models.users import User


class Subscriber(db.Model):
    __tablename__ = "subscribers"
    STATUSES = ("pending", "active", "unsubscribed")

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    language = db.Column(db.String(5), nullable=False, default="fr")
    status = db.Column(db.String(16), nullable=False, default="pending", index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    confirmed_at = db.Column(db.DateTime)  # when the subscription became active
    unsubscribed_at = db.Column(db.DateTime)
    # Last confirmation mail sent to this address: throttles resends (double opt-in).
    confirm_sent_at = db.Column(db.DateTime)

    # delete-orphan + passive_deletes: deleting the account through the ORM deletes the
    # subscription too (the database's ON DELETE CASCADE does the same for raw SQL).
    user = db.relationship(
        "User",
        backref=db.backref(
            "subscription", uselist=False, cascade="all, delete-orphan", passive_deletes=True
        ),
    )

    @property
    def is_active(self):
        return self.status == "active"

    def __repr__(self):
        return f"<Subscriber {self.id} {self.email} {self.status}>"


@event.listens_for(User, "after_delete")
def _forget_subscription_of_deleted_account(mapper, connection, user):
    """Deleting an account removes its subscription, even one made before the account
    existed with the same address (not linked by user_id)."""
    subscribers = Subscriber.__table__
    ids = db.select(subscribers.c.id).where(
        (subscribers.c.user_id == user.id) | (subscribers.c.email == user.email)
    )
    deliveries = Delivery.__table__
    connection.execute(
        update(deliveries).where(deliveries.c.subscriber_id.in_(ids)).values(subscriber_id=None)
    )
    connection.execute(
        delete(subscribers).where(
            (subscribers.c.user_id == user.id) | (subscribers.c.email == user.email)
        )
    )


newsletter_issue_videos = db.Table(
    "newsletter_issue_videos",
    db.Column(
        "issue_id",
        db.Integer,
        db.ForeignKey("newsletter_issues.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    db.Column(
        "video_id", db.Integer, db.ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    ),
    db.Column("position", db.Integer, nullable=False, default=0),
)


class NewsletterIssue(db.Model):
    """One newsletter, written in every language, sent once to all active subscribers."""

    __tablename__ = "newsletter_issues"
    # draft → sending ⇄ (stopping → paused) → sent
    STATUSES = ("draft", "sending", "stopping", "paused", "sent")

    id = db.Column(db.Integer, primary_key=True)
    subject_fr = db.Column(db.String(200), nullable=False, default="")
    subject_en = db.Column(db.String(200), nullable=False, default="")
    intro_fr = db.Column(db.Text, nullable=False, default="")
    intro_en = db.Column(db.Text, nullable=False, default="")
    status = db.Column(db.String(16), nullable=False, default="draft", index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"))
    started_at = db.Column(db.DateTime)  # send to all subscribers started
    finished_at = db.Column(db.DateTime)
    # The run currently allowed to send (a new run replaces an older one) and its heartbeat.
    run_id = db.Column(db.String(32))
    heartbeat_at = db.Column(db.DateTime)
    last_error = db.Column(db.Text)  # why the last run stopped early (mail server down...)

    created_by = db.relationship("User")
    videos = db.relationship(
        "Video",
        secondary=newsletter_issue_videos,
        order_by=newsletter_issue_videos.c.position,
        lazy="selectin",
    )

    def subject(self, lang):
        return (self.subject_en if lang == "en" else self.subject_fr) or (
            self.subject_fr or self.subject_en
        )

    def intro(self, lang):
        return (self.intro_en if lang == "en" else self.intro_fr) or (
            self.intro_fr or self.intro_en
        )

    def set_videos(self, videos):
        """Featured videos, in the given order."""
        db.session.execute(
            newsletter_issue_videos.delete().where(newsletter_issue_videos.c.issue_id == self.id)
        )
        for position, video in enumerate(videos):
            db.session.execute(
                newsletter_issue_videos.insert().values(
                    issue_id=self.id, video_id=video.id, position=position
                )
            )
        db.session.expire(self, ["videos"])

    @property
    def is_draft(self):
        return self.status == "draft"

    def __repr__(self):
        return f"<NewsletterIssue {self.id} {self.status}>"


class Delivery(db.Model):
    """One recipient of one issue. Created (pending) for every active subscriber when the
    send starts; the sender claims it (sending) just before the mail server may accept the
    message and marks it sent afterwards. See app/newsletter/delivery.py."""

    __tablename__ = "newsletter_deliveries"
    # unknown: the worker died while the mail server was accepting this message, so it
    # may or may not have been delivered; never re-sent automatically (staff decide).
    # skipped: unsubscribed (or account deleted) after the send started.
    STATUSES = ("pending", "sending", "sent", "failed", "unknown", "skipped")

    id = db.Column(db.Integer, primary_key=True)
    issue_id = db.Column(
        db.Integer, db.ForeignKey("newsletter_issues.id", ondelete="CASCADE"), nullable=False
    )
    subscriber_id = db.Column(db.Integer, db.ForeignKey("subscribers.id", ondelete="SET NULL"))
    email = db.Column(db.String(254), nullable=False)  # as when the send started
    language = db.Column(db.String(5), nullable=False)
    status = db.Column(db.String(16), nullable=False, default="pending")
    error = db.Column(db.Text)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    run_id = db.Column(db.String(32))  # the run that claimed it
    claimed_at = db.Column(db.DateTime)
    sent_at = db.Column(db.DateTime)

    issue = db.relationship("NewsletterIssue")
    subscriber = db.relationship("Subscriber")

    __table_args__ = (
        db.UniqueConstraint("issue_id", "subscriber_id", name="uq_newsletter_deliveries_issue_sub"),
        db.Index("ix_newsletter_deliveries_issue_status", "issue_id", "status"),
    )

    def message_id(self, domain, secret):
        return delivery_message_id(self.issue_id, self.id, domain, secret)


def delivery_message_id(issue_id, delivery_id, domain, secret):
    """Deterministic Message-ID: the same for a re-send of the same delivery, so a
    mailbox that de-duplicates by Message-ID shows it once."""
    mac = hmac.new(secret.encode(), f"{issue_id}.{delivery_id}".encode(), hashlib.sha256)
    return f"<newsletter.{issue_id}.{delivery_id}.{mac.hexdigest()[:16]}@{domain}>"
