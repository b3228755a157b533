"""Versions of the usage terms: accepted once at sign-up, again after staff publish a new
version (app/library/policy.py decides)."""

from app.clock import utcnow
from app.extensions import db


class TermsVersion(db.Model):
    __tablename__ = "terms_versions"

    id = db.Column(db.Integer, primary_key=True)
    published_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    published_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"))
    note = db.Column(db.String(500), nullable=False, default="")  # what changed, for staff
