"""The SMTP connection of a newsletter run: one connection, reused for every message,
every wait (connecting, each answer of the server) bounded by MAIL_TIMEOUT (the
connection is app.mailer's: a silent server makes the run pause or reconnect, never hang).

The exchange of one message is cut in two (`begin`, then `transmit`) so that the delivery
run can commit its claim on the row between the message and its final dot: see
app/newsletter/delivery.py. Uses Flask-Mail's settings (MAIL_SERVER, MAIL_PORT,
MAIL_USE_TLS, MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD, MAIL_SUPPRESS_SEND).
"""

import contextlib
import re
import smtplib
import socket

from flask import current_app
from flask_mail import email_dispatched

from app import mailer

_PLAIN_ADDRESS = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+")


class DataRefused(smtplib.SMTPDataError):
    """The server answered DATA with something else than 354: nothing was sent."""


class Unclaimed(Exception):
    """The claim of the message being sent did not win its row: no final dot."""


class Transport:
    """One SMTP connection, reused for every message of a run.

    With MAIL_SUPPRESS_SEND (development) nothing connects: `smtp` stays None, the
    exchange is skipped and the caller keeps the message (see `keep_dev_mail`)."""

    def __init__(self):
        self.smtp = None
        self.is_open = False

    def open(self):
        self.close()
        if not current_app.extensions["mail"].suppress:
            self.smtp = mailer.connect()  # every wait bounded by MAIL_TIMEOUT
            # Small commands follow one another (MAIL while a commit runs, then RCPT):
            # never let Nagle's algorithm hold one back waiting for an acknowledgement.
            with contextlib.suppress(OSError, AttributeError):
                self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.is_open = True
        return self

    def close(self):
        """QUIT: the polite end, after the last message."""
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
        self.smtp = None
        self.is_open = False

    def abandon(self):
        """Give up a started transaction: drop the connection, so nothing is delivered."""
        if self.smtp is not None:
            with contextlib.suppress(OSError):
                self.smtp.close()
        self.smtp = None
        self.is_open = False

    def sendmail(self, from_addr, to_addr, raw):
        """One whole message (a test mail): no claim between the message and its dot."""
        self.smtp.sendmail(from_addr, [to_addr], raw)

    def begin(self, from_addr, to_addr, size, after_mail=None):
        """MAIL FROM, RCPT TO, and the DATA command — whose answer is read by transmit().

        `after_mail` runs while the server handles MAIL FROM (the previous recipient's
        "sent" commit): database and network waits overlap instead of adding up."""
        smtp = self.smtp
        if smtp is None:  # MAIL_SUPPRESS_SEND (development): nothing leaves
            if after_mail:
                after_mail()
            return
        smtp.ehlo_or_helo_if_needed()
        options = ""
        if smtp.does_esmtp and smtp.has_extn("size"):
            options = f" size={size}"
        smtp.putcmd("mail", f"FROM:{_quote_address(from_addr)}{options}")
        if after_mail:
            after_mail()
        code, resp = smtp.getreply()
        if code != 250:
            self._abort(code)
            raise smtplib.SMTPSenderRefused(code, resp, from_addr)
        smtp.putcmd("rcpt", f"TO:{_quote_address(to_addr)}")
        code, resp = smtp.getreply()
        if code not in (250, 251):
            self._abort(code)
            raise smtplib.SMTPRecipientsRefused({to_addr: (code, resp)})
        smtp.putcmd("data")

    def transmit(self, data, before_dot, early=False):
        """Read the answer to DATA, send the message and — if `before_dot()` is true — its
        final dot, and read the verdict. With `early`, the message is sent before asking
        `before_dot()` (so a database answer still awaited overlaps its transfer), else
        together with the dot (one write: what SQLite, whose answer is already known, wants).

        Raises DataRefused if the server refused DATA (nothing sent), Unclaimed if
        `before_dot()` was false (no dot sent), SMTPDataError if the server refused the
        message after the dot."""
        smtp = self.smtp
        if smtp is None:
            if not before_dot():
                raise Unclaimed
            return
        code, resp = smtp.getreply()
        if code != 354:
            self._abort(code)
            raise DataRefused(code, resp)
        payload = smtplib._quote_periods(data)
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        if early:
            smtp.send(payload)
            payload = b""
        if not before_dot():
            raise Unclaimed
        smtp.send(payload + b".\r\n")
        code, resp = smtp.getreply()
        if code != 250:
            if code == 421:
                smtp.close()
            raise smtplib.SMTPDataError(code, resp)

    def _abort(self, code):
        if code == 421:
            self.smtp.close()
        else:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.rset()


def _quote_address(address):
    """<address> for SMTP. smtplib parses every address with email.utils (the largest cost
    of the client side of a send, see benchmarks/README.md); a plain address needs none."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return smtplib.quoteaddr(address)


class _KeptMail:
    """What app.mail_files reads of a dispatched message."""

    def __init__(self, to, subject, raw):
        self.recipients = [to]
        self.subject = subject
        self.body = raw.decode("ascii", "replace")
        self._raw = raw

    def as_bytes(self):
        return self._raw


def keep_dev_mail(app, to, subject, raw):
    """Development mail (no MAIL_SERVER): let app.mail_files print and keep the message."""
    email_dispatched.send(app, message=_KeptMail(to, subject, raw))
