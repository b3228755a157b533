"""The delivery run's own database connection, and every statement a run makes on it
except the two hot writes per recipient (those are app/newsletter/ledger.py's).

Each recipient costs two commits. On PostgreSQL they are asynchronous commits
(synchronous_commit off): durable across a crash of the worker, the only failure the
run must survive exactly-once; a crash of the database server itself could lose the
last fraction of a second of commits. On SQLite, synchronous=OFF for the same reason
(the file survives a process kill, not a power cut). The connection is thrown away
afterwards (`close`), so no other code inherits the setting.
"""

import contextlib

from app.clock import utcnow
from app.extensions import db
from app.models import Subscriber
from app.models.newsletter import Delivery, NewsletterIssue
from app.newsletter.ledger import AsyncLedger, Ledger

ABANDONED = (
    "The worker stopped while the mail server was accepting this message: "
    "it may or may not have been delivered."
)


class RunConnection:
    """One run's connection (autocommit), with its ledger. Always `close()` it, also
    when `open()` failed half-way: a half-tuned connection must never reach the pool."""

    def __init__(self, issue_id, run_id):
        self.issue_id = issue_id
        self.run_id = run_id
        self.connection = None
        self.ledger = None

    def open(self):
        """A connection of its own, tuned for many tiny transactions; the two writes per
        recipient go through the Ledger (statements compiled once, driver cursor)."""
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
        return self

    def close(self):
        if self.ledger is not None:
            with contextlib.suppress(Exception):
                self.ledger.close()
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.invalidate()
                self.connection.close()

    def _execute(self, statement):
        result = self.connection.execute(statement)
        self.connection.commit()
        return result

    # -- the issue
    def beat(self):
        """Write the heartbeat; return the issue's (status, run id) as they are now."""
        self._execute(
            db.update(NewsletterIssue)
            .where(NewsletterIssue.id == self.issue_id, NewsletterIssue.run_id == self.run_id)
            .values(heartbeat_at=utcnow())
        )
        return self.connection.execute(
            db.select(NewsletterIssue.status, NewsletterIssue.run_id).where(
                NewsletterIssue.id == self.issue_id
            )
        ).one()

    def set_issue(self, **values):
        """Change the issue, if this run still owns it."""
        self._execute(
            db.update(NewsletterIssue)
            .where(NewsletterIssue.id == self.issue_id, NewsletterIssue.run_id == self.run_id)
            .values(**values)
        )

    # -- the delivery rows
    def set_row(self, delivery_id, from_statuses, **values):
        """A compare-and-set on one row: True if it was in one of `from_statuses`."""
        table = Delivery.__table__  # Core: no ORM bookkeeping on the hot path
        changed = self._execute(
            table.update()
            .where(table.c.id == delivery_id, table.c.status.in_(from_statuses))
            .values(**values)
        ).rowcount
        return changed == 1

    def mark_abandoned(self):
        """Rows another (dead) run left between its two commits: uncertain, never re-sent."""
        self._execute(
            db.update(Delivery)
            .where(
                Delivery.issue_id == self.issue_id,
                Delivery.status == "sending",
                Delivery.run_id != self.run_id,
            )
            .values(status="unknown", error=ABANDONED)
        )

    def pending_rows(self, limit):
        """The next pending rows, with their subscriber's status and address now."""
        subscribers = Subscriber.__table__
        return self.connection.execute(
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
            .limit(limit)
        ).all()

    def unfinished_count(self):
        """Rows still pending or being sent (by this run or another live one)."""
        return self.connection.execute(
            db.select(db.func.count())
            .select_from(Delivery)
            .where(
                Delivery.issue_id == self.issue_id,
                Delivery.status.in_(("pending", "sending")),
            )
        ).scalar_one()
