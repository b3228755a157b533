"""Account mails: codes and notices, with the throttle and enumeration rules.

A request only decides and records: `deliver_code` checks the throttle and records a
pending code row, whatever the state of the address (new, unverified, verified,
unknown), and returns the mail job that the route enqueues (app/auth/tasks.py). The
worker then draws the code, renders the mail in the recipient's language and sends it
(`send_code_mail`), with retries; a request never waits on SMTP. The answers, the
throttle and the work done are the same for every address: only the mail's content
(or its absence, for an unknown address in the reset flow) differs, in the worker.

Every link in these mails is built from SITE_URL (app/links.py), never from the Host
header of the request that caused them.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.extensions import db
from app.links import external_url
from app.mailer import send_mail
from app.models import OneTimeCode, User
from app.security import codes

SENT = "sent"
THROTTLED = "throttled"

CODE_MAIL = {codes.VERIFY: "verify_code", codes.RESET: "reset_code"}
NOTICE_MAIL = "signup_attempt"

SUBJECTS = {
    "verify_code": _l("Verify your e-mail address"),
    "reset_code": _l("Reset your password"),
    "signup_attempt": _l("Someone tried to create an account with your address"),
    "password_changed": _l("Your password has been changed"),
}


@dataclass(frozen=True)
class MailJob:
    """What the worker sends for a code row: `template` to `user_id` (None: nothing)."""

    row_id: int
    template: str | None
    user_id: int | None


@dataclass
class Outcome:
    status: str
    wait: int = 0
    job: MailJob | None = None


def wait_text(seconds):
    """'in 45 seconds' / 'in 12 minutes', translated."""
    if seconds < 90:
        return ngettext("in %(num)d second", "in %(num)d seconds", seconds)
    minutes = -(-seconds // 60)
    return ngettext("in %(num)d minute", "in %(num)d minutes", minutes)


def deliver_code(purpose, email, user=None, notice_user=None):
    """Record a fresh code for `purpose` to `email`, if the throttle allows.

    user: the account that gets the code (None: record the send, mail nothing).
    notice_user: an account that gets the "someone tried to sign up" notice instead.
    """
    # Who gets a mail is read before the code row is committed (the commit expires the
    # account): the statements are then the same for every address.
    if user is not None:
        template, recipient_id = CODE_MAIL[purpose], user.id
    elif notice_user is not None:
        template, recipient_id = NOTICE_MAIL, notice_user.id
    else:
        template, recipient_id = None, None
    wait = codes.throttle_wait(purpose, email)
    if wait:
        return Outcome(THROTTLED, wait)
    row = codes.issue(purpose, email)
    return Outcome(SENT, job=MailJob(row.id, template, recipient_id))


def delivery_failed(purpose, email):
    """Whether the latest code for this address could not be mailed, for good."""
    return codes.latest_delivery(purpose, email) == codes.FAILED_DELIVERY


def send_code_mail(row_id, template, user_id):
    """In the worker: draw the code of row `row_id` and mail it (or the notice).

    Raises MailError when the server cannot take it (the task retries). Idempotent: a
    row already sent, or voided by a newer code, sends nothing.
    """
    row = db.session.get(OneTimeCode, row_id)
    user = db.session.get(User, user_id) if user_id is not None else None
    if row is None or row.delivery != codes.PENDING_DELIVERY:
        return
    if template in CODE_MAIL.values() and user is not None:
        code = codes.draw(row_id)
        if code is None:
            return
        ttl = current_app.config["CODE_TTL_SECONDS"]
        send_mail(
            user.email,
            template,
            user.language,
            SUBJECTS[template],
            user=user,
            code=code,
            minutes=ttl // 60,
            expires_at=row.created_at + timedelta(seconds=ttl),
        )
    elif template == NOTICE_MAIL and user is not None:
        send_mail(
            user.email,
            NOTICE_MAIL,
            user.language,
            SUBJECTS[NOTICE_MAIL],
            user=user,
            reset_url=external_url("auth.reset"),
            login_url=external_url("auth.login"),
        )
    codes.mark_delivery(row_id, codes.SENT_DELIVERY)


def code_mail_failed(row_id):
    """In the worker, after the last try: the code never left; say so on the code page."""
    codes.mark_delivery(row_id, codes.FAILED_DELIVERY)


def send_password_changed(user_id, when):
    """In the worker: tell the owner their password changed (raises MailError to retry)."""
    user = db.session.get(User, user_id)
    if user is None:
        return
    send_mail(
        user.email,
        "password_changed",
        user.language,
        SUBJECTS["password_changed"],
        user=user,
        when=when,
        reset_url=external_url("auth.reset"),
    )
