"""Accounts and the one-time codes that verify them and reset their passwords."""

import secrets

from flask_login import UserMixin
from sqlalchemy import func

from app.clock import utcnow
from app.extensions import db


def new_session_token():
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    # Stored lower-cased: addresses are case-insensitive for login and uniqueness.
    email = db.Column(db.String(254), nullable=False, unique=True)
    full_name = db.Column(db.String(200), nullable=False)
    organisation = db.Column(db.String(200), nullable=False, default="")
    password_hash = db.Column(db.String(255), nullable=False)
    language = db.Column(db.String(5), nullable=False, default="fr")
    # The IANA time zone dates and times are shown in ("Europe/Paris"); None: the site's.
    timezone = db.Column(db.String(64))
    is_staff = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    verified_at = db.Column(db.DateTime)
    # When the user last accepted the usage terms: at sign-up, and again at a download
    # after staff published a new version (app/library/policy.py).
    terms_accepted_at = db.Column(db.DateTime)
    last_login_at = db.Column(db.DateTime)
    # What Flask-Login keeps in the session and the remember-me cookie. Rotating it
    # ends every session of the user at once (password change or reset).
    session_token = db.Column(db.String(64), nullable=False, unique=True, default=new_session_token)

    @property
    def is_verified(self):
        return self.verified_at is not None

    def get_id(self):
        return self.session_token

    def rotate_session_token(self):
        self.session_token = new_session_token()

    @staticmethod
    def load_by_session_token(token):
        return db.session.execute(
            db.select(User).filter_by(session_token=token)
        ).scalar_one_or_none()

    @staticmethod
    def normalise_email(email):
        return (email or "").strip().lower()

    @classmethod
    def by_email(cls, email):
        return db.session.execute(
            db.select(cls).where(func.lower(cls.email) == cls.normalise_email(email))
        ).scalar_one_or_none()

    def __repr__(self):
        return f"<User {self.id} {self.email}>"


class OneTimeCode(db.Model):
    """A 6-digit code sent by e-mail. Only a keyed hash of it is stored.

    The rows double as the send log that throttles resends per address.
    """

    __tablename__ = "one_time_codes"
    PURPOSES = ("verify", "reset")

    id = db.Column(db.Integer, primary_key=True)
    purpose = db.Column(db.String(16), nullable=False)
    email = db.Column(db.String(254), nullable=False)
    code_hash = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    used_at = db.Column(db.DateTime)
    voided_at = db.Column(db.DateTime)  # replaced by a newer code, or burnt by wrong tries
    # The mail carrying it, sent by the worker: "pending", then "sent" or "failed".
    delivery = db.Column(db.String(8), nullable=False, default="pending", server_default="sent")

    __table_args__ = (db.Index("ix_one_time_codes_lookup", "purpose", "email", "created_at"),)
