"""The prebuilt message bytes: each recipient's parts put into one encoding per language
must give a valid mail (line lengths, quoted-printable) that decodes to what was rendered."""

import binascii
import email
import email.policy

import pytest

from app.newsletter import message
from app.newsletter.message import MessageFactory, render_issue
from tests.helpers import html_part, text_part


@pytest.mark.parametrize("length", range(70, 82))
def test_soft_end_keeps_lines_short_and_decodes_to_the_same(length):
    for text in ("a" * length, "é" * (length // 3), "x" * (length - 1) + "é"):
        encoded = message._qp_bytes(text.encode())
        ended = message._soft_end(encoded) + b"tail"
        assert all(len(line) <= message.QP_LINE for line in ended.split(b"\n"))
        assert binascii.a2b_qp(ended) == text.encode() + b"tail"


def _parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


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
    assert text_part(parsed).replace("\r\n", "\n") == text.replace("\r\n", "\n")
    assert html_part(parsed).replace("\r\n", "\n") == html.replace("\r\n", "\n")


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
    import smtplib

    from app.newsletter.sender import _quote_address

    assert _quote_address(address) == smtplib.quoteaddr(address)
