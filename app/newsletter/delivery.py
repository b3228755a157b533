"""The delivery run: an issue sent to every pending recipient, exactly once, in their
language (the body of `send_issue_task`; app/newsletter/campaign.py starts and stops it).

How a run works
---------------
The run opens ONE SMTP connection (transport.py) and a database connection of its own
(run_connection.py), and walks the pending rows in batches of NEWSLETTER_BATCH_SIZE,
paced at NEWSLETTER_RATE_PER_SECOND. For each recipient:
      MAIL FROM, RCPT TO, DATA and the whole message — except the final "." —
      → COMMIT the row pending→sending (a compare-and-set: one run only wins it)
      → send the final "." and read the server's answer
      → COMMIT the row sending→sent (or failed with the server's reason).
An SMTP server delivers nothing until it has received the final "." (RFC 5321 §4.1.1.4),
and a dropped connection before it aborts the transaction. At most once a second the run
beats its heart and reads the issue: a stop request pauses it, a newer run id (resume)
makes it quit.

Crash rules (the worker may die at any instruction)
---------------------------------------------------
- Before the "sending" commit: the row is still pending and the server has at most an
  unfinished transaction, which it drops → the resumed run sends it: exactly one message.
- After the "sent" commit: done, never sent again.
- Between the two commits (one database commit plus one network round trip): the server
  may or may not have accepted the message, and nobody can know. Such rows become
  "unknown" when a new run starts: they are NEVER re-sent automatically (a duplicate is
  the worse failure for a newsletter), and staff see them with the reason and may
  "send anyway"; the resend carries the same deterministic Message-ID, so mailboxes that
  de-duplicate by Message-ID show it once.
"""

import smtplib
import time

from flask import current_app

from app.clock import utcnow
from app.extensions import db
from app.models.newsletter import Delivery, NewsletterIssue, delivery_message_id
from app.newsletter import service
from app.newsletter.message import MessageFactory
from app.newsletter.run_connection import RunConnection
from app.newsletter.transport import Transport, Unclaimed, keep_dev_mail

NEXT_ATTEMPT = Delivery.__table__.c.attempts + 1
CHECK_INTERVAL = 1.0  # seconds between looks at the issue (stop requested? still our run?)


# How far behind its schedule a paced run may catch up (see Run.pace).
PACE_CATCH_UP_SECONDS = 1.0


class Crash(BaseException):
    """Raised by test fault hooks to simulate the worker dying (never caught here)."""


def _no_fault(point, delivery_id):
    return None


# Tests replace this to kill the run at a named point: "built" (message ready, nothing
# sent), "transmitted" (all but the final dot sent), "claimed" (row committed as
# sending), "accepted" (server said 250, row not yet marked), "marked" (row sent).
fault_hook = _no_fault


def run(issue_id, run_id):
    """Send what is pending of the issue, if `run_id` is still its run. Returns "sent"
    (all done), "stopped" (stop requested, or a newer run took over), "paused" (the mail
    server is unreachable), "waiting" (rows held by another live run) or "not-ours"."""
    return Run(issue_id, run_id).run()


class Run:
    def __init__(self, issue_id, run_id):
        self.issue_id = issue_id
        self.run_id = run_id
        config = current_app.config
        self.batch_size = max(1, int(config["NEWSLETTER_BATCH_SIZE"]))
        rate = float(config["NEWSLETTER_RATE_PER_SECOND"] or 0)
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.transport = Transport()
        self.db = RunConnection(issue_id, run_id)
        self.next_slot = time.monotonic()
        self.unmarked = None  # (delivery id, time) accepted by the server, not yet recorded
        self.marking = None  # its "sent" write, sent and not yet confirmed
        self.last_check = 0.0
        self.app = current_app._get_current_object()

    @property
    def ledger(self):
        return self.db.ledger

    def still_ours(self, force=False):
        """Beat the heart; False when the run must end (stopped, or replaced)."""
        now = time.monotonic()
        if not force and now - self.last_check < CHECK_INTERVAL:
            return True
        self.last_check = now
        status, run_id = self.db.beat()
        if run_id != self.run_id:
            return False
        if status == "stopping":
            self.db.set_issue(status="paused")
            return False
        return status == "sending"

    # -- main loop
    def run(self):
        try:
            # Inside the try: a connection half set up (synchronous_commit off, prepared
            # statements) must be thrown away, never returned to the pool.
            self.db.open()
            return self._run()
        finally:
            self.db.close()

    def _run(self):
        issue = db.session.get(NewsletterIssue, self.issue_id)
        if issue is not None:
            db.session.refresh(issue)
        if issue is None or issue.run_id != self.run_id or issue.status != "sending":
            return "not-ours"
        self.db.mark_abandoned()
        self.factory = MessageFactory(issue)
        db.session.commit()  # end the ORM session's read: the run uses its own connection
        self.unsubscribe_url = service.unsubscribe_url_maker()
        try:
            self.transport.open()
        except (smtplib.SMTPException, OSError) as exc:
            self.db.set_issue(status="paused", last_error=f"Mail server unreachable: {exc}")
            return "paused"
        try:
            result = self._walk()
            self.flush_mark()
        except BaseException:
            # Dying (or a bug): drop the connection without QUIT, so that a message
            # whose final dot was not sent is discarded by the server.
            self.transport.abandon()
            raise
        self.transport.close()
        return result

    def _walk(self):
        while True:
            self.flush_mark()
            if not self.still_ours(force=True):
                return "stopped"
            batch = self.next_batch()
            if not batch:
                if self.db.unfinished_count() == 0:
                    self.db.set_issue(status="sent", finished_at=utcnow())
                    return "sent"
                return "waiting"  # rows held by another live run
            for row, raw in batch:
                if not self.still_ours():
                    return "stopped"
                if self.deliver(row, raw) == "pause":
                    return "paused"

    def next_batch(self):
        ready = []
        for row in self.db.pending_rows(self.batch_size):
            if row.status != "active":  # unsubscribed or deleted since the send started
                self.db.set_row(
                    row.id, ("pending",), status="skipped", error="Unsubscribed before sending."
                )
            else:
                # All the batch's messages at once: in one tight loop this costs a third
                # of what it costs interleaved with the SMTP exchange and the commits.
                ready.append((row, self.build(row)))
        return ready

    def build(self, row):
        """The raw message of `row`, or the exception that prevented building it."""
        message_id = delivery_message_id(
            self.issue_id, row.id, self.factory.domain, self.factory.secret
        )
        try:
            url = self.unsubscribe_url(row.subscriber_id, row.subscriber_email)
            return self.factory.build(row.email, row.language, url, message_id)
        except Exception as exc:  # a template or encoding bug: reported as the row's failure
            return exc

    def pace(self):
        """Wait for this message's slot. Slots are kept on a fixed schedule, so the time a
        message takes does not slow the pace; a run that fell behind (a slow server)
        catches up by at most PACE_CATCH_UP_SECONDS of messages, never in a burst."""
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_slot > now:
            time.sleep(self.next_slot - now)
        self.next_slot = max(self.next_slot + self.interval, now - PACE_CATCH_UP_SECONDS)

    # -- the "sent" mark of the previous recipient
    def start_mark(self):
        """Send the "sent" write of the message the server accepted last (see deliver);
        flush_mark waits for it."""
        if self.unmarked is None:
            return
        delivery_id, sent_at = self.unmarked
        self.unmarked = None
        self.ledger.mark_sent(delivery_id, sent_at)
        self.marking = delivery_id

    def flush_mark(self):
        """Record as sent the message the server accepted last: committed on return."""
        self.start_mark()
        if self.marking is not None:
            delivery_id, self.marking = self.marking, None
            self.ledger.result()
            fault_hook("marked", delivery_id)

    # -- one recipient
    def deliver(self, row, raw, _retry=True):
        """One recipient. The order of operations is what makes a crash safe:

        MAIL FROM (meanwhile: commit the previous recipient as sent), RCPT TO, DATA
        (meanwhile: commit this row pending→sending), then the message and its final dot.
        Until the claim commit the server holds no message body, so a crash leaves the
        row pending and nothing delivered; from the claim on, a crash leaves it sending,
        which a new run marks unknown. The "sent" commit of this row happens at once when
        sending is paced (NEWSLETTER_RATE_PER_SECOND > 0), else during the next
        recipient's MAIL FROM (or when the run ends)."""
        delivery_id = row.id
        if self.interval:
            # Paced sending waits between messages anyway: record the previous one now,
            # so that only the gap between its 250 and this commit is uncertain.
            self.flush_mark()
        if isinstance(raw, Exception):
            self.flush_mark()
            self.db.set_row(delivery_id, ("pending",), status="failed", error=f"Build: {raw}")
            return "failed"
        fault_hook("built", delivery_id)
        self.pace()
        refused = self._envelope(row, raw, _retry)
        if refused is not None:
            return refused
        fault_hook("transmitted", delivery_id)
        # Claim, while the server answers DATA (on PostgreSQL the claim is only sent here,
        # its commit confirmed after the message went out, before its final dot). From
        # here on a crash leaves the row uncertain.
        self.ledger.claim(delivery_id, utcnow())
        return self._message(row, raw)

    def _envelope(self, row, raw, retry):
        """MAIL FROM, RCPT TO, DATA (no message body yet): None when the server is ready
        for the message, else the outcome of the recipient."""
        try:
            if not self.transport.is_open:
                self.transport.open()
            self.transport.begin(
                self.factory.envelope_from, row.email, len(raw), after_mail=self.start_mark
            )
            self.flush_mark()
        except smtplib.SMTPRecipientsRefused as exc:
            self.flush_mark()
            code, resp = next(iter(exc.recipients.values()))
            self._refused(row.id, code, resp)
            return "failed"
        except smtplib.SMTPSenderRefused as exc:
            self.flush_mark()
            self._refused(row.id, exc.smtp_code, exc.smtp_error)
            return "failed"
        except (smtplib.SMTPException, OSError) as exc:
            # Connection lost before any message body: nothing delivered. Reconnect once.
            self.transport.abandon()
            self.flush_mark()
            if not retry:
                self.db.set_issue(status="paused", last_error=f"Mail server error: {exc}")
                return "pause"
            try:
                self.transport.open()
            except (smtplib.SMTPException, OSError) as exc2:
                self.db.set_issue(status="paused", last_error=f"Mail server unreachable: {exc2}")
                return "pause"
            return self.deliver(row, raw, _retry=False)
        return None

    def _refused(self, delivery_id, code, resp):
        self.db.set_row(
            delivery_id,
            ("pending",),
            status="failed",
            error=_reason(code, resp),
            attempts=NEXT_ATTEMPT,
        )

    def _message(self, row, raw):
        """The message, and its final dot only once the claim is committed and won."""
        delivery_id = row.id

        def claimed():
            if self.ledger.result() != 1:
                return False
            fault_hook("claimed", delivery_id)
            return True

        try:
            self.transport.transmit(raw, before_dot=claimed, early=self.ledger.answers_later)
        except Unclaimed:  # another run got it, or staff changed it: drop this transaction
            self.transport.abandon()
            return "lost"
        except smtplib.SMTPDataError as exc:  # refused (DATA or the message): not delivered
            if self.ledger.result() != 1:
                return "lost"
            self.db.set_row(
                delivery_id,
                ("sending", "unknown"),
                status="failed",
                error=_reason(exc.smtp_code, exc.smtp_error),
            )
            return "failed"
        except (smtplib.SMTPException, OSError) as exc:
            self.transport.abandon()
            if self.ledger.result() != 1:
                return "lost"
            self.db.set_row(
                delivery_id,
                ("sending",),
                status="unknown",
                error=f"Connection lost while the server was accepting the message: {exc}",
            )
            return "unknown"
        fault_hook("accepted", delivery_id)
        if self.transport.smtp is None:
            keep_dev_mail(self.app, row.email, self.factory.subject_text(row.language), raw)
        self.unmarked = (delivery_id, utcnow())
        return "sent"


def _reason(code, resp):
    if isinstance(resp, bytes):
        resp = resp.decode("utf-8", "replace")
    return f"{code} {resp}".strip()
