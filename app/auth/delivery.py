"""Sending codes and account notices, with the throttle and enumeration rules.

Whatever the state of the address (new, unverified, verified, unknown), the same work is
done: the throttle is checked and a code row is recorded, so that the answers, and the
throttle messages, are the same. Only a mail's content (or its absence, for an unknown
address in the reset flow) differs.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.clock import utcnow
from app.mail import MailError, send_mail
from app.security import codes

SENT = "sent"
THROTTLED = "throttled"
FAILED = "failed"

SUBJECTS = {
    "verify_code": _l("Verify your e-mail address"),
    "reset_code": _l("Reset your password"),
    "signup_attempt": _l("Someone tried to create an account with your address"),
    "password_changed": _l("Your password has been changed"),
}


@dataclass
class Outcome:
    status: str
    wait: int = 0


def wait_text(seconds):
    """'in 45 seconds' / 'in 12 minutes', translated."""
    if seconds < 90:
        return ngettext("in %(num)d second", "in %(num)d seconds", seconds)
    minutes = -(-seconds // 60)
    return ngettext("in %(num)d minute", "in %(num)d minutes", minutes)


def _code_mail_context(code, row):
    ttl = current_app.config["CODE_TTL_SECONDS"]
    return {
        "code": code,
        "minutes": ttl // 60,
        "expires_at": (row.created_at + timedelta(seconds=ttl)).strftime("%H:%M"),
    }


def deliver_code(purpose, email, user=None, notice_user=None):
    """Send a fresh code for `purpose` to `email`, if the throttle allows.

    user: the account that gets the code (None: record the send, mail nothing).
    notice_user: an account that gets the "someone tried to sign up" notice instead.
    """
    wait = codes.throttle_wait(purpose, email)
    if wait:
        return Outcome(THROTTLED, wait)
    row, code = codes.issue(purpose, email, deliverable=user is not None)
    try:
        if user is not None:
            template = "verify_code" if purpose == codes.VERIFY else "reset_code"
            send_mail(
                user.email,
                template,
                user.language,
                SUBJECTS[template],
                user=user,
                **_code_mail_context(code, row),
            )
        elif notice_user is not None:
            send_mail(
                notice_user.email,
                "signup_attempt",
                notice_user.language,
                SUBJECTS["signup_attempt"],
                user=notice_user,
                reset_url=url_for("auth.reset", _external=True),
                login_url=url_for("auth.login", _external=True),
            )
    except MailError:
        codes.forget(row)  # not sent: it must not count against the throttle
        return Outcome(FAILED)
    return Outcome(SENT)


def send_password_changed(user):
    """Tell the owner; a failure is logged, not shown (the change itself succeeded)."""
    try:
        send_mail(
            user.email,
            "password_changed",
            user.language,
            SUBJECTS["password_changed"],
            user=user,
            when=utcnow().strftime("%Y-%m-%d %H:%M"),
            reset_url=url_for("auth.reset", _external=True),
        )
    except MailError:
        return False
    return True
