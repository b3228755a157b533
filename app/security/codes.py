"""One-time codes: 6 digits e-mailed to verify an address or reset a password.

- The code comes from `secrets`; only an HMAC-SHA256 of it (keyed with SECRET_KEY, and
  bound to its purpose and address) is stored, in a OneTimeCode row.
- Valid CODE_TTL_SECONDS (30 minutes), single use, burnt after CODE_MAX_ATTEMPTS (5)
  wrong tries; issuing a new code voids every earlier one for the same purpose/address.
- The rows double as the send log: at most one code per CODE_RESEND_INTERVAL_SECONDS
  (60 s) and CODE_MAX_PER_HOUR (5) per purpose and address. A request records the row
  ("pending"); the worker draws the code, stores its hash and mails it (`draw`), then
  marks the row "sent" or, when the mail could not go out for good, "failed": a failed
  send counts against no throttle. The plain code exists only in the worker and the mail.
- Compared in constant time; attempts and use are recorded with conditional UPDATEs so
  that two concurrent requests cannot both use one code or exceed the tries.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from app.clock import utcnow
from app.extensions import db
from app.models import OneTimeCode, User

VERIFY = "verify"
RESET = "reset"

# Outcomes of check()
OK = "ok"
WRONG = "wrong"  # wrong code, tries left
BURNT = "burnt"  # too many wrong tries: ask for a new code
EXPIRED = "expired"
MISSING = "missing"  # no live code (never sent, used, or voided)

# OneTimeCode.delivery
PENDING_DELIVERY = "pending"
SENT_DELIVERY = "sent"
FAILED_DELIVERY = "failed"


@dataclass
class Result:
    status: str
    code_id: int | None = None
    tries_left: int = 0

    @property
    def ok(self):
        return self.status == OK


def _cfg(name):
    return current_app.config[name]


def generate():
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hash(purpose, email, code):
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{purpose}\x00{User.normalise_email(email)}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def throttle_wait(purpose, email, now=None):
    """Seconds until a new code may be sent to `email` for `purpose` (0: now)."""
    now = now or utcnow()
    email = User.normalise_email(email)
    hour_ago = now - timedelta(hours=1)
    recent = (
        db.session.execute(
            db.select(OneTimeCode.created_at)
            .where(
                OneTimeCode.purpose == purpose,
                OneTimeCode.email == email,
                OneTimeCode.created_at > hour_ago,
                OneTimeCode.delivery != FAILED_DELIVERY,
            )
            .order_by(OneTimeCode.created_at.desc())
        )
        .scalars()
        .all()
    )
    wait = 0.0
    if recent:
        interval = timedelta(seconds=_cfg("CODE_RESEND_INTERVAL_SECONDS"))
        wait = max(wait, (recent[0] + interval - now).total_seconds())
        if len(recent) >= _cfg("CODE_MAX_PER_HOUR"):
            # The oldest send inside the window must leave it first.
            oldest = recent[_cfg("CODE_MAX_PER_HOUR") - 1]
            wait = max(wait, (oldest + timedelta(hours=1) - now).total_seconds())
    return max(0, int(-(-wait // 1)))  # round up to whole seconds


def issue(purpose, email):
    """Void the live codes for (purpose, email) and record a new, pending one; return the row.

    Its hash matches no 6-digit code until the worker draws the code (`draw`): the same
    bookkeeping is done whether or not an account is behind the address.
    """
    assert purpose in OneTimeCode.PURPOSES
    email = User.normalise_email(email)
    now = utcnow()
    void_all(purpose, email, now=now)
    row = OneTimeCode(
        purpose=purpose,
        email=email,
        code_hash=code_hash(purpose, email, secrets.token_hex(16)),
        created_at=now,
        delivery=PENDING_DELIVERY,
    )
    db.session.add(row)
    db.session.commit()
    return row


def draw(row_id):
    """Draw the code of pending row `row_id` and store its hash; return the code, or None
    when the row is no longer pending and live (sent already, voided by a newer code)."""
    row = db.session.get(OneTimeCode, row_id)
    if row is None:
        return None
    code = generate()
    drawn = db.session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.id == row_id,
            OneTimeCode.delivery == PENDING_DELIVERY,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.voided_at.is_(None),
        )
        .values(code_hash=code_hash(row.purpose, row.email, code))
    )
    db.session.commit()
    return code if drawn.rowcount == 1 else None


def mark_delivery(row_id, status):
    """Record how the mail of a pending code went (SENT_DELIVERY or FAILED_DELIVERY).

    A failed code is voided: the address owner never got it."""
    values = {"delivery": status}
    if status == FAILED_DELIVERY:
        values["voided_at"] = utcnow()
    db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == row_id, OneTimeCode.delivery == PENDING_DELIVERY)
        .values(**values)
    )
    db.session.commit()


def latest_delivery(purpose, email):
    """The delivery state of the latest code for (purpose, email), or None."""
    return db.session.execute(
        db.select(OneTimeCode.delivery)
        .where(OneTimeCode.purpose == purpose, OneTimeCode.email == User.normalise_email(email))
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def void_all(purpose, email, now=None):
    db.session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.purpose == purpose,
            OneTimeCode.email == User.normalise_email(email),
            OneTimeCode.voided_at.is_(None),  # used but unconsumed grants end too
        )
        .values(voided_at=now or utcnow())
    )


def _live_code(purpose, email):
    return db.session.execute(
        db.select(OneTimeCode)
        .where(
            OneTimeCode.purpose == purpose,
            OneTimeCode.email == User.normalise_email(email),
            OneTimeCode.used_at.is_(None),
            OneTimeCode.voided_at.is_(None),
        )
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def check(purpose, email, code):
    """Check `code` for (purpose, email); on success the code is used up.

    Each try is counted before the code is compared, in one conditional UPDATE: however
    many guesses arrive at once, at most CODE_MAX_ATTEMPTS of them are ever compared.
    """
    row = _live_code(purpose, email)
    if row is None:
        return Result(MISSING)
    now = utcnow()
    max_attempts = _cfg("CODE_MAX_ATTEMPTS")
    if row.created_at + timedelta(seconds=_cfg("CODE_TTL_SECONDS")) <= now:
        return Result(EXPIRED, row.id)
    live = (
        OneTimeCode.id == row.id,
        OneTimeCode.used_at.is_(None),
        OneTimeCode.voided_at.is_(None),
    )
    attempts = db.session.execute(
        update(OneTimeCode)
        .where(*live, OneTimeCode.attempts < max_attempts)
        .values(attempts=OneTimeCode.attempts + 1)
        .returning(OneTimeCode.attempts)
    ).scalar_one_or_none()
    db.session.commit()
    if attempts is None:  # no tries left, or used or voided by a concurrent request
        db.session.refresh(row)
        if row.used_at is not None or row.voided_at is not None:
            return Result(MISSING)
        return Result(BURNT, row.id)
    given = code_hash(purpose, email, (code or "").strip())
    if hmac.compare_digest(row.code_hash, given):
        used = db.session.execute(update(OneTimeCode).where(*live).values(used_at=now))
        db.session.commit()
        if used.rowcount != 1:  # a concurrent request used or voided it first
            return Result(MISSING)
        return Result(OK, row.id)
    if attempts >= max_attempts:
        db.session.execute(update(OneTimeCode).where(*live).values(voided_at=now))
        db.session.commit()  # burnt: only a new code helps now
        return Result(BURNT, row.id)
    return Result(WRONG, row.id, tries_left=max_attempts - attempts)


def grant_is_live(code_id, purpose, email):
    """A code used within its TTL and not consumed since: lets the holder finish a step."""
    row = db.session.get(OneTimeCode, code_id) if isinstance(code_id, int) else None
    if row is None or row.purpose != purpose or row.email != User.normalise_email(email):
        return False
    if row.used_at is None or row.voided_at is not None:
        return False
    return row.used_at + timedelta(seconds=_cfg("CODE_TTL_SECONDS")) > utcnow()


def consume_grant(code_id):
    """Mark a used code as consumed (a used code is voided once its step is done)."""
    consumed = db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == code_id, OneTimeCode.voided_at.is_(None))
        .values(voided_at=utcnow())
    )
    return consumed.rowcount == 1
