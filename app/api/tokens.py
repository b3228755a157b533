"""API tokens: create, look up, revoke. Only the SHA-256 of a token is stored.

A token is ``rsh_`` followed by 32 random bytes (URL-safe base64): far too many to guess,
so an unkeyed SHA-256 is enough at rest (as for GitHub's tokens) and, unlike a hash keyed
with SECRET_KEY, a rotation of the secret key does not void every token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import func, select, update

from app.clock import utcnow
from app.extensions import db
from app.models import ApiToken

TOKEN_PREFIX = "rsh_"  # noqa: S105 - the visible prefix of every token, no secret
MAX_TOKENS_PER_USER = 20
MAX_TOKEN_LENGTH = 100
NAME_LENGTH = 100
MAX_ID = 2**31 - 1


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(user, name: str) -> tuple[ApiToken, str]:
    """(the row, the token itself): the caller shows the token once, it is never kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=(name or "").strip()[:NAME_LENGTH],
        prefix=token[:12],
        token_hash=hash_token(token),
        created_at=utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    return row, token


def active_count(user) -> int:
    return int(
        db.session.execute(
            select(func.count(ApiToken.id)).where(
                ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
            )
        ).scalar_one()
    )


def tokens_of(user) -> list[ApiToken]:
    """The user's tokens still in force, newest first."""
    return list(
        db.session.execute(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).scalars()
    )


def token_row(token: str | None) -> ApiToken | None:
    """The active token row of `token`, None for anything else (malformed, revoked)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(token)
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == digest)
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return row


def mark_used(row: ApiToken) -> None:
    """Record when the token was last used (at most once a minute, to spare writes)."""
    now = utcnow()
    if row.last_used_at is not None and (now - row.last_used_at).total_seconds() < 60:
        return
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == row.id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def revoke(user, token_id: int) -> bool:
    """Revoke the user's token `token_id`; False when it is not one of theirs in force."""
    result = db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1
