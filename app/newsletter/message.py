"""The raw bytes of each newsletter mail.

An issue is rendered once per language; each language's mail is then encoded once into
bytes with gaps, and each recipient's mail is those bytes with its own parts put in the
gaps: `To`, `Date`, `Message-ID`, and the unsubscribe URL (in `List-Unsubscribe` and in
both bodies). Building a recipient's mail is a join of bytes, not a rendering or a MIME
serialisation (see the newsletter section of benchmarks/README.md).

Bodies are quoted-printable. The URL is put on lines of its own with soft line breaks
(`=` at the end of a line, removed by decoding) before and after it, so no line exceeds
76 characters whatever the URL's length and the text decodes exactly as rendered.
"""

import binascii
import secrets
import time
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale

from app.newsletter.urls import site_url, video_page_url, video_poster_url

UNSUB_PLACEHOLDER = "@@RUSHES_UNSUBSCRIBE_URL@@"
QP_LINE = 76  # the longest line quoted-printable allows, soft break included (RFC 2045)

# The gaps of a prebuilt mail.
TO, DATE, MESSAGE_ID, URL, QP_URL = "to", "date", "message_id", "url", "qp_url"


def issue_context(issue, lang):
    videos = []
    for video in issue.videos:
        text = video.text(lang)
        videos.append(
            {
                "title": (text.title if text else "") or video.slug,
                "summary": text.summary if text else "",
                "url": video_page_url(video),
                "poster_url": video_poster_url(video),
            }
        )
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


class MessageFactory:
    """Builds the raw bytes of each recipient's message from one rendering per language."""

    def __init__(self, issue, subject_prefix=""):
        config = current_app.config
        self.issue = issue
        self.sender = config["MAIL_DEFAULT_SENDER"]
        name, self.envelope_from = parseaddr(self.sender)
        self.domain = self.envelope_from.rsplit("@", 1)[-1] or "rushes.local"
        self.secret = config["SECRET_KEY"]
        mailto = config.get("NEWSLETTER_UNSUBSCRIBE_MAILTO") or ""
        headers = {
            "from": _header_address(name, self.envelope_from),
            "list_id": f"<newsletter.{self.domain}>",
            "mailto": f", <mailto:{mailto}?subject=unsubscribe>" if mailto else "",
        }
        self.templates = {}
        self.subjects = {}
        for lang in config["LANGUAGES"]:
            subject, text, html = render_issue(issue, lang)
            self.subjects[lang] = subject_prefix + subject
            self.templates[lang] = _template(
                headers, _encode_header(subject_prefix + subject), text, html
            )
        self._date = (None, b"")

    def build(self, to, lang, unsubscribe_url, message_id):
        pieces = self.templates.get(lang) or next(iter(self.templates.values()))
        if "\r" in to or "\n" in to:
            raise ValueError("line break in the address")
        url = unsubscribe_url.encode("ascii")
        gaps = {
            TO: to.encode("ascii"),
            DATE: self._now(),
            MESSAGE_ID: message_id.encode("ascii"),
            URL: url,
            QP_URL: _crlf(_soft_end(_qp_bytes(url))),
        }
        return b"".join(gaps[p] if p.__class__ is str else p for p in pieces)

    def subject_text(self, lang):
        return self.subjects.get(lang) or next(iter(self.subjects.values()))

    def _now(self):
        # Date has a one-second resolution: format it once a second, not once a message.
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, formatdate(second, usegmt=True).encode("ascii"))
        return self._date[1]


def _template(headers, subject, text, html):
    """The mail of one language as a list of bytes and gap names (see build)."""
    # "=_" never occurs in quoted-printable text, so the boundary cannot occur in a body.
    boundary = "=_rushes_" + secrets.token_hex(12)
    pieces = [
        f"From: {headers['from']}\nTo: ",
        TO,
        f"\nSubject: {subject}\nDate: ",
        DATE,
        "\nMessage-ID: ",
        MESSAGE_ID,
        f"\nMIME-Version: 1.0\nList-Id: {headers['list_id']}\nList-Unsubscribe: <",
        URL,
        f">{headers['mailto']}\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
        "Precedence: bulk\n"
        f'Content-Type: multipart/alternative;\n boundary="{boundary}"\n'
        "\n"
        f"--{boundary}\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n",
        *_qp_with_url(text),
        f"\n--{boundary}\n"
        'Content-Type: text/html; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n",
        *_qp_with_url(html),
        f"\n--{boundary}--\n",
    ]
    merged = []
    for piece in pieces:
        if piece in (TO, DATE, MESSAGE_ID, URL, QP_URL):
            merged.append(piece)
        else:
            data = _crlf(piece.encode("ascii"))
            if merged and isinstance(merged[-1], bytes):
                merged[-1] += data
            else:
                merged.append(data)
    return merged


def _qp_with_url(text):
    """Quoted-printable `text`, with a QP_URL gap wherever the placeholder was."""
    segments = text.replace("\r\n", "\n").replace("\r", "").split(UNSUB_PLACEHOLDER)
    pieces = []
    for i, segment in enumerate(segments):
        encoded = _qp_bytes(segment.encode("utf-8"))
        if i < len(segments) - 1:
            pieces += [_soft_end(encoded).decode("ascii"), QP_URL]
        else:
            pieces.append(encoded.decode("ascii"))
    return pieces


def _qp_bytes(data):
    return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)


def _soft_end(encoded):
    """`encoded` followed by a soft line break, its last line split if it is too long."""
    start = encoded.rfind(b"\n") + 1
    last = encoded[start:]
    if len(last) >= QP_LINE:
        cut = QP_LINE - 1
        # Never split an =XX escape.
        if last[cut - 1 : cut] == b"=":
            cut -= 1
        elif last[cut - 2 : cut - 1] == b"=":
            cut -= 2
        last = last[:cut] + b"=\n" + last[cut:]
    return encoded[:start] + last + b"=\n"


def _crlf(data):
    return data.replace(b"\r", b"").replace(b"\n", b"\r\n")


def _encode_header(value):
    value = " ".join(value.split())  # no line breaks in a header
    try:
        value.encode("ascii")
        return value
    except UnicodeEncodeError:
        return Header(value, "utf-8").encode()


def _header_address(name, address):
    return formataddr((name, address), charset="utf-8") if name else address
