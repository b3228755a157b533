"""Subscriptions: the one place that changes who receives the newsletter."""

from app.clock import utcnow
from app.extensions import db
from app.models import Subscriber


def subscribe_user(user):
    """Subscribe an account at once: its address is verified already."""
    subscriber = user.subscription or Subscriber.query.filter_by(email=user.email).one_or_none()
    if subscriber is None:
        subscriber = Subscriber(email=user.email)
        db.session.add(subscriber)
    subscriber.user = user
    subscriber.language = user.language
    if subscriber.status != "active":
        subscriber.status = "active"
        subscriber.confirmed_at = utcnow()
        subscriber.unsubscribed_at = None
    db.session.commit()
    return subscriber


def unsubscribe(subscriber):
    """Immediate and idempotent."""
    if subscriber.status != "unsubscribed":
        subscriber.status = "unsubscribed"
        subscriber.unsubscribed_at = utcnow()
        db.session.commit()
    return subscriber
