"""Sending an issue to every confirmed subscriber, exactly once, in their language.

How a send works
----------------
1. `start_send(issue)` (staff click) turns the draft into "sending" with a compare-and-set
   (a double click starts one send), and creates one Delivery row (pending) for every
   active subscriber in the same transaction; then it queues the job.
2. The job (`run`) opens ONE SMTP connection and walks the pending rows in batches of
   NEWSLETTER_BATCH_SIZE, paced at NEWSLETTER_RATE_PER_SECOND. For each recipient:
      MAIL FROM, RCPT TO, DATA and the whole message — except the final "." —
      → COMMIT the row pending→sending (a compare-and-set: one run only wins it)
      → send the final "." and read the server's answer
      → COMMIT the row sending→sent (or failed with the server's reason).
   An SMTP server delivers nothing until it has received the final "." (RFC 5321 §4.1.1.4),
   and a dropped connection before it aborts the transaction.
3. Staff may stop (the run notices within a second or at the next message and the issue
   becomes "paused") and resume (a new run id; an older run that still lives notices and
   quits). The periodic `recover_stalled` task resumes a send whose run has stopped
   beating (worker killed or restarted).

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

import contextlib
import re
import secrets
import smtplib
import socket
import time

from flask import current_app
from flask_mail import email_dispatched

from app.clock import utcnow
from app.extensions import db, mail
from app.models import Subscriber
from app.models.newsletter import Delivery, NewsletterIssue, delivery_message_id
from app.newsletter import service
from app.newsletter.ledger import AsyncLedger, Ledger
from app.newsletter.message import MessageFactory
from app.newsletter.urls import site_url

_PLAIN_ADDRESS = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+")
NEXT_ATTEMPT = Delivery.__table__.c.attempts + 1
CHECK_INTERVAL = 1.0  # seconds between looks at the issue (stop requested? still our run?)


class DataRefused(smtplib.SMTPDataError):
    """The server answered DATA with something else than 354: nothing was sent."""


class Unclaimed(Exception):
    """The claim of the message being sent did not win its row: no final dot."""


class Crash(BaseException):
    """Raised by test fault hooks to simulate the worker dying (never caught here)."""


def _no_fault(point, delivery_id):
    return None


# Tests replace this to kill the run at a named point: "built" (message ready, nothing
# sent), "transmitted" (all but the final dot sent), "claimed" (row committed as
# sending), "accepted" (server said 250, row not yet marked), "marked" (row sent).
fault_hook = _no_fault


# ---------------------------------------------------------------- SMTP


class Transport:
    """One SMTP connection (Flask-Mail's), reused for every message of a run."""

    def __init__(self):
        self.connection = None

    def open(self):
        self.close()
        self.connection = mail.connect()
        self.connection.__enter__()
        sock = getattr(self.smtp, "sock", None)
        if sock is not None:
            # Small commands follow one another (MAIL while a commit runs, then RCPT):
            # never let Nagle's algorithm hold one back waiting for an acknowledgement.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self

    @property
    def smtp(self):
        return self.connection.host if self.connection else None

    def close(self):
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.__exit__(None, None, None)
            self.connection = None

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

    def abandon(self):
        """Give up a started transaction: drop the connection, so nothing is delivered."""
        if self.smtp is not None:
            with contextlib.suppress(OSError):
                self.smtp.close()
        self.connection = None

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


def _dispatched(app, to, subject, raw):
    """Development mail (no MAIL_SERVER): let app.mail_files print and keep the message."""

    class Kept:
        recipients = [to]

        def __init__(self):
            self.subject = subject
            self.body = raw.decode("ascii", "replace")

        def as_bytes(self):
            return raw

    email_dispatched.send(app, message=Kept())


# ---------------------------------------------------------------- staff actions


def new_run_id():
    return secrets.token_hex(8)


def active_subscriber_counts():
    rows = db.session.execute(
        db.select(Subscriber.language, db.func.count())
        .where(Subscriber.status == "active")
        .group_by(Subscriber.language)
    ).all()
    return {lang: count for lang, count in rows}


def start_send(issue):
    """draft → sending, one pending Delivery per active subscriber, and queue the job.
    False if the issue is not a draft (a double click starts one send)."""
    run_id = prepare_send(issue)
    if run_id is None:
        return False
    _enqueue(issue.id, run_id)
    return True


def prepare_send(issue):
    """The transactional half of start_send: returns the run id, or None."""
    run_id = new_run_id()
    now = utcnow()
    changed = db.session.execute(
        db.update(NewsletterIssue)
        .where(NewsletterIssue.id == issue.id, NewsletterIssue.status == "draft")
        .values(status="sending", started_at=now, run_id=run_id, heartbeat_at=now, last_error=None)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return None
    subscribers = Subscriber.__table__
    db.session.execute(
        db.insert(Delivery).from_select(
            ["issue_id", "subscriber_id", "email", "language", "status", "attempts"],
            db.select(
                db.literal(issue.id),
                subscribers.c.id,
                subscribers.c.email,
                subscribers.c.language,
                db.literal("pending"),
                db.literal(0),
            ).where(subscribers.c.status == "active"),
        )
    )
    db.session.commit()
    return run_id


def request_stop(issue):
    db.session.execute(
        db.update(NewsletterIssue)
        .where(NewsletterIssue.id == issue.id, NewsletterIssue.status == "sending")
        .values(status="stopping")
    )
    db.session.commit()


def is_stale(issue):
    if issue.heartbeat_at is None:
        return True
    age = (utcnow() - issue.heartbeat_at).total_seconds()
    return age > current_app.config["NEWSLETTER_STALE_SECONDS"]


def can_resume(issue):
    return issue.status == "paused" or (issue.status in ("sending", "stopping") and is_stale(issue))


def resume(issue, force=False):
    """Start a new run for a paused (or dead) send. Returns False if nothing to do."""
    if not (force or can_resume(issue)):
        return False
    run_id = new_run_id()
    changed = db.session.execute(
        db.update(NewsletterIssue)
        .where(
            NewsletterIssue.id == issue.id,
            NewsletterIssue.status.in_(("sending", "stopping", "paused", "sent")),
            NewsletterIssue.run_id.is_(None) | (NewsletterIssue.run_id == issue.run_id),
        )
        .values(status="sending", run_id=run_id, heartbeat_at=utcnow(), last_error=None)
    ).rowcount
    db.session.commit()
    if changed != 1:
        return False
    _enqueue(issue.id, run_id)
    return True


def retry_failed(issue, include_unknown=False):
    """Failed rows (and, when asked, the uncertain ones) go back to pending; then resume."""
    statuses = ["failed", "unknown"] if include_unknown else ["failed"]
    db.session.execute(
        db.update(Delivery)
        .where(Delivery.issue_id == issue.id, Delivery.status.in_(statuses))
        .values(status="pending", error=None)
    )
    db.session.commit()
    db.session.refresh(issue)
    if issue.status in ("sent", "paused") or can_resume(issue):
        return resume(issue, force=True)
    return True  # a live run picks the rows up


def progress(issue):
    rows = db.session.execute(
        db.select(Delivery.status, db.func.count())
        .where(Delivery.issue_id == issue.id)
        .group_by(Delivery.status)
    ).all()
    counts = {status: 0 for status in Delivery.STATUSES}
    counts.update({status: n for status, n in rows})
    total = sum(counts.values())
    return {
        "status": issue.status,
        "total": total,
        "sent": counts["sent"],
        "failed": counts["failed"],
        "unknown": counts["unknown"],
        "skipped": counts["skipped"],
        "remaining": counts["pending"] + counts["sending"],
        "done": counts["sent"] + counts["failed"] + counts["unknown"] + counts["skipped"],
        "last_error": issue.last_error,
        "stale": issue.status in ("sending", "stopping") and is_stale(issue),
    }


def _enqueue(issue_id, run_id):
    from app.jobs.newsletter import send_issue_task

    send_issue_task(issue_id, run_id)


# ---------------------------------------------------------------- the job


class Run:
    def __init__(self, issue_id, run_id):
        self.issue_id = issue_id
        self.run_id = run_id
        config = current_app.config
        self.batch_size = max(1, int(config["NEWSLETTER_BATCH_SIZE"]))
        rate = float(config["NEWSLETTER_RATE_PER_SECOND"] or 0)
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.transport = Transport()
        self.next_slot = time.monotonic()
        self.unmarked = None  # (delivery id, time) accepted by the server, not yet recorded
        self.marking = None  # its "sent" write, sent and not yet confirmed
        self.last_check = 0.0
        self.app = current_app._get_current_object()

    # -- issue state
    def still_ours(self, force=False):
        """Beat the heart; False when the run must end (stopped, or replaced)."""
        now = time.monotonic()
        if not force and now - self.last_check < CHECK_INTERVAL:
            return True
        self.last_check = now
        self.connection.execute(
            db.update(NewsletterIssue)
            .where(NewsletterIssue.id == self.issue_id, NewsletterIssue.run_id == self.run_id)
            .values(heartbeat_at=utcnow())
        )
        self.connection.commit()
        status, run_id = self.connection.execute(
            db.select(NewsletterIssue.status, NewsletterIssue.run_id).where(
                NewsletterIssue.id == self.issue_id
            )
        ).one()
        if run_id != self.run_id:
            return False
        if status == "stopping":
            self.set_issue(status="paused")
            return False
        return status == "sending"

    def set_issue(self, **values):
        self.connection.execute(
            db.update(NewsletterIssue)
            .where(NewsletterIssue.id == self.issue_id, NewsletterIssue.run_id == self.run_id)
            .values(**values)
        )
        self.connection.commit()

    def set_row(self, delivery_id, from_statuses, **values):
        table = Delivery.__table__  # Core: no ORM bookkeeping on the hot path
        changed = self.connection.execute(
            table.update()
            .where(table.c.id == delivery_id, table.c.status.in_(from_statuses))
            .values(**values)
        ).rowcount
        self.connection.commit()
        return changed == 1

    # -- database
    def open_session(self):
        """A connection of its own, tuned for many tiny transactions; the two writes per
        recipient go through the Ledger (statements compiled once, driver cursor).

        Each recipient costs two commits. On PostgreSQL they are asynchronous commits
        (synchronous_commit off): durable across a crash of the worker, the only failure
        this job must survive exactly-once; a crash of the database server itself could
        lose the last fraction of a second of commits. On SQLite, synchronous=OFF for
        the same reason (the file survives a process kill, not a power cut). The
        connection is thrown away afterwards, so no other code inherits the setting."""
        # Every statement of a run stands alone (a compare-and-set on one row, a heartbeat):
        # in autocommit mode each is one round trip to PostgreSQL instead of two (the
        # statement, then COMMIT).
        self.connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        dialect = self.connection.dialect.name
        if dialect == "postgresql":
            self.connection.exec_driver_sql("SET synchronous_commit TO off")
        elif dialect == "sqlite":
            self.connection.exec_driver_sql("PRAGMA synchronous=OFF")
            mode = self.connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            if mode == "delete":
                # Keep the rollback journal between transactions (its header is zeroed
                # at commit) instead of creating and deleting a file for each of them.
                # Per connection; a WAL database is left alone (WAL is better still).
                self.connection.exec_driver_sql("PRAGMA journal_mode=PERSIST")
        self.connection.commit()
        ledger = AsyncLedger if dialect == "postgresql" else Ledger
        self.ledger = ledger(self.connection, self.run_id)

    def close_session(self):
        with contextlib.suppress(Exception):
            self.ledger.close()
        with contextlib.suppress(Exception):
            self.connection.invalidate()
            self.connection.close()

    # -- main loop
    def run(self):
        try:
            # Inside the try: a connection half set up (synchronous_commit off, prepared
            # statements) must be thrown away, never returned to the pool.
            self.open_session()
            return self._run()
        finally:
            self.close_session()

    def _run(self):
        issue = db.session.get(NewsletterIssue, self.issue_id)
        if issue is not None:
            db.session.refresh(issue)
        if issue is None or issue.run_id != self.run_id or issue.status != "sending":
            return "not-ours"
        # Rows another (dead) run left between its two commits: uncertain, never re-sent.
        self.connection.execute(
            db.update(Delivery)
            .where(
                Delivery.issue_id == self.issue_id,
                Delivery.status == "sending",
                Delivery.run_id != self.run_id,
            )
            .values(
                status="unknown",
                error="The worker stopped while the mail server was accepting this message: "
                "it may or may not have been delivered.",
            )
        )
        self.connection.commit()
        self.factory = MessageFactory(issue)
        db.session.commit()  # end the ORM session's read: the run uses its own connection
        # The unsubscribe URL's path is built once; only the signed token changes.
        self.unsubscribe_serializer = service._unsubscribe_serializer()
        marker = "TOKEN-MARKER"
        self.unsubscribe_prefix = service.external_url("newsletter.unsubscribe", token=marker)[
            : -len(marker)
        ]
        self.message_domain = self.factory.domain
        try:
            self.transport.open()
        except (smtplib.SMTPException, OSError) as exc:
            self.set_issue(status="paused", last_error=f"Mail server unreachable: {exc}")
            return "paused"
        try:
            result = self._loop()
        except BaseException:
            # Dying (or a bug): drop the connection without QUIT, so that a message
            # whose final dot was not sent is discarded by the server.
            self.transport.abandon()
            raise
        self.transport.close()
        return result

    def _loop(self):
        result = self._walk()
        self.flush_mark()
        return result

    def _walk(self):
        while True:
            self.flush_mark()
            if not self.still_ours(force=True):
                return "stopped"
            batch = self.next_batch()
            if not batch:
                left = self.connection.execute(
                    db.select(db.func.count())
                    .select_from(Delivery)
                    .where(
                        Delivery.issue_id == self.issue_id,
                        Delivery.status.in_(("pending", "sending")),
                    )
                ).scalar_one()
                if left == 0:
                    self.set_issue(status="sent", finished_at=utcnow())
                    return "sent"
                return "waiting"  # rows held by another live run
            for row, raw in batch:
                if not self.still_ours():
                    return "stopped"
                outcome = self.deliver(row, raw)
                if outcome == "pause":
                    return "paused"

    def next_batch(self):
        subscribers = Subscriber.__table__
        rows = self.connection.execute(
            db.select(
                Delivery.id,
                Delivery.subscriber_id,
                Delivery.email,
                Delivery.language,
                subscribers.c.status,
                subscribers.c.email.label("subscriber_email"),
            )
            .outerjoin(subscribers, subscribers.c.id == Delivery.subscriber_id)
            .where(Delivery.issue_id == self.issue_id, Delivery.status == "pending")
            .order_by(Delivery.id)
            .limit(self.batch_size)
        ).all()
        ready = []
        for row in rows:
            if row.status != "active":  # unsubscribed or deleted since the send started
                self.set_row(
                    row.id, ("pending",), status="skipped", error="Unsubscribed before sending."
                )
            else:
                # All the batch's messages at once: in one tight loop this costs a third
                # of what it costs interleaved with the SMTP exchange and the commits.
                ready.append((row, self.build(row)))
        return ready

    def pace(self):
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_slot > now:
            time.sleep(self.next_slot - now)
        self.next_slot = max(self.next_slot, now) + self.interval

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

    def build(self, row):
        """The raw message of `row`, or the exception that prevented building it."""
        token = self.unsubscribe_serializer.dumps([row.subscriber_id, row.subscriber_email])
        message_id = delivery_message_id(
            self.issue_id, row.id, self.message_domain, self.factory.secret
        )
        try:
            return self.factory.build(
                row.email, row.language, self.unsubscribe_prefix + token, message_id
            )
        except Exception as exc:  # a template or encoding bug: reported as the row's failure
            return exc

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
            self.set_row(delivery_id, ("pending",), status="failed", error=f"Build: {raw}")
            return "failed"
        fault_hook("built", delivery_id)
        self.pace()
        try:
            if self.transport.connection is None:
                self.transport.open()
            self.transport.begin(
                self.factory.envelope_from, row.email, len(raw), after_mail=self.start_mark
            )
            self.flush_mark()
        except smtplib.SMTPRecipientsRefused as exc:
            self.flush_mark()
            code, resp = next(iter(exc.recipients.values()))
            self.set_row(
                delivery_id,
                ("pending",),
                status="failed",
                error=_reason(code, resp),
                attempts=NEXT_ATTEMPT,
            )
            return "failed"
        except smtplib.SMTPSenderRefused as exc:
            self.flush_mark()
            self.set_row(
                delivery_id,
                ("pending",),
                status="failed",
                error=_reason(exc.smtp_code, exc.smtp_error),
                attempts=NEXT_ATTEMPT,
            )
            return "failed"
        except (smtplib.SMTPException, OSError) as exc:
            # Connection lost before any message body: nothing delivered. Reconnect once.
            self.transport.abandon()
            self.flush_mark()
            if _retry:
                try:
                    self.transport.open()
                except (smtplib.SMTPException, OSError) as exc2:
                    self.set_issue(status="paused", last_error=f"Mail server unreachable: {exc2}")
                    return "pause"
                return self.deliver(row, raw, _retry=False)
            self.set_issue(status="paused", last_error=f"Mail server error: {exc}")
            return "pause"
        fault_hook("transmitted", delivery_id)
        # Claim, while the server answers DATA (on PostgreSQL the claim is only sent here,
        # its commit confirmed after the message went out, before its final dot). From
        # here on a crash leaves the row uncertain.
        self.ledger.claim(delivery_id, utcnow())

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
            self.set_row(
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
            self.set_row(
                delivery_id,
                ("sending",),
                status="unknown",
                error=f"Connection lost while the server was accepting the message: {exc}",
            )
            return "unknown"
        fault_hook("accepted", delivery_id)
        if self.transport.smtp is None:
            _dispatched(self.app, row.email, self.factory.subject_text(row.language), raw)
        self.unmarked = (delivery_id, utcnow())
        return "sent"


def _reason(code, resp):
    if isinstance(resp, bytes):
        resp = resp.decode("utf-8", "replace")
    return f"{code} {resp}".strip()


def run(issue_id, run_id):
    """The body of the huey task."""
    return Run(issue_id, run_id).run()


def recover_stalled():
    """Resume sends whose run stopped beating (the worker was killed or restarted)."""
    resumed = 0
    issues = db.session.execute(
        db.select(NewsletterIssue).where(NewsletterIssue.status.in_(("sending", "stopping")))
    ).scalars()
    for issue in list(issues):
        if not is_stale(issue):
            continue
        if issue.status == "stopping":
            issue.status = "paused"
            db.session.commit()
        elif resume(issue):
            resumed += 1
    return resumed


# ---------------------------------------------------------------- test mail


def send_test(issue, to, languages=None):
    """Send the issue to one address (staff checking it), in each language, marked [TEST]."""
    factory = MessageFactory(issue, subject_prefix="[TEST] ")
    subscriber = service.subscriber_by_email(to)
    unsubscribe_url = service.unsubscribe_url(subscriber) if subscriber else site_url("/newsletter")
    transport = Transport().open()
    try:
        for lang in languages or current_app.config["LANGUAGES"]:
            message_id = f"<newsletter-test.{issue.id}.{secrets.token_hex(8)}@{factory.domain}>"
            raw = factory.build(to, lang, unsubscribe_url, message_id)
            if transport.smtp is None:
                _dispatched(current_app._get_current_object(), to, factory.subject_text(lang), raw)
            else:
                transport.smtp.sendmail(factory.envelope_from, [to], raw)
    finally:
        transport.close()
