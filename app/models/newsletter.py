"""Newsletter subscribers. Accounts subscribe in one click; visitors confirm by e-mail."""

from app.clock import utcnow
from app.extensions import db


class Subscriber(db.Model):
    __tablename__ = "subscribers"
    STATUSES = ("pending", "active", "unsubscribed")

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    language = db.Column(db.String(5), nullable=False, default="fr")
    status = db.Column(db.String(16), nullable=False, default="pending")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    confirmed_at = db.Column(db.DateTime)  # when the subscription became active
    unsubscribed_at = db.Column(db.DateTime)

    user = db.relationship("User", backref=db.backref("subscription", uselist=False))

    @property
    def is_active(self):
        return self.status == "active"
