"""Sign-up and e-mail verification.

register() creates the account (or refreshes one nobody has verified yet) and start()
sends the code; check_code() and complete() end the flow. A verified account is never
touched by a sign-up for its address: its owner gets a notice instead of a code, and the
browser sees exactly what a new sign-up sees.
"""

import hashlib
import hmac

from flask import current_app, session
from flask_login import login_user
from sqlalchemy.exc import IntegrityError

from app.auth import delivery
from app.auth.flows.state import AFTER_SIGNUP as AFTER
from app.auth.flows.state import RESET_EMAIL, RESET_GRANT, clear_all
from app.auth.flows.state import VERIFY_BIND as BIND
from app.auth.flows.state import VERIFY_EMAIL as EMAIL
from app.clock import utcnow
from app.extensions import db
from app.models import User
from app.security import codes, devices, passwords
from app.security.redirects import is_safe_path

# What complete() leads to.
WELCOME = "welcome"
CHOOSE_PASSWORD = "choose_password"  # noqa: S105  (an outcome, not a secret)


def bind(password_hash):
    """Ties a verify step to the password set by the browser that started it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"verify-bind\x00" + password_hash.encode(), hashlib.sha256).hexdigest()


def register(email, full_name, organisation, password, language):
    """The account the sign-up is about (None only if it vanished meanwhile)."""
    email = User.normalise_email(email)
    password_hash = passwords.hash_password(password)
    user = User.by_email(email)
    now = utcnow()
    if user is None:
        user = User(
            email=email,
            full_name=full_name,
            organisation=organisation,
            password_hash=password_hash,
            language=language,
            terms_accepted_at=now,
        )
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:  # the same address, signed up a moment ago
            db.session.rollback()
            user = User.by_email(email)
    elif not user.is_verified:
        # Nobody has proved this address yet: the latest sign-up's details count.
        user.full_name = full_name
        user.organisation = organisation
        user.password_hash = password_hash
        user.language = language
        user.terms_accepted_at = now
        db.session.commit()
    session[BIND] = bind(password_hash)
    return user, email


def bind_to(user):
    """A log-in to an unverified account: this browser holds the right password."""
    session[BIND] = bind(user.password_hash)


def start(user, email, next_path=None):
    """Send a fresh code (or the notice, for a verified account); the flow waits for it."""
    if user is not None and not user.is_verified:
        outcome = delivery.deliver_code(codes.VERIFY, email, user=user)
    else:
        outcome = delivery.deliver_code(codes.VERIFY, email, notice_user=user)
    session[EMAIL] = email
    if next_path is not None:
        session[AFTER] = next_path if is_safe_path(next_path) else ""
    return outcome


def pending_email():
    return session.get(EMAIL)


def check_code(code):
    """(result, user): user is set when the code is right for a live account."""
    email = pending_email()
    result = codes.check(codes.VERIFY, email, code)
    user = User.by_email(email) if result.ok else None
    return result, user


def complete(user, result):
    """The address is proved: log in (WELCOME), or ask for a new password (CHOOSE_PASSWORD)
    when the password was set by another sign-up than this browser's."""
    user.verified_at = user.verified_at or utcnow()
    if not hmac.compare_digest(session.get(BIND, ""), bind(user.password_hash)):
        db.session.commit()
        session.pop(EMAIL, None)
        session.pop(BIND, None)
        # The reset flow's last step accepts this proved verify code as its grant.
        session[RESET_EMAIL] = user.email
        session[RESET_GRANT] = [result.code_id, codes.VERIFY]
        return CHOOSE_PASSWORD
    user.last_login_at = utcnow()
    db.session.commit()
    after = session.get(AFTER, "")
    clear_all()
    login_user(user)
    devices.remember(user)
    session[AFTER] = after
    return WELCOME


def welcome_target(default):
    after = session.get(AFTER) or ""
    return after if is_safe_path(after) else default
