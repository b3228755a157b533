"""Render an e-mail in the recipient's language and send it, every wait bounded.

Every mail has a text part and an HTML part, rendered from templates/mail/<name>.txt and
templates/mail/<name>.html under the recipient's locale. Subjects never carry secrets
(they show on locked screens).

Flask-Mail builds and sends the message; the SMTP connection is ours (`connect`),
because Flask-Mail's own has no timeout and a mail server that accepts a connection
and never answers would hold the sender for ever. Callers are jobs (account mails,
newsletter runs), never a web request waiting on the server.
"""

import contextlib
import smtplib
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Connection, Message

from app.links import video_page_url, video_poster_url

# RFC 8058: what a mail client POSTs to the List-Unsubscribe URL to unsubscribe at once.
ONE_CLICK_POST = "List-Unsubscribe=One-Click"


class MailError(Exception):
    """The mail server could not be reached or refused the message."""


def list_unsubscribe(url, mailto=""):
    """The List-Unsubscribe value (RFC 2369): the one-click https URL, and a mailto: when
    the site has a mailbox that handles unsubscribe requests."""
    return f"<{url}>, <mailto:{mailto}?subject=unsubscribe>" if mailto else f"<{url}>"


def unsubscribe_headers(url, mailto=""):
    """The headers that let a mail client offer "unsubscribe" and do it in one click
    (RFC 2369 and RFC 8058), for the `headers` of `send_mail`."""
    return {
        "List-Unsubscribe": list_unsubscribe(url, mailto),
        "List-Unsubscribe-Post": ONE_CLICK_POST,
    }


def mail_video(video, lang):
    """What a mail shows of a video (templates/mail/_video.html): its title and summary
    in `lang`, its page and its poster, by absolute URL."""
    text = video.text(lang)
    return {
        "title": (text.title if text else "") or video.slug,
        "summary": text.summary if text else "",
        "url": video_page_url(video),
        "poster_url": video_poster_url(video),
    }


def build_message(to, template, lang, subject, headers=None, **context):
    """A Flask-Mail Message for `to`, rendered in `lang`.

    `subject` is a callable or lazy string, evaluated under the recipient's locale.
    """
    with force_locale(lang):
        context.setdefault("site_name", current_app.config["SITE_NAME"])
        context.setdefault("lang", lang)
        subject_text = str(subject() if callable(subject) else subject)
        body = render_template(f"mail/{template}.txt", subject=subject_text, **context)
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


def connect(timeout=None):
    """An SMTP client for Flask-Mail's settings, every wait (connecting, each answer of
    the server) bounded by `timeout` (default MAIL_TIMEOUT)."""
    state = current_app.extensions["mail"]
    timeout = timeout or current_app.config["MAIL_TIMEOUT"]
    if state.use_ssl:
        smtp = smtplib.SMTP_SSL(state.server, state.port, timeout=timeout)
    else:
        smtp = smtplib.SMTP(state.server, state.port, timeout=timeout)
    try:
        smtp.set_debuglevel(int(state.debug))
        if state.use_tls:
            smtp.starttls()
        if state.username and state.password:
            smtp.login(state.username, state.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def send_mail(to, template, lang, subject, headers=None, **context):
    """Build and send one message; raise MailError if the server is unreachable.

    With MAIL_SUPPRESS_SEND nothing connects: the message is only dispatched (printed
    and kept in development, see app/mail_files.py; recorded in tests).
    """
    message = build_message(to, template, lang, subject, headers=headers, **context)
    state = current_app.extensions["mail"]
    connection = Connection(state)
    try:
        connection.host = None if state.suppress else connect()
        try:
            connection.send(message)
        finally:
            if connection.host is not None:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    connection.host.quit()
    except (smtplib.SMTPException, OSError) as exc:  # socket timeouts are OSErrors
        current_app.logger.warning("mail to %s not sent: %s", to, exc)
        raise MailError(str(exc)) from exc
    return message
