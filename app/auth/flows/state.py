"""The session keys of the account flows, and ending them all at once."""

from flask import session

VERIFY_EMAIL = "verify_email"
VERIFY_BIND = "verify_bind"
AFTER_SIGNUP = "after_signup"
RESET_EMAIL = "reset_email"
RESET_NEXT = "reset_next"
RESET_GRANT = "reset_grant"
RESET_DONE_NEXT = "reset_done_next"

_FLOW_KEYS = (VERIFY_EMAIL, VERIFY_BIND, AFTER_SIGNUP, RESET_EMAIL, RESET_NEXT, RESET_GRANT)


def clear_all():
    """End every account flow of this browser (log-in, log-out, verified, reset)."""
    for key in _FLOW_KEYS:
        session.pop(key, None)
