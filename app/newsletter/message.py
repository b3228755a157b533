"""The bytes of each newsletter mail, built with the standard library's `email` package.

An issue is rendered once per language (with a placeholder where the unsubscribe URL
goes); each recipient's mail is then an `email.message.EmailMessage` with its own `To`,
`Date`, `Message-ID` and unsubscribe URL (in `List-Unsubscribe` and in both bodies),
serialised with `email.policy.SMTP`: CRLF line ends, headers folded and encoded as
RFC 5322 / RFC 2047 want, bodies quoted-printable (RFC 2045 line lengths).
"""

import email.policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import escape

from app.links import site_url
from app.mailer import ONE_CLICK_POST, list_unsubscribe, mail_video

UNSUB_PLACEHOLDER = "@@RUSHES_UNSUBSCRIBE_URL@@"
POLICY = email.policy.SMTP


def issue_context(issue, lang):
    videos = [mail_video(video, lang) for video in issue.videos]
    intro = issue.intro(lang) or ""
    paragraphs = [p.strip() for p in intro.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return {
        "issue": issue,
        "subject": issue.subject(lang),
        "paragraphs": paragraphs,
        "videos": videos,
        "site_name": current_app.config["SITE_NAME"],
        "site_url": site_url("/"),
        "newsletter_url": site_url("/newsletter"),
        "lang": lang,
    }


def render_issue(issue, lang, unsubscribe_url=UNSUB_PLACEHOLDER):
    """(subject, text, html) of `issue` in `lang`."""
    with force_locale(lang):
        ctx = issue_context(issue, lang)
        text = render_template("mail/newsletter_issue.txt", unsubscribe_url=unsubscribe_url, **ctx)
        html = render_template("mail/newsletter_issue.html", unsubscribe_url=unsubscribe_url, **ctx)
    return ctx["subject"], text, html


class Rendering:
    """One language of an issue: its subject and both bodies, the URL left to fill in."""

    def __init__(self, lang, subject, text, html):
        self.lang = lang
        self.subject = " ".join(subject.split())  # no line breaks in a header
        self.text = text
        self.html = html
        # Parsed once: the policy takes a header object as it is (header_store_parse), and
        # parsing is most of the cost of a message.
        self.subject_header = POLICY.header_factory("Subject", self.subject)
        self.language_header = POLICY.header_factory("Content-Language", lang)

    def bodies(self, unsubscribe_url):
        """(text, html) for one recipient; in the HTML the URL is escaped as the template
        would have escaped it."""
        return (
            self.text.replace(UNSUB_PLACEHOLDER, unsubscribe_url),
            self.html.replace(UNSUB_PLACEHOLDER, str(escape(unsubscribe_url))),
        )


class MessageFactory:
    """Builds the raw bytes of each recipient's message from one rendering per language."""

    def __init__(self, issue, subject_prefix=""):
        config = current_app.config
        self.issue = issue
        self.sender = config["MAIL_DEFAULT_SENDER"]
        name, self.envelope_from = parseaddr(self.sender)
        self.from_header = Address(display_name=name, addr_spec=self.envelope_from)
        self.domain = self.envelope_from.rsplit("@", 1)[-1] or "rushes.local"
        self.secret = config["SECRET_KEY"]
        self.list_id = f"<newsletter.{self.domain}>"
        self.fixed = {
            name: POLICY.header_factory(name, value)
            for name, value in (
                ("From", str(self.from_header)),
                ("List-Id", self.list_id),
                ("List-Unsubscribe-Post", ONE_CLICK_POST),
                ("Precedence", "bulk"),
            )
        }
        self.mailto = config.get("NEWSLETTER_UNSUBSCRIBE_MAILTO") or ""
        self.renderings = {}
        for lang in config["LANGUAGES"]:
            subject, text, html = render_issue(issue, lang)
            self.renderings[lang] = Rendering(lang, subject_prefix + subject, text, html)

    def rendering(self, lang):
        return self.renderings.get(lang) or next(iter(self.renderings.values()))

    def subject_text(self, lang):
        return self.rendering(lang).subject

    def message(self, to, lang, unsubscribe_url, message_id):
        """The EmailMessage of one recipient, in their language (or the first one)."""
        if "\r" in to or "\n" in to:
            raise ValueError("line break in the address")
        rendering = self.rendering(lang)
        text, html = rendering.bodies(unsubscribe_url)
        msg = EmailMessage(policy=POLICY)
        msg["From"] = self.fixed["From"]
        msg["To"] = to
        msg["Subject"] = rendering.subject_header
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = message_id
        msg["List-Id"] = self.fixed["List-Id"]
        # RFC 2369 and RFC 8058: a mail client offers "unsubscribe" and POSTs
        # "List-Unsubscribe=One-Click" to the URL.
        msg["List-Unsubscribe"] = list_unsubscribe(unsubscribe_url, self.mailto)
        msg["List-Unsubscribe-Post"] = self.fixed["List-Unsubscribe-Post"]
        msg["Precedence"] = self.fixed["Precedence"]
        msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
        # After the parts: set_content and add_alternative move Content-* headers.
        msg["Content-Language"] = rendering.language_header
        return msg

    def build(self, to, lang, unsubscribe_url, message_id):
        """The raw bytes (CRLF line ends) of one recipient's message."""
        return self.message(to, lang, unsubscribe_url, message_id).as_bytes()
