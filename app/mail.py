"""Render an e-mail in the recipient's language and send it.

Every mail has a text part and an HTML part, rendered from templates/mail/<name>.txt and
templates/mail/<name>.html under the recipient's locale. Subjects never carry secrets
(they show on locked screens).
"""

import smtplib
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message

from app.extensions import mail


class MailError(Exception):
    """The mail server could not be reached or refused the message."""


def build_message(to, template, lang, subject, headers=None, **context):
    """A Flask-Mail Message for `to`, rendered in `lang`.

    `subject` is a callable or lazy string, evaluated under the recipient's locale.
    """
    with force_locale(lang):
        context.setdefault("site_name", current_app.config["SITE_NAME"])
        context.setdefault("lang", lang)
        subject_text = str(subject() if callable(subject) else subject)
        body = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", subject=subject_text, **context)
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1].strip("> ")
    message = Message(
        subject=subject_text,
        recipients=[to],
        body=body,
        html=html,
        extra_headers=headers or {},
    )
    # Flask-Mail 0.10 takes no msgId argument; the attribute is what it sends.
    message.msgId = make_msgid(domain=domain or "rushes.local")
    return message


def send_mail(to, template, lang, subject, headers=None, **context):
    """Build and send one message; raise MailError if the server is unreachable."""
    message = build_message(to, template, lang, subject, headers=headers, **context)
    try:
        mail.send(message)
    except (smtplib.SMTPException, OSError) as exc:  # socket timeouts are OSErrors
        current_app.logger.warning("mail to %s not sent: %s", to, exc)
        raise MailError(str(exc)) from exc
    return message
