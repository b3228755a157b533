"""Password reset by e-mailed code.

The same work is done whether or not the address has an account (the reset page never
tells): request() records a code either way and mails it only to a real account.
"""

from flask import session
from flask_login import logout_user

from app.auth import delivery
from app.auth.flows.state import RESET_DONE_NEXT as DONE_NEXT
from app.auth.flows.state import RESET_EMAIL as EMAIL
from app.auth.flows.state import RESET_GRANT as GRANT
from app.auth.flows.state import RESET_NEXT as NEXT
from app.auth.flows.state import clear_all
from app.clock import utcnow
from app.extensions import db
from app.models import User
from app.security import codes, devices, passwords
from app.security.redirects import is_safe_path


def request_code(email, next_path):
    email = User.normalise_email(email)
    user = User.by_email(email)  # the same query and bookkeeping whether or not it exists
    outcome = delivery.deliver_code(codes.RESET, email, user=user)
    session.pop(GRANT, None)
    session[EMAIL] = email
    session[NEXT] = next_path if is_safe_path(next_path) else ""
    return outcome


def pending_email():
    return session.get(EMAIL)


def resend():
    email = pending_email()
    return delivery.deliver_code(codes.RESET, email, user=User.by_email(email))


def check_code(code):
    result = codes.check(codes.RESET, pending_email(), code)
    if result.ok:
        session[GRANT] = [result.code_id, codes.RESET]
    return result


def granted():
    """(user, code_id) when this browser proved the address by a live code, else (None, None)."""
    email = session.get(EMAIL)
    grant = session.get(GRANT)
    if not email or not isinstance(grant, list) or len(grant) != 2:
        session.pop(GRANT, None)
        return None, None
    code_id, purpose = grant
    if purpose not in (codes.RESET, codes.VERIFY) or not codes.grant_is_live(
        code_id, purpose, email
    ):
        session.pop(GRANT, None)
        return None, None
    return User.by_email(email), code_id


def set_password(user, code_id, password):
    """Change the password and end every session; False if the grant was used meanwhile."""
    if not codes.consume_grant(code_id):  # used by a concurrent request
        db.session.rollback()
        return False
    user.password_hash = passwords.hash_password(password)
    user.verified_at = user.verified_at or utcnow()  # the code proved the address
    user.rotate_session_token()  # every other session and remember-me cookie ends
    db.session.commit()
    devices.remember(user)  # the owner proved the address: let them past the login limit
    next_path = session.get(NEXT, "")
    logout_user()
    clear_all()
    session[DONE_NEXT] = next_path
    return True


def done_target(default):
    next_path = session.get(DONE_NEXT, "")
    return next_path if is_safe_path(next_path) else default
