"""API tokens: a user may hold several; only a hash of each is stored."""

from sqlalchemy import delete, event

from app.clock import utcnow
from app.extensions import db
from app.models.users import User


class ApiToken(db.Model):
    """One bearer token of the JSON API and the feeds' download links.

    The token itself (``rsh_`` + 43 URL-safe characters, 32 random bytes) is shown once at
    creation; the row keeps its SHA-256 (``token_hash``) and its first characters
    (``prefix``) so that its owner can tell their tokens apart.
    """

    __tablename__ = "api_tokens"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(
        db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name = db.Column(db.String(100), nullable=False, default="")
    prefix = db.Column(db.String(16), nullable=False)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime)
    revoked_at = db.Column(db.DateTime)

    user = db.relationship("User")

    @property
    def active(self):
        return self.revoked_at is None

    def __repr__(self):
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"


@event.listens_for(User, "before_delete")
def _revoke_tokens_of_deleted_account(mapper, connection, user):
    """Deleting an account deletes its tokens (SQLite may not enforce the foreign key)."""
    connection.execute(delete(ApiToken.__table__).where(ApiToken.__table__.c.user_id == user.id))
