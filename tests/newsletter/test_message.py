"""The bytes of each recipient's mail: a valid message (CRLF, short lines, no defect)
in the recipient's language, with its own headers, that decodes to what was rendered."""

import email
import email.policy
import smtplib

import pytest

from app.newsletter.message import MessageFactory, render_issue
from app.newsletter.transport import _quote_address
from tests.helpers import html_part, text_part


def _parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def _body(part_text):
    """A decoded body with LF line ends (the parsed CRLF message keeps CR LF)."""
    return part_text.replace("\r\n", "\n")


def _as_sent(body):
    """A rendered body as a MIME part carries it: LF line ends, a line end at the end."""
    body = body.replace("\r\n", "\n")
    return body if body.endswith("\n") else body + "\n"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("url_length", [20, 75, 76, 77, 150, 400])
def test_each_recipients_mail_is_valid_and_carries_its_url(app, make_issue, lang, url_length):
    issue = make_issue(intro_fr="Édition spéciale. " * 30, intro_en="Special. " * 30)
    factory = MessageFactory(issue)
    url = "https://rushes.example/newsletter/unsubscribe/"
    url += ("Ab.-_9" * 100)[: max(0, url_length - len(url))]
    raw = factory.build("reader@example.org", lang, url, "<id.1@rushes.test>")

    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        if not line.startswith(b"List-Unsubscribe:"):  # one header line, as any mailer
            assert len(line) <= 78, line
    parsed = _parse(raw)
    assert not parsed.defects
    assert parsed["To"] == "reader@example.org"
    assert parsed["Message-ID"] == "<id.1@rushes.test>"
    assert parsed["List-Unsubscribe"].startswith(f"<{url}>")
    subject, text, html = render_issue(issue, lang, unsubscribe_url=url)
    assert parsed["Subject"] == subject
    for part in parsed.walk():
        assert not part.defects
    assert _body(text_part(parsed)) == _as_sent(text)
    assert _body(html_part(parsed)) == _as_sent(html)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_headers_language_and_parts(app, make_issue, lang):
    issue = make_issue(subject_fr="Vidéos de l'été — sélection")
    factory = MessageFactory(issue)
    url = "https://rushes.example/newsletter/unsubscribe/tok?a=1&b=2"
    raw = factory.build("reader@example.org", lang, url, "<id.2@rushes.test>")

    raw.decode("ascii")  # headers RFC 2047-encoded, bodies quoted-printable: 7-bit clean
    parsed = _parse(raw)
    subject, text, html = render_issue(issue, lang, unsubscribe_url=url)
    assert parsed["Subject"] == subject == issue.subject(lang)
    assert parsed["Content-Language"] == lang
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    for part in parsed.iter_parts():
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert part.get_content_charset() == "utf-8"
    assert parsed["From"].addresses[0].addr_spec == factory.envelope_from
    assert parsed["List-Id"] == f"<newsletter.{factory.domain}>"
    assert (
        parsed["List-Unsubscribe"]
        == f"<{url}>, <mailto:unsubscribe@rushes.test?subject=unsubscribe>"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Precedence"] == "bulk"
    assert parsed["Date"].datetime is not None
    # The URL in the HTML is escaped exactly as the template escapes it.
    assert "tok?a=1&amp;b=2" in html_part(parsed) and _body(html_part(parsed)) == _as_sent(html)
    assert url in text_part(parsed) and _body(text_part(parsed)) == _as_sent(text)


def test_an_address_with_a_line_break_is_refused(app, make_issue):
    factory = MessageFactory(make_issue())
    with pytest.raises(ValueError):
        factory.build("a@example.org\r\nBcc: b@example.org", "fr", "https://x/u", "<m@x>")


@pytest.mark.parametrize(
    "address",
    ["reader1@example.org", "a.b+c@x-y.example", "Ünï@exämple.fr", "x <y@z>", 'a"b@c', "a..b@c"]
    + ["a@[1.2.3.4]", "o'brien@example.ie", "noat", "", "a\tb@c"],
)
def test_smtp_addresses_are_quoted_as_smtplib_does(address):
    assert _quote_address(address) == smtplib.quoteaddr(address)
