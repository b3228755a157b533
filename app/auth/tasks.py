"""Account mails, sent by the worker with retries (the rules: app/auth/delivery.py).

Routes enqueue these; a request never waits on the mail server. Each try of a send is
bounded by MAIL_TIMEOUT; MAIL_RETRIES more tries follow MAIL_RETRY_DELAY seconds apart.
"""

import logging

from flask import current_app

from app.auth import delivery
from app.clock import utcnow
from app.extensions import huey
from app.mailer import MailError

log = logging.getLogger(__name__)


@huey.task(context=True)
def code_mail_task(row_id, template, user_id, task=None):
    try:
        delivery.send_code_mail(row_id, template, user_id)
    except MailError:
        if task is None or not task.retries:
            log.warning("code %s: mail not sent after its last try", row_id)
            delivery.code_mail_failed(row_id)
        raise


@huey.task()
def password_changed_task(user_id, when):
    delivery.send_password_changed(user_id, when)


def _enqueue(task_wrapper, *args):
    config = current_app.config
    huey.enqueue(
        task_wrapper.s(
            *args, retries=config["MAIL_RETRIES"], retry_delay=config["MAIL_RETRY_DELAY"]
        )
    )


def send_code_mail(job):
    """Queue the mail of a code row (`delivery.MailJob`), sent or not: the same work."""
    _enqueue(code_mail_task, job.row_id, job.template, job.user_id)


def send_password_changed(user):
    _enqueue(password_changed_task, user.id, utcnow())
